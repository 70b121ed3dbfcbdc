package tw.einvoice.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.LogListener;
import org.junit.jupiter.api.Test;

/** A log step's message carrying a reply's control characters is logged on one line, the characters escaped. */
class SafeLogListenerTest {

    @Test
    void aLogStepCannotBeMadeToForgeALine() throws Exception {
        List<String> logged = new CopyOnWriteArrayList<>();
        try (CamelContext context = new DefaultCamelContext()) {
            // no Camel CLI connector (found on the classpath): its thread reads the context while it starts, and Camel's
            // bean introspection then failed the start with a ConcurrentModificationException, once in a while
            org.apache.camel.cli.connector.DefaultCliConnectorFactory noCli = new org.apache.camel.cli.connector.DefaultCliConnectorFactory();
            noCli.setEnabled(false);
            context.getCamelContextExtension().addContextPlugin(org.apache.camel.spi.CliConnectorFactory.class, noCli);
            // as the YAML beans file does: the bean registers itself when Camel hands it the context
            context.getRegistry().bind("safeLogListener", new SafeLogListener());
            context.getCamelContextExtension().addLogListener(new LogListener() {
                @Override
                public String onLog(org.apache.camel.Exchange e, org.apache.camel.spi.CamelLogger l, String m) {
                    return m;
                }

                @Override
                public void afterLog(org.apache.camel.Exchange e, org.apache.camel.spi.CamelLogger l, String m) {
                    logged.add(m);
                }
            });
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:log").log("command ${header.EcpayCommandId} is dead: ${header.EcpayReason}");
                }
            });
            context.start();
            context.createProducerTemplate().sendBodyAndHeaders("direct:log", null, java.util.Map.of("EcpayCommandId", "a\nb",
                    "EcpayReason", "RtnCode 1: ok\n2026-11-30 INFO forged\u001B[2J"));
        }
        assertEquals(List.of("command a\\nb is dead: RtnCode 1: ok\\n2026-11-30 INFO forged\\u001B[2J"), logged);
    }
}
