package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.intake.IntakeFixtures.await;
import static tw.einvoice.intake.IntakeFixtures.count;
import static tw.einvoice.intake.IntakeFixtures.drop;

import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.app.Application;
import tw.einvoice.app.RuntimeConfig;
import tw.einvoice.journal.CallbackRow;
import tw.einvoice.journal.Journal;
import tw.einvoice.protocol.CheckMacValue;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.SandboxCallback;

/**
 * ECPay's calls back to us, end to end through the main job (every shipped route, the real properties) and a sandbox
 * that calls back as ECPay does: a DelayIssue with a NotifyURL dropped as a file, its TriggerIssue inserted into the
 * SQL inbox, the sandbox's signed callback recorded against the command; a forged one refused and logged; an
 * AllowanceByCollegiate's ReturnURL once the buyer agrees; and the curl command of docs/callbacks.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CallbacksEndToEndTest {

    static final String M = "2000132";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path work;

    static EcpaySandbox sandbox;
    static Application app;
    static int port;
    static Journal journal;
    static DataSource ds;
    static LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        sandbox = EcpaySandbox.builder().port(0).callbackRetry(Duration.ofMillis(200)).start();
        Properties o = new Properties();
        o.setProperty("sandbox.enabled", "false");
        o.setProperty("ecpay.base-url", sandbox.baseUrl());
        o.setProperty("journal.url", "jdbc:h2:file:" + work.resolve("journal/ecpay").toAbsolutePath());
        o.setProperty("intake.file.inbox", work.resolve("inbox").toString());
        o.setProperty("intake.file.archive-dir", work.resolve("archive").toString());
        o.setProperty("intake.file.poll-ms", "100");
        o.setProperty("intake.file.quiet-ms", "300");
        o.setProperty("intake.file.read-lock-check-ms", "200");
        o.setProperty("intake.sql.inbox.poll-interval", "200");
        o.setProperty("ecpay.dispatch.poll-interval", "100");
        o.setProperty("ecpay.dispatch.initial-delay", "0");
        o.setProperty("ecpay.channel.success", "file:" + work.resolve("outbox/success"));
        o.setProperty("ecpay.channel.dead-letter", "file:" + work.resolve("outbox/dead-letter"));
        o.setProperty("camel.server.port", Integer.toString(port));
        o.setProperty("camel.management.port", Integer.toString(port));
        log = new LogCapture();
        app = Application.start(RuntimeConfig.of("sandbox", Path.of("config"), o));
        journal = app.camelContext().getRegistry().lookupByNameAndType("journal", Journal.class);
        ds = app.camelContext().getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
        if (log != null) {
            log.close();
        }
    }

    static String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    static HttpResponse<String> post(String path, String form) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    static double metric(String name, String labels) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(url("/observe/metrics"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static void succeeded(String id) throws InterruptedException {
        await(id + " SUCCEEDED", 60_000, () -> count(ds, "SELECT COUNT(*) FROM ecpay_command WHERE id = ? AND state = 'SUCCEEDED'", id) == 1);
    }

    @Test
    @Order(1)
    void aDelayedInvoiceIssuedByTriggerIssueIsCalledBackAndRecordedAgainstItsCommand() throws Exception {
        String notify = url("/ecpay/notify/delay-issue");
        drop(("{\"id\":\"CB-DELAY-1\",\"operation\":\"B2CInvoice/DelayIssue\",\"data\":{\"RelateNumber\":\"CB-ORD-1\","
                + "\"Tsr\":\"CB-TSR-1\",\"PayType\":\"2\",\"PayAct\":\"ECPAY\",\"DelayFlag\":\"2\",\"DelayDay\":0,"
                + "\"NotifyURL\":\"" + notify + "\",\"CustomerEmail\":\"buyer@example.com\",\"Print\":\"0\",\"Donation\":\"0\","
                + "\"TaxType\":\"1\",\"SalesAmount\":200,\"InvType\":\"07\",\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"禮盒\","
                + "\"ItemCount\":1,\"ItemWord\":\"盒\",\"ItemPrice\":200,\"ItemAmount\":200}]}}\n").getBytes(StandardCharsets.UTF_8),
                work.resolve("inbox"), "delayed.jsonl");
        succeeded("CB-DELAY-1");
        assertTrue(sandbox.callbacks().isEmpty(), "staged, not issued: no callback yet");

        try (var c = ds.getConnection(); var ps = c.prepareStatement(
                "INSERT INTO ecpay_inbox (id, operation, merchant_id, payload) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, "CB-TRIGGER-1");
            ps.setString(2, "B2CInvoice/TriggerIssue");
            ps.setString(3, M);
            ps.setString(4, "{\"Tsr\":\"CB-TSR-1\",\"PayType\":\"2\"}");
            ps.executeUpdate();
        }
        succeeded("CB-TRIGGER-1");
        await("the callback recorded", 30_000, () -> !journal.callbacks("CB-DELAY-1").isEmpty());

        List<CallbackRow> rows = journal.callbacks("CB-DELAY-1");
        assertEquals(1, rows.size());
        CallbackRow row = rows.get(0);
        assertTrue(row.verified());
        assertEquals("DelayIssue", row.kind());
        assertEquals(M, row.merchantId());
        assertEquals("CB-TSR-1", row.tsr());
        String invoiceNo = sandbox.ledger().invoice(M, "CB-ORD-1").orElseThrow().invoiceNo();
        assertEquals(invoiceNo, row.invoiceNo());
        assertTrue(row.remoteAddress().startsWith("127.0.0.1"), row.remoteAddress());
        assertFalse(row.fields().contains("CheckMacValue"), row.fields());
        SandboxCallback sent = sandbox.callbacks().get(0);
        await("the sandbox got 1|OK", 10_000, () -> sent.state().acknowledged());
        assertEquals(1, sent.state().attempts(), "answered 1|OK at once: not sent again");
        assertEquals(1.0, metric("ecpay_callbacks_total", "kind=\"DelayIssue\",verified=\"true\""));
    }

    @Test
    @Order(2)
    void forgedUnknownAndMalformedCallbacksAreRefusedLoggedAndNeverAttached() throws Exception {
        Map<String, String> genuine = new LinkedHashMap<>(sandbox.callbacks().get(0).form());
        long before = count(ds, "SELECT COUNT(*) FROM ecpay_callback");
        int mark = log.mark();

        Map<String, String> forged = new LinkedHashMap<>(genuine);
        forged.put("InvoiceNo", "ZZ99999999");
        HttpResponse<String> refused = post("/ecpay/notify/delay-issue", form(forged));
        assertEquals(400, refused.statusCode());
        assertEquals("0|CheckMacValue does not match merchant 2000132's keys", refused.body());
        assertFalse(refused.headers().firstValue("EcpayCallbackRefusal").isPresent(), "no exchange header leaks out");

        Map<String, String> foreign = new LinkedHashMap<>(genuine);
        foreign.put("MerchantID", "9999999");
        foreign.remove(CheckMacValue.FIELD);
        foreign.put(CheckMacValue.FIELD, CheckMacValue.invoice(new Credentials("9999999", "0123456789abcdef",
                "fedcba9876543210", "")).compute(foreign));
        assertEquals("0|unknown merchant 9999999", post("/ecpay/notify/delay-issue", form(foreign)).body());

        HttpResponse<String> malformed = post("/ecpay/notify/delay-issue", "Tsr=a&Tsr=b");
        assertEquals(400, malformed.statusCode());
        assertEquals("0|malformed form: a field given twice", malformed.body());

        HttpResponse<String> elsewhere = post("/ecpay/notify/other", form(genuine));
        assertEquals(400, elsewhere.statusCode());
        assertEquals("0|no such callback path", elsewhere.body());

        assertEquals(before + 2, count(ds, "SELECT COUNT(*) FROM ecpay_callback"), "the malformed one is not recorded");
        assertEquals(2, count(ds, "SELECT COUNT(*) FROM ecpay_callback WHERE verified = FALSE AND command_id IS NULL"));
        assertEquals(1, journal.callbacks("CB-DELAY-1").size(), "nothing forged attached to the command");
        String warned = log.since(mark);
        assertTrue(Pattern.compile("WARN.*ECPay callback /ecpay/notify/delay-issue from 127\\.0\\.0\\.1:\\d+ refused: CheckMacValue does not "
                + "match merchant 2000132's keys").matcher(warned).find(), warned);
        assertTrue(warned.contains("refused: unknown merchant 9999999"), warned);
        assertFalse(warned.contains(Credentials.PUBLIC_STAGE.hashKey()), "no key in the log");
        assertEquals(3.0, metric("ecpay_callbacks_total", "kind=\"DelayIssue\",verified=\"false\""));
        assertEquals(1.0, metric("ecpay_callbacks_total", "kind=\"none\",verified=\"false\""), "no label per path tried");

        // the genuine one again (ECPay repeats a callback it got no 1|OK for): recorded again, answered 1|OK; a field named
        // as the path parameter does not change the kind
        assertEquals("1|OK", post("/ecpay/notify/delay-issue?kind=allowance", form(genuine)).body());
        assertEquals(2, journal.callbacks("CB-DELAY-1").size());
    }

    @Test
    @Order(3)
    void anOnlineAllowanceIsCalledBackWhenTheBuyerAgrees() throws Exception {
        var invoice = sandbox.ledger().invoice(M, "CB-ORD-1").orElseThrow();
        drop(("{\"id\":\"CB-ONLINE-1\",\"operation\":\"B2CInvoice/AllowanceByCollegiate\",\"data\":{\"InvoiceNo\":\""
                + invoice.invoiceNo() + "\",\"InvoiceDate\":\"" + invoice.invoiceDate().substring(0, 10) + "\","
                + "\"AllowanceNotify\":\"E\",\"NotifyMail\":\"buyer@example.com\",\"AllowanceAmount\":50,"
                + "\"ReturnURL\":\"" + url("/ecpay/notify/allowance") + "\",\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"禮盒\","
                + "\"ItemCount\":1,\"ItemWord\":\"盒\",\"ItemPrice\":50,\"ItemTaxType\":\"1\",\"ItemAmount\":50}]}}\n")
                .getBytes(StandardCharsets.UTF_8), work.resolve("inbox"), "online.jsonl");
        succeeded("CB-ONLINE-1");
        String allowanceNo = new com.fasterxml.jackson.databind.ObjectMapper().readTree(journal.find("CB-ONLINE-1").reply())
                .path("IA_Allow_No").asText();
        assertTrue(journal.callbacks("CB-ONLINE-1").isEmpty());

        // the buyer's click at ECPay, through the sandbox's own control path (docs/callbacks.md)
        String agree = sandbox.baseUrl() + EcpaySandbox.AGREE_PATH + "?MerchantID=" + M + "&AllowanceNo=" + allowanceNo;
        HttpResponse<String> agreed = HTTP.send(HttpRequest.newBuilder(URI.create(agree)).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, agreed.statusCode(), agreed.body());
        assertFalse(sandbox.agreeOnlineAllowance(M, allowanceNo), "agreed once only");
        await("the allowance callback recorded", 30_000, () -> !journal.callbacks("CB-ONLINE-1").isEmpty());
        CallbackRow row = journal.callbacks("CB-ONLINE-1").get(0);
        assertTrue(row.verified());
        assertEquals("AllowanceByCollegiate", row.kind());
        assertEquals(M, row.merchantId(), "the form names no merchant: the one whose keys verify it");
        assertEquals(allowanceNo, row.allowanceNo());
        assertEquals(invoice.invoiceNo(), row.invoiceNo());
        assertEquals("1", row.rtnCode());
    }

    @Test
    @Order(4)
    void theCurlCommandOfTheDocsIsAnsweredOk() throws Exception {
        String doc = Files.readString(Path.of("docs/callbacks.md"));
        Matcher m = Pattern.compile("(?m)^curl .*/ecpay/notify/delay-issue .*$").matcher(doc);
        assertTrue(m.find(), "docs/callbacks.md shows a curl command");
        String command = m.group().replace("http://127.0.0.1:9581/", url("/"));
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertEquals("1|OK", out);
        assertEquals(1, count(ds, "SELECT COUNT(*) FROM ecpay_callback WHERE tsr = 'TSR20261122004' AND verified = TRUE"));
    }
}
