package tw.einvoice.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ServerSocket;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.FaultRule;

/** The sandbox declared as a YAML bean serves the real call route of the same Camel Main application. */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml,"
                + "classpath:sandbox-embedded.camel.yaml",
                "journal.url=jdbc:h2:mem:embedded-sandbox;DB_CLOSE_DELAY=-1",
                "sandbox.faults=operation=B2CInvoice/GetIssue,kind=http-503,times=1"})
class EmbeddedSandboxTest {

    static final int PORT = freePort();

    static {
        System.setProperty("sandbox.port", Integer.toString(PORT));
        System.setProperty("ecpay.base-url", "http://127.0.0.1:" + PORT);
    }

    @BeanInject
    CamelContext context;

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void clear() {
        System.clearProperty("sandbox.port");
        System.clearProperty("ecpay.base-url");
    }

    @Test
    void theRouteReachesTheEmbeddedSandbox() {
        EcpaySandbox sandbox = context.getRegistry().lookupByNameAndType("ecpaySandbox", EcpaySandbox.class);
        assertEquals(PORT, sandbox.port());
        String cmd = "{\"operation\":\"B2CInvoice/GetIssue\",\"data\":{\"RelateNumber\":\"Nope1\"}}";
        Exchange first = context.createProducerTemplate().request("direct:ecpay-call", e -> e.getMessage().setBody(cmd));
        assertEquals("RETRY", first.getMessage().getHeader(EcpayHeaders.OUTCOME));
        Exchange second = context.createProducerTemplate().request("direct:ecpay-call", e -> e.getMessage().setBody(cmd));
        assertEquals(1, second.getMessage().getHeader(EcpayHeaders.TRANS_CODE, Integer.class));
        assertEquals(1600003, second.getMessage().getHeader(EcpayHeaders.RTN_CODE, Integer.class));
        assertEquals(1, sandbox.ledger().faults(FaultRule.Kind.HTTP_503));
    }
}
