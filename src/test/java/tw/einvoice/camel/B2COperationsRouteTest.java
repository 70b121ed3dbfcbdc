package tw.einvoice.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.UUID;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tw.einvoice.sandbox.EcpaySandbox;

/**
 * The B2C operations of issue 12 through the real {@code ecpay-call} route, the real beans and the real
 * {@code config/application.properties}, against the local sandbox: each operation's request is built, encrypted,
 * answered and classified as in production.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml",
                "journal.url=jdbc:h2:mem:b2c-operations-route;DB_CLOSE_DELAY=-1"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class B2COperationsRouteTest {

    static final ObjectMapper JSON = new ObjectMapper();
    // started before the Camel context is built, which reads ecpay.base-url from this system property
    static final EcpaySandbox SANDBOX = EcpaySandbox.builder().start();

    static {
        System.setProperty("ecpay.base-url", SANDBOX.baseUrl());
    }

    @BeanInject
    CamelContext context;

    ProducerTemplate template;

    @BeforeEach
    void setUp() {
        if (template == null) {
            template = context.createProducerTemplate();
        }
    }

    @AfterAll
    static void stopSandbox() {
        System.clearProperty("ecpay.base-url");
        SANDBOX.close();
    }

    // ------------------------------------------------------------------ data checks

    @Test
    void checkBarcodeAnswersWhetherTheBarcodeIsRegistered() throws Exception {
        Exchange known = call("B2CInvoice/CheckBarcode", "{\"BarCode\":\"/ABC+123\"}");
        assertOutcome(known, "SUCCESS", 1);
        assertEquals("Y", body(known).path("IsExist").asText());
        assertEquals("N", body(call("B2CInvoice/CheckBarcode", "{\"BarCode\":\"/ZZZ9999\"}")).path("IsExist").asText());
    }

    @Test
    void checkLoveCodeNamesTheOrganisation() throws Exception {
        Exchange known = call("B2CInvoice/CheckLoveCode", "{\"LoveCode\":\"168001\"}");
        assertOutcome(known, "SUCCESS", 1);
        assertEquals("Y", body(known).path("IsExist").asText());
        assertEquals("沙盒愛心基金會 168001", body(known).path("OrganName").asText());
        Exchange unknown = call("B2CInvoice/CheckLoveCode", "{\"LoveCode\":\"9999999\"}");
        assertOutcome(unknown, "SUCCESS", 1);
        assertEquals("N", body(unknown).path("IsExist").asText());
    }

    /** paid-tw live stage: 97025978 is ECPay's company, 00000000 has no data (7), 12345678 fails the check digit (1200125). */
    @Test
    void getCompanyNameByTaxIdAnswersTheNameNoDataOrABadCheckDigit() throws Exception {
        Exchange ecpay = call("B2CInvoice/GetCompanyNameByTaxID", "{\"UnifiedBusinessNo\":\"97025978\"}");
        assertOutcome(ecpay, "SUCCESS", 1);
        assertEquals("綠界科技股份有限公司", body(ecpay).path("CompanyName").asText());
        assertOutcome(call("B2CInvoice/GetCompanyNameByTaxID", "{\"UnifiedBusinessNo\":\"00000000\"}"), "SUCCESS", 7);
        assertOutcome(call("B2CInvoice/GetCompanyNameByTaxID", "{\"UnifiedBusinessNo\":\"12345678\"}"), "DEAD", 1200125);
    }

    // ------------------------------------------------------------------ helpers

    static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    Exchange call(String operation, String data) {
        return call(operation, data, false);
    }

    Exchange call(String operation, String data, boolean maybeSentBefore) {
        String command = "{\"id\":\"" + unique("cmd") + "\",\"operation\":\"" + operation + "\",\"data\":" + data + "}";
        Exchange out = template.request("direct:ecpay-call", e -> {
            e.getMessage().setBody(command);
            if (maybeSentBefore) {
                e.getMessage().setHeader(EcpayHeaders.MAYBE_SENT_BEFORE, true);
            }
        });
        assertNull(out.getException(), "the route reports outcomes in headers, it does not throw");
        return out;
    }

    static JsonNode body(Exchange e) throws Exception {
        return JSON.readTree(e.getMessage().getBody(String.class));
    }

    static void assertOutcome(Exchange e, String verdict, Integer rtnCode) {
        String said = e.getMessage().getHeaders().toString();
        assertEquals(verdict, e.getMessage().getHeader(EcpayHeaders.OUTCOME, String.class), said);
        assertEquals(200, e.getMessage().getHeader(EcpayHeaders.HTTP_STATUS, Integer.class), said);
        assertEquals(1, e.getMessage().getHeader(EcpayHeaders.TRANS_CODE, Integer.class), said);
        assertEquals(rtnCode, e.getMessage().getHeader(EcpayHeaders.RTN_CODE, Integer.class), said);
    }
}
