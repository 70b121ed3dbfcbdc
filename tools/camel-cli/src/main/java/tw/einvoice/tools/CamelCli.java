package tw.einvoice.tools;

import org.apache.camel.dsl.jbang.core.commands.CamelJBangMain;

/** The `camel` command: Camel JBang's command line, run from a plain classpath instead of the jbang launcher. */
public final class CamelCli {
    public static void main(String... args) {
        CamelJBangMain.run(args);
    }
}
