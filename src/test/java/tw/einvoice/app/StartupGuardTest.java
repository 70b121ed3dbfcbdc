package tw.einvoice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.karaf.YamlRoutesBuilder;

/**
 * The startup checks run from the routes' own beans file, so every runtime that loads the YAML routes applies them: a
 * plain CamelContext loading the routes as Karaf's RouteBuilder does, and Camel Main configured as Camel JBang
 * configures it (routes pattern and properties, no {@link Application}). A refusal stops the context with its one line.
 */
class StartupGuardTest {

    static final String KARAF_CFG = "file:src/main/karaf/etc/tw.einvoice.ecpay.cfg,classpath:ecpay-config/application.properties";

    @TempDir
    Path tmp;

    Properties overrides(String... kv) {
        Properties p = new Properties();
        p.setProperty("intake.file.inbox", tmp.resolve("inbox").toString());
        p.setProperty("intake.file.archive-dir", tmp.resolve("archive").toString());
        p.setProperty("ecpay.channel.success", "file:" + tmp.resolve("success"));
        p.setProperty("ecpay.channel.dead-letter", "file:" + tmp.resolve("dead"));
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    static CamelContext karafStyle(Properties overrides) {
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation(KARAF_CFG);
        context.getPropertiesComponent().setOverrideProperties(overrides);
        return context;
    }

    @Test
    void karafStyleLoadingRunsTheChecksAndStartsWhenTheyPass() throws Exception {
        try (CamelContext context = karafStyle(overrides("journal.url", "jdbc:h2:mem:guard-ok;DB_CLOSE_DELAY=-1"))) {
            context.addRoutes(new YamlRoutesBuilder(YamlRoutesBuilder.SHIPPED));
            context.start();
            assertEquals(ServiceStatus.Started, context.getRouteController().getRouteStatus("ecpay-call"));
            assertNotNull(context.getRegistry().lookupByNameAndType("startupGuard", StartupGuard.class));
            // the folder check ran: it creates the drop folder it is given
            assertTrue(Files.isDirectory(tmp.resolve("inbox")), "the checks created the drop folder");
        }
    }

    @Test
    void karafStyleLoadingRefusesProductionWithThePublicStageKeys() {
        try (CamelContext context = karafStyle(overrides("ecpay.production", "true",
                "journal.url", "jdbc:postgresql://127.0.0.1:1/none"))) {
            Exception e = assertThrows(Exception.class, () -> {
                context.addRoutes(new YamlRoutesBuilder(YamlRoutesBuilder.SHIPPED));
                context.start();
            });
            StartupException why = StartupException.explain(e);
            assertTrue(why.getMessage().startsWith("refusing to start: profile"), why.getMessage());
            assertTrue(why.getMessage().contains("public stage credentials"), why.getMessage());
            assertFalse(context.isStarted(), "the context does not start");
            assertTrue(context.getRoutes().isEmpty(), "no route runs: " + context.getRoutes());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void camelMainAsJbangRunsItRefusesTheH2JournalInProduction() throws Exception {
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:config/application.properties");
        Properties props = overrides("ecpay.production", "true", "ecpay.merchant-id", "3001234",
                "ecpay.hash-key", "AbCdEfGh12345678", "ecpay.hash-iv", "1234567890abcdef",
                "journal.url", "jdbc:h2:mem:guard-prod",
                "camel.main.routes-include-pattern", "file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml");
        main.setOverrideProperties(props);
        try {
            Exception e = assertThrows(Exception.class, main::start);
            StartupException why = StartupException.explain(e);
            assertTrue(why.getMessage().contains("uses the embedded H2 journal"), why.getMessage());
            assertTrue(main.getCamelContext() == null || !main.getCamelContext().isStarted(), "Camel did not start");
        } finally {
            main.stop();
        }
    }
}
