package tw.einvoice.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.sandbox.EcpaySandbox;

/**
 * An HTTP status is reported as what it is through the real {@code ecpay-call} route: a request too big for the server
 * (HTTP 413) is a dead letter that says so, not "check the base URL" (issue 11).
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml",
                "journal.url=jdbc:h2:mem:ecpay-http-status;DB_CLOSE_DELAY=-1"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EcpayHttpStatusRouteTest {

    // a server that takes at most 64 KB per request; started before the context reads ecpay.base-url
    static final EcpaySandbox SANDBOX = EcpaySandbox.builder().merchant(Credentials.PUBLIC_STAGE).maxBodyBytes(64 * 1024).start();

    static {
        System.setProperty("ecpay.base-url", SANDBOX.baseUrl());
    }

    @BeanInject
    CamelContext context;

    @AfterAll
    static void stop() {
        System.clearProperty("ecpay.base-url");
        SANDBOX.close();
    }

    @Test
    void aRequestTooLargeForTheServerIsADeadLetterNamedPayloadTooLarge() {
        Exchange reply = context.createProducerTemplate().request("direct:ecpay-call",
                e -> e.getMessage().setBody(bigButValidIssue("BIG" + System.nanoTime())));
        assertEquals(413, reply.getMessage().getHeader(EcpayHeaders.HTTP_STATUS, Integer.class));
        assertEquals("DEAD", reply.getMessage().getHeader(EcpayHeaders.OUTCOME, String.class));
        String reason = reply.getMessage().getHeader(EcpayHeaders.REASON, String.class);
        assertTrue(reason.startsWith("HTTP 413 Payload Too Large: the request is bigger than ECPay takes"), reason);
        assertFalse(reason.contains("base URL") || reason.contains("ecpay.base-url"), reason);
        assertEquals(0, SANDBOX.ledger().totalIssued(), "nothing issued");
    }

    /** 200 items with 100-character names: every rule met, the envelope about 130 KB. */
    static String bigButValidIssue(String relate) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode data = json.createObjectNode();
        data.put("RelateNumber", relate).put("CustomerEmail", "buyer@example.com").put("Print", "0").put("Donation", "0")
                .put("TaxType", "1").put("SalesAmount", 200).put("InvType", "07");
        ArrayNode items = data.putArray("Items");
        for (int i = 1; i <= 200; i++) {
            items.addObject().put("ItemSeq", i).put("ItemName", "品".repeat(100)).put("ItemCount", 1).put("ItemWord", "個")
                    .put("ItemPrice", 1).put("ItemAmount", 1);
        }
        ObjectNode command = json.createObjectNode();
        command.put("id", relate).put("operation", "B2CInvoice/Issue");
        command.set("data", data);
        return command.toString();
    }
}
