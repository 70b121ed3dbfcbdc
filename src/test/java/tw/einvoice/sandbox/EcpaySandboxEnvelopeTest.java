package tw.einvoice.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tw.einvoice.protocol.Credentials;

/** The envelope checks ECPay makes, bad requests, and the .NET-style reply encoding. */
class EcpaySandboxEnvelopeTest {

    static final Instant NOW = Instant.parse("2026-08-15T15:29:10Z");
    static EcpaySandbox sandbox;
    static SandboxClient client;

    @BeforeAll
    static void start() {
        sandbox = EcpaySandbox.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).start();
        client = new SandboxClient(sandbox.baseUrl()).clock(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    private static SandboxClient clientAt(Instant at) {
        return new SandboxClient(sandbox.baseUrl()).clock(Clock.fixed(at, ZoneOffset.UTC));
    }

    @Test
    void anUnknownMerchantGetsTransCode115AndNoData() throws Exception {
        SandboxClient.Result r = new SandboxClient(sandbox.baseUrl()).clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .as(new Credentials("3999999", "ejCk326UnaZWKisg", "q9jcZX8Ib9LM8wYk", ""))
                .call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"X1\"}");
        assertEquals(200, r.status());
        assertEquals(115, r.transCode());
        assertTrue(r.envelope().get("Data").isNull());
    }

    @Test
    void aTimestampOutsideTenMinutesGets104WithEcpaysMessage() throws Exception {
        for (Duration skew : new Duration[] {Duration.ofSeconds(601), Duration.ofSeconds(-601), Duration.ofHours(8)}) {
            SandboxClient.Result r = clientAt(NOW.plus(skew)).call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"X1\"}");
            assertEquals(104, r.transCode(), "skew " + skew);
            assertEquals("Timestamp is over 10 minutes than it just produced.", r.envelope().path("TransMsg").asText());
            assertTrue(r.envelope().get("Data").isNull());
        }
        // inside the window both ways
        assertEquals(1, clientAt(NOW.plusSeconds(599)).call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"X1\"}").transCode());
        assertEquals(1, clientAt(NOW.minusSeconds(599)).call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"X1\"}").transCode());
        // a missing Timestamp is outside every window
        SandboxClient.Result none = client.post("/B2CInvoice/GetIssue", "{\"MerchantID\":\"2000132\",\"RqHeader\":{},\"Data\":\"x\"}");
        assertEquals(104, none.transCode());
    }

    @Test
    void dataThatDoesNotDecryptGetsHttp500TransCode110AndNullData() throws Exception {
        SandboxClient.Result wrongKey = new SandboxClient(sandbox.baseUrl()).clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .as(new Credentials("2000132", "A123456789012345", "B123456789012345", ""))
                .call("B2CInvoice/Issue", SandboxClient.issueData("Key1"));
        assertEquals(500, wrongKey.status());
        assertEquals(110, wrongKey.transCode());
        assertTrue(wrongKey.envelope().get("Data").isNull());
        assertFalse(wrongKey.rawBody().contains("ejCk326UnaZWKisg"), "the key never appears in a reply");

        String garbage = "{\"MerchantID\":\"2000132\",\"RqHeader\":{\"Timestamp\":" + NOW.getEpochSecond() + "},\"Data\":\"%%%not base64\"}";
        SandboxClient.Result notBase64 = client.post("/B2CInvoice/Issue", garbage);
        assertEquals(500, notBase64.status());
        assertEquals(110, notBase64.transCode());
        assertEquals(0, sandbox.ledger().issuedCount("2000132", "Key1"));
    }

    @Test
    void dataMerchantIdMustMatchTheEnvelope() throws Exception {
        SandboxClient.Result r = client.call("B2CInvoice/GetIssue", "{\"MerchantID\":\"2000133\",\"RelateNumber\":\"X1\"}");
        assertEquals(1, r.transCode());
        assertEquals(1000001, r.rtnCode());
        assertTrue(r.rtnMsg().contains("2000133"), r.rtnMsg());
    }

    @Test
    void dataIsValidatedAgainstTheCatalogWithARealisticRtnCodePerRule() throws Exception {
        SandboxClient.Result missing = client.call("B2CInvoice/Issue", SandboxClient.issueData("V1").replaceAll(",\\s*\"Items\":\\[.*\\]", ""));
        assertEquals(1000002, missing.rtnCode(), missing.rtnMsg());
        assertTrue(missing.rtnMsg().startsWith("Items "), missing.rtnMsg());

        assertEquals(1000003, client.call("B2CInvoice/Issue", SandboxClient.issueData("V#1")).rtnCode());
        assertEquals(1000004, client.call("B2CInvoice/Issue", SandboxClient.issueData("V".repeat(51))).rtnCode());
        // ECPay's own code where the catalog knows it: amounts that do not add up
        assertEquals(5000022, client.call("B2CInvoice/Issue", SandboxClient.issueData("V2").replace("\"SalesAmount\":100",
                "\"SalesAmount\":101")).rtnCode());
        SandboxClient.Result unknown = client.call("B2CInvoice/Issue", SandboxClient.issueData("V3").replace("{", "{\"Padding\":\"x\","));
        assertEquals(1000003, unknown.rtnCode());
        assertTrue(unknown.rtnMsg().startsWith("Padding is not a Data field"), unknown.rtnMsg());
        SandboxClient.Result payType = client.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"T\",\"PayType\":\"1\"}");
        assertEquals(1000005, payType.rtnCode());
        assertTrue(payType.rtnMsg().contains("PayType"), payType.rtnMsg());
        // several problems come back together, one per line, as ECPay does
        SandboxClient.Result two = client.call("B2CInvoice/Invalid", "{\"InvoiceNo\":\"bad\",\"InvoiceDate\":\"15/08/2026\",\"Reason\":\"x\"}");
        assertEquals(2, two.rtnMsg().split("\r\n").length, two.rtnMsg());
        assertEquals(0, sandbox.ledger().issuedCount("2000132", "V#1"));
    }

    @Test
    void replyDataIsEncodedDotNetStyle() throws Exception {
        SandboxClient.Result r = client.call("B2CInvoice/Issue", SandboxClient.issueData("Enc1"));
        String encoded = aesDecrypt(r.envelope().get("Data").asText());
        assertTrue(encoded.contains("2026-08-15+23%3a29%3a10"), encoded);
        assertTrue(encoded.contains("%e9%96%8b"), "lower-case hex for 開: " + encoded);
        assertFalse(encoded.matches(".*%[0-9a-f]?[A-F].*"), "no upper-case hex: " + encoded);
        assertEquals("開立發票成功", r.rtnMsg());
        assertEquals("2026-08-15 23:29:10", r.get("InvoiceDate"));

        assertEquals("a+b!*()%7e%27%2b%25%e8%8c%b6", DotNetDataCipher.urlEncode("a b!*()~'+%茶"));
    }

    private static String aesDecrypt(String base64) throws Exception {
        Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec("ejCk326UnaZWKisg".getBytes(StandardCharsets.US_ASCII), "AES"),
                new IvParameterSpec("q9jcZX8Ib9LM8wYk".getBytes(StandardCharsets.US_ASCII)));
        return new String(c.doFinal(Base64.getDecoder().decode(base64)), StandardCharsets.US_ASCII);
    }

    @Test
    void badRequestsGetSensibleErrorsAndTheSandboxStaysUp() throws Exception {
        HttpResponse<String> get = client.raw(HttpRequest.newBuilder(client.uri("/B2CInvoice/Issue")).GET());
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));

        assertEquals(405, client.raw(HttpRequest.newBuilder(client.uri("/B2CInvoice/Issue"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode());
        assertEquals(405, client.raw(HttpRequest.newBuilder(client.uri("/B2CInvoice/Issue"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}"))).statusCode());
        assertEquals(404, client.post("/B2CInvoice/NoSuchThing", "{}").status());
        assertEquals(404, client.post("/", "{}").status());
        assertEquals(404, client.post("/B2CInvoice/Issue/../../etc/passwd", "{}").status());

        for (String body : new String[] {"not json", "", "[1,2]", "{\"MerchantID\":", "null"}) {
            SandboxClient.Result r = client.post("/B2CInvoice/Issue", body);
            assertEquals(400, r.status(), "body " + body);
            assertEquals(100, r.transCode(), "body " + body);
        }

        byte[] huge = new byte[1024 * 1024 + 10];
        java.util.Arrays.fill(huge, (byte) 'x');
        HttpResponse<String> tooBig = client.raw(HttpRequest.newBuilder(client.uri("/B2CInvoice/Issue"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(huge)));
        assertEquals(413, tooBig.statusCode());

        assertEquals(1, client.call("B2CInvoice/Issue", SandboxClient.issueData("StillUp1")).rtnCode());
        assertTrue(sandbox.ledger().totalRequests() >= 10);
    }
}
