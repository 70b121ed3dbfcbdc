package tw.einvoice.app;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tw.einvoice.camel.RouteFileOrder;

/**
 * Route files in a stable order: a {@code file:} pattern with a wildcard is expanded to its files, in
 * {@link RouteFileOrder} (Camel would list a folder in whatever order the file system returns).
 */
final class RouteFiles {

    private RouteFiles() {
    }

    static String inLoadOrder(String patterns) {
        List<String> out = new ArrayList<>();
        for (String raw : patterns.split(",")) {
            String pattern = raw.strip();
            if (!pattern.startsWith("file:") || !pattern.contains("*")) {
                out.add(pattern);
                continue;
            }
            Path path = Path.of(pattern.substring("file:".length()));
            Path dir = path.getParent() == null ? Path.of(".") : path.getParent();
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, path.getFileName().toString())) {
                found.forEach(files::add);
            } catch (IOException e) {
                throw new StartupException("route folder " + dir.toAbsolutePath() + " is not readable: " + e.getMessage());
            }
            if (files.isEmpty()) {
                continue; // e.g. no Java DSL route: fine, as long as some pattern finds files
            }
            files.stream().map(f -> "file:" + f).sorted(RouteFileOrder.LOCATIONS).forEach(out::add);
        }
        if (out.isEmpty()) {
            throw new StartupException("no route files match " + patterns + " (start from the project folder)");
        }
        return String.join(",", out);
    }
}
