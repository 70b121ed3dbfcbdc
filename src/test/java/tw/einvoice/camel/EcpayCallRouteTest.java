package tw.einvoice.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.FaultRule;

/**
 * Issue 2's outcome matrix through the real {@code ecpay-call} route, the real beans and the real
 * {@code config/application.properties}, against the local sandbox: only the sandbox address, two extra merchants and
 * a short response timeout are overridden.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml",
                "journal.url=jdbc:h2:mem:ecpay-call-route;DB_CLOSE_DELAY=-1",
                "camel.component.http.response-timeout=1500",
                "camel.component.http.so-timeout=1500",
                // a merchant the sandbox knows, configured here with the wrong key: TransCode 110
                "ecpay.merchant." + EcpayCallRouteTest.WRONG_KEY_MERCHANT + ".hash-key=" + EcpayCallRouteTest.WRONG_KEY,
                "ecpay.merchant." + EcpayCallRouteTest.WRONG_KEY_MERCHANT + ".hash-iv=" + EcpayCallRouteTest.WRONG_IV,
                // a merchant the client has credentials for but ECPay does not know: TransCode 115
                "ecpay.merchant.3999999.hash-key=" + EcpayCallRouteTest.WRONG_KEY,
                "ecpay.merchant.3999999.hash-iv=" + EcpayCallRouteTest.WRONG_IV})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EcpayCallRouteTest {

    static final String WRONG_KEY_MERCHANT = "3000110";
    static final String WRONG_KEY = "WrongKey0123456x";
    static final String WRONG_IV = "WrongIv01234567x";
    static final Credentials RIGHT = new Credentials(WRONG_KEY_MERCHANT, "RightKey0123456y", "RightIv01234567y", "");
    static final List<String> SECRETS = List.of(WRONG_KEY, WRONG_IV, RIGHT.hashKey(), RIGHT.hashIv(),
            Credentials.PUBLIC_STAGE.hashKey(), Credentials.PUBLIC_STAGE.hashIv());
    static final String STAGE = Credentials.PUBLIC_STAGE.merchantId();
    static final ObjectMapper JSON = new ObjectMapper();

    // started before the Camel context is built, which reads ecpay.base-url from this system property
    static final EcpaySandbox SANDBOX = EcpaySandbox.builder().merchant(Credentials.PUBLIC_STAGE).merchant(RIGHT).start();
    static final PrintStream ORIGINAL_ERR = System.err;
    static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    static {
        System.setProperty("ecpay.base-url", SANDBOX.baseUrl());
        // the log goes to the current System.err (logback-test.xml): keep a copy of every log line to search for secrets
        System.setErr(new PrintStream(new TeeStream(ORIGINAL_ERR, LOG), true, StandardCharsets.UTF_8));
    }

    @BeanInject
    CamelContext context;

    ProducerTemplate template;
    final List<Map<String, Object>> sentHeaders = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        SANDBOX.clearFaults();
        SANDBOX.setClock(Clock.systemUTC());
        if (template == null) {
            template = context.createProducerTemplate();
            // observe the headers present when the exchange is handed to the HTTP endpoint
            context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
                @Override
                public void notify(CamelEvent event) {
                    if (event instanceof CamelEvent.ExchangeSendingEvent sending
                            && sending.getEndpoint().getEndpointUri().startsWith("http")) {
                        sentHeaders.add(Map.copyOf(sending.getExchange().getMessage().getHeaders()));
                    }
                }
            });
        }
    }

    @AfterEach
    void noSecretInAnyLogLine() {
        String logged = LOG.toString(StandardCharsets.UTF_8);
        for (String secret : SECRETS) {
            assertFalse(logged.contains(secret), "a HashKey/HashIV appeared in the log");
        }
        SANDBOX.clearFaults();
    }

    @AfterAll
    static void stopSandbox() {
        System.setErr(ORIGINAL_ERR);
        System.clearProperty("ecpay.base-url");
        SANDBOX.close();
    }

    // ------------------------------------------------------------------ helpers

    static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    static String command(String operation, String merchant, String data) {
        return "{\"id\":\"" + unique("cmd") + "\",\"operation\":\"" + operation + "\""
                + (merchant == null ? "" : ",\"merchantId\":\"" + merchant + "\"") + ",\"data\":" + data + "}";
    }

    static String issueData(String relate) {
        return """
            {"RelateNumber":"%s","CustomerEmail":"buyer@example.com","Print":"0","Donation":"0","TaxType":"1",
             "SalesAmount":100,"InvType":"07","vat":"1",
             "Items":[{"ItemSeq":1,"ItemName":"茶葉 500g","ItemCount":1,"ItemWord":"包","ItemPrice":100,"ItemTaxType":"1","ItemAmount":100}]}
            """.formatted(relate);
    }

    static String delayData(String relate, String tsr) {
        return issueData(relate).replaceFirst("\\{", "{\"DelayFlag\":\"2\",\"DelayDay\":0,\"Tsr\":\"" + tsr
                + "\",\"PayType\":\"2\",\"PayAct\":\"ECPAY\",");
    }

    Exchange call(String operation, String data) {
        return call(command(operation, null, data), false);
    }

    Exchange call(String commandJson, boolean maybeSentBefore) {
        Exchange out = template.request("direct:ecpay-call", e -> {
            e.getMessage().setBody(commandJson);
            if (maybeSentBefore) {
                e.getMessage().setHeader(EcpayHeaders.MAYBE_SENT_BEFORE, true);
            }
        });
        assertNull(out.getException(), "the route reports outcomes in headers, it does not throw");
        return out;
    }

    static String outcome(Exchange e) {
        return e.getMessage().getHeader(EcpayHeaders.OUTCOME, String.class);
    }

    static Integer header(Exchange e, String name) {
        return e.getMessage().getHeader(name, Integer.class);
    }

    static JsonNode body(Exchange e) throws Exception {
        return JSON.readTree(e.getMessage().getBody(String.class));
    }

    void assertOutcome(Exchange e, String verdict, Integer httpStatus, Integer transCode, Integer rtnCode) {
        String said = e.getMessage().getHeaders().toString();
        assertEquals(verdict, outcome(e), said);
        assertEquals(httpStatus, header(e, EcpayHeaders.HTTP_STATUS), said);
        assertEquals(transCode, header(e, EcpayHeaders.TRANS_CODE), said);
        assertEquals(rtnCode, header(e, EcpayHeaders.RTN_CODE), said);
    }

    // ------------------------------------------------------------------ success, each seed operation

    @Test
    void updateInvoiceWordStatusSucceeds() {
        Exchange e = call("B2CInvoice/UpdateInvoiceWordStatus",
                "{\"TrackID\":\"" + EcpaySandbox.DEFAULT_TRACK_ID + "\",\"InvoiceStatus\":2}");
        assertOutcome(e, "SUCCESS", 200, 1, 1);
        assertEquals(2, SANDBOX.ledger().trackStatus(STAGE, EcpaySandbox.DEFAULT_TRACK_ID).orElseThrow());
    }

    @Test
    void delayIssueThenTriggerIssueSucceedsWith4000004() throws Exception {
        String relate = unique("R");
        String tsr = unique("T");
        assertOutcome(call("B2CInvoice/DelayIssue", delayData(relate, tsr)), "SUCCESS", 200, 1, 1);
        Exchange e = call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"" + tsr + "\",\"PayType\":\"2\"}");
        assertOutcome(e, "SUCCESS", 200, 1, 4000004);
        assertEquals(tsr, body(e).path("Tsr").asText());
        assertEquals(1, SANDBOX.ledger().issuedCount(STAGE, relate));
        // the reply Data was decrypted from the sandbox's .NET-style encoding
        Exchange got = call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"" + relate + "\"}");
        assertOutcome(got, "SUCCESS", 200, 1, 1);
        assertTrue(body(got).path("IIS_Create_Date").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"));
    }

    @Test
    void cancelDelayIssueSucceeds() {
        String tsr = unique("T");
        call("B2CInvoice/DelayIssue", delayData(unique("R"), tsr));
        assertOutcome(call("B2CInvoice/CancelDelayIssue", "{\"Tsr\":\"" + tsr + "\"}"), "SUCCESS", 200, 1, 1);
        assertEquals("CANCELLED", SANDBOX.ledger().tsrState(STAGE, tsr).orElseThrow());
    }

    @Test
    void issueInvalidGetInvalidSucceeds() throws Exception {
        String relate = unique("R");
        Exchange issued = call("B2CInvoice/Issue", issueData(relate));
        assertOutcome(issued, "SUCCESS", 200, 1, 1);
        String no = body(issued).path("InvoiceNo").asText();
        String date = body(issued).path("InvoiceDate").asText().substring(0, 10);
        String invalid = "{\"InvoiceNo\":\"" + no + "\",\"InvoiceDate\":\"" + date + "\",\"Reason\":\"退貨\"}";
        assertOutcome(call("B2CInvoice/Invalid", invalid), "SUCCESS", 200, 1, 1);
        assertOutcome(call("B2CInvoice/Invalid", invalid), "ALREADY_DONE", 200, 1, 5070453);
        Exchange e = call("B2CInvoice/GetInvalid",
                "{\"RelateNumber\":\"" + relate + "\",\"InvoiceNo\":\"" + no + "\",\"InvoiceDate\":\"" + date.replace('-', '/') + "\"}");
        assertOutcome(e, "SUCCESS", 200, 1, 1);
        assertEquals(no, body(e).path("II_Invoice_No").asText());
        assertEquals("退貨", body(e).path("Reason").asText());
    }

    @Test
    void b2bIssueConfirmSucceeds() {
        Exchange e = call("B2BInvoice/IssueConfirm", "{\"InvoiceNumber\":\"VG11000002\",\"InvoiceDate\":\"2019/09/22\",\"Remark\":\"\"}");
        assertOutcome(e, "SUCCESS", 200, 1, 1);
        assertTrue(SANDBOX.ledger().confirmations(STAGE, "VG11000002") >= 1);
    }

    @Test
    void aReusedRelateNumberIsAlreadyDoneForTheLookupToDecide() {
        String relate = unique("R");
        String cmd = command("B2CInvoice/Issue", null, issueData(relate));
        assertOutcome(call(cmd, false), "SUCCESS", 200, 1, 1);
        assertOutcome(call(cmd, false), "ALREADY_DONE", 200, 1, 5070357);
        assertOutcome(call(cmd, true), "ALREADY_DONE", 200, 1, 5070357);
        assertEquals(1, SANDBOX.ledger().issuedCount(STAGE, relate));
    }

    // ------------------------------------------------------------------ envelope errors

    @Test
    void timestampOutsideTheWindowIs104AndRetried() {
        SANDBOX.setClock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(11)));
        Exchange e = call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"" + unique("R") + "\"}");
        assertOutcome(e, "RETRY", 200, 104, null);
        assertEquals("Timestamp is over 10 minutes than it just produced.", e.getMessage().getHeader(EcpayHeaders.TRANS_MSG));
        assertNull(e.getMessage().getBody());
    }

    @Test
    void aWrongHashKeyIs110WithHttp500AndTheKeyNeverShows() {
        int before = sentHeaders.size();
        Exchange e = call(command("B2CInvoice/Issue", WRONG_KEY_MERCHANT, issueData(unique("R"))), false);
        assertOutcome(e, "DEAD", 500, 110, null);
        assertTrue(e.getMessage().getHeader(EcpayHeaders.REASON, String.class).contains("HashKey/HashIV"));
        assertTrue(sentHeaders.size() > before, "the HTTP step was observed");
        for (Map<String, Object> headers : sentHeaders) {
            for (Map.Entry<String, Object> h : headers.entrySet()) {
                for (String secret : SECRETS) {
                    assertFalse(String.valueOf(h.getValue()).contains(secret), "a secret in header " + h.getKey());
                }
            }
        }
        e.getMessage().getHeaders().forEach((k, v) -> SECRETS.forEach(s -> assertFalse(String.valueOf(v).contains(s), k)));
        assertTrue(LOG.toString(StandardCharsets.UTF_8).contains("DEAD"), "the route's log lines were captured");
        assertEquals(0, SANDBOX.ledger().totalIssued(WRONG_KEY_MERCHANT));
    }

    @Test
    void anUnknownMerchantIs115() {
        Exchange e = call(command("B2CInvoice/GetIssue", "3999999", "{\"RelateNumber\":\"X1\"}"), false);
        assertOutcome(e, "DEAD", 200, 115, null);
    }

    // ------------------------------------------------------------------ transient faults

    @Test
    void rtnCode9000001IsRetriedLater() {
        SANDBOX.addFault(FaultRule.always("B2CInvoice/TriggerIssue", FaultRule.Kind.RTN_CODE));
        Exchange e = call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"" + unique("T") + "\",\"PayType\":\"2\"}");
        assertOutcome(e, "RETRY", 200, 1, 9000001);
        assertEquals(300L, e.getMessage().getHeader(EcpayHeaders.RETRY_AFTER, Long.class));
    }

    @Test
    void rtnCode9999999IsRetried() {
        SANDBOX.addFault(FaultRule.always(null, FaultRule.Kind.RTN_CODE).withRtnCode(9999999));
        assertOutcome(call("B2CInvoice/Issue", issueData(unique("R"))), "RETRY", 200, 1, 9999999);
    }

    @Test
    void http403PausesTheMerchantForThirtyMinutes() {
        SANDBOX.addFault(FaultRule.always("B2CInvoice/Issue", FaultRule.Kind.HTTP_403));
        String relate = unique("R");
        Exchange e = call("B2CInvoice/Issue", issueData(relate));
        assertOutcome(e, "RETRY", 403, null, null);
        assertEquals(true, e.getMessage().getHeader(EcpayHeaders.PAUSE_MERCHANT, Boolean.class));
        assertEquals(1800L, e.getMessage().getHeader(EcpayHeaders.RETRY_AFTER, Long.class));
        assertEquals(0, SANDBOX.ledger().issuedCount(STAGE, relate));
    }

    @Test
    void http503IsRetried() {
        SANDBOX.addFault(FaultRule.always(null, FaultRule.Kind.HTTP_503));
        for (String[] c : new String[][] {{"B2CInvoice/Issue", issueData(unique("R"))},
                {"B2CInvoice/GetInvalid", "{\"RelateNumber\":\"R1\",\"InvoiceNo\":\"AB12345678\",\"InvoiceDate\":\"2026-08-15\"}"}}) {
            long before = SANDBOX.ledger().requests(c[0]);
            Exchange e = call(c[0], c[1]);
            assertOutcome(e, "RETRY", 503, null, null);
            // one attempt is one request: the HTTP client must not re-send by itself (the journal owns retries)
            assertEquals(before + 1, SANDBOX.ledger().requests(c[0]));
            assertEquals(false, e.getMessage().getHeader(EcpayHeaders.PAUSE_MERCHANT, Boolean.class));
        }
    }

    // ------------------------------------------------------------------ no reply: the ambiguous cases

    @Test
    void aReadTimeoutIsUnknownForIssueAndTriggerIssueAndRetryForGetInvalid() {
        SANDBOX.addFault(FaultRule.always(null, FaultRule.Kind.WORK_DONE_HANG).withLatencyMs(4_000));
        String relate = unique("R");
        long t0 = System.nanoTime();
        Exchange issue = call("B2CInvoice/Issue", issueData(relate));
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() < 3_500, "the 1.5 s response timeout applies");
        assertOutcome(issue, "UNKNOWN", 0, null, null);
        assertEquals(1, SANDBOX.ledger().issuedCount(STAGE, relate), "ECPay did the work although no reply came");

        SANDBOX.clearFaults();
        String tsr = unique("T");
        call("B2CInvoice/DelayIssue", delayData(unique("R"), tsr));
        SANDBOX.addFault(FaultRule.always(null, FaultRule.Kind.WORK_DONE_HANG).withLatencyMs(4_000));
        assertOutcome(call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"" + tsr + "\",\"PayType\":\"2\"}"), "UNKNOWN", 0, null, null);
        assertEquals("ISSUED", SANDBOX.ledger().tsrState(STAGE, tsr).orElseThrow());

        Exchange query = call("B2CInvoice/GetInvalid",
                "{\"RelateNumber\":\"R1\",\"InvoiceNo\":\"AB12345678\",\"InvoiceDate\":\"2026-08-15\"}");
        assertOutcome(query, "RETRY", 0, null, null);
        assertNotNull(query.getMessage().getHeader(EcpayHeaders.REASON));
    }

    @Test
    void aConnectionDroppedAfterTheWorkIsUnknownForIssue() {
        SANDBOX.addFault(FaultRule.always("B2CInvoice/Issue", FaultRule.Kind.WORK_DONE_DROP));
        String relate = unique("R");
        assertOutcome(call("B2CInvoice/Issue", issueData(relate)), "UNKNOWN", 0, null, null);
        assertEquals(1, SANDBOX.ledger().issuedCount(STAGE, relate));
        SANDBOX.clearFaults();
        // reconciliation: the same command again, flagged as possibly sent, adopts the earlier result
        assertOutcome(call(command("B2CInvoice/Issue", null, issueData(relate)), true), "ALREADY_DONE", 200, 1, 5070357);
    }

    @Test
    void aConnectionDroppedBeforeAnyWorkIsRetryForAQuery() {
        SANDBOX.addFault(FaultRule.always("B2CInvoice/GetIssue", FaultRule.Kind.DROP));
        assertOutcome(call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"R1\"}"), "RETRY", 0, null, null);
    }

    /** Copies everything written to the real stream into a buffer as well. */
    static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
        }
    }
}
