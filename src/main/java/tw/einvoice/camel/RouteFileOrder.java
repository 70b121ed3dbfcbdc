package tw.einvoice.camel;

import java.util.Comparator;

/**
 * The order route files are loaded in, on every runtime that lists a folder itself (the main job, Karaf): files named
 * {@code beans*} first, then by name. A file system lists a folder in any order, and a bean that refers to another
 * ({@code #bean:journal}) needs the file declaring that one loaded first; shared beans live in beans.camel.yaml.
 * (Camel JBang loads the files in the order of its command line, which the shell sorts by name: docs/jbang.md.)
 */
public final class RouteFileOrder {

    /** Compares route file locations ({@code file:routes/x.camel.yaml}, {@code classpath:...}) by their file names. */
    public static final Comparator<String> LOCATIONS = Comparator.comparing((String l) -> !fileName(l).startsWith("beans"))
            .thenComparing(RouteFileOrder::fileName);

    private RouteFileOrder() {
    }

    /** The last segment of a location or path, either separator. */
    private static String fileName(String location) {
        return location.substring(Math.max(location.lastIndexOf('/'), location.lastIndexOf('\\')) + 1);
    }
}
