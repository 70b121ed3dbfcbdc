package tw.einvoice.karaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import tw.einvoice.journal.Journal;

/**
 * The Karaf RouteBuilder in plain Camel: properties come from the example configuration-admin file
 * (etc/tw.einvoice.ecpay.cfg), as the blueprint's cm:property-placeholder supplies them, over the defaults in the bundle.
 */
class YamlRoutesBuilderTest {

    // the first location that has a key wins: configuration admin first, then the defaults shipped in the bundle
    static final String CFG = "file:src/main/karaf/etc/tw.einvoice.ecpay.cfg,classpath:ecpay-config/application.properties";

    @Test
    void loadsEveryShippedYamlRouteFromTheBundleWithTheKarafConfiguration() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation(CFG);
            Properties overrides = new Properties();
            overrides.setProperty("journal.url", "jdbc:h2:mem:karaf;DB_CLOSE_DELAY=-1"); // only the address differs
            context.getPropertiesComponent().setOverrideProperties(overrides);
            String location = context.resolvePropertyPlaceholders("{{ecpay.routes.location}}");
            context.addRoutes(new YamlRoutesBuilder(location));
            context.start();

            Set<String> shipped;
            try (var files = Files.list(Path.of("routes"))) {
                shipped = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".camel.yaml")).collect(Collectors.toSet());
            }
            assertTrue(shipped.contains("ecpay-call.camel.yaml"));
            assertNotNull(context.getRoute("ecpay-call"));
            assertEquals(ServiceStatus.Started, context.getRouteController().getRouteStatus("ecpay-call"));
            assertNotNull(context.getRegistry().lookupByNameAndType("journal", Journal.class));
            // every route of every shipped file is up (those switched off by configuration excepted), not only the one named here
            context.getRoutes().stream().filter(r -> r.isAutoStartup()).forEach(r -> assertEquals(ServiceStatus.Started,
                    context.getRouteController().getRouteStatus(r.getRouteId()), r.getRouteId()));
            assertTrue(context.getRoutes().size() > 1, "all shipped files were loaded: " + context.getRoutes());
            // the SQL intake's tables are templated routes of the route template sql-intake: created here too
            assertNotNull(((org.apache.camel.model.ModelCamelContext) context).getRouteTemplateDefinition("sql-intake"));
            assertEquals(ServiceStatus.Started, context.getRouteController().getRouteStatus("intake-sql-inbox"));
            assertEquals(ServiceStatus.Stopped, context.getRouteController().getRouteStatus("intake-sql-mapped"),
                    "created, and off as configured (intake.sql.mapped.enabled=false)");
            // beans files first, then by name: audit.camel.yaml sorts after beans.camel.yaml
            var order = new YamlRoutesBuilder(location).resources(context).stream()
                    .map(r -> r.getLocation().substring(r.getLocation().lastIndexOf('/') + 1)).toList();
            assertEquals("beans.camel.yaml", order.get(0), order.toString());
            assertEquals(order.subList(1, order.size()).stream().sorted().toList(), order.subList(1, order.size()));
        }
    }

    @Test
    void aLocationWithoutRoutesIsAPlainError() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            var e = assertThrows(Exception.class, () -> context.addRoutes(new YamlRoutesBuilder("classpath:no-such-folder/*.camel.yaml")));
            assertTrue(String.valueOf(e.getMessage()).contains("no YAML routes found at classpath:no-such-folder/*.camel.yaml"), e.getMessage());
        }
    }
}
