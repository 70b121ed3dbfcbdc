package tw.einvoice.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Base64;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.app.Application;
import tw.einvoice.app.RuntimeConfig;
import tw.einvoice.journal.Journal;

/**
 * The main job's operations server, as an operator reaches it: the example drop goes through the real routes to the
 * in-process sandbox, then /observe/metrics shows the product's series with the values the journal holds;
 * /observe/health and its readiness follow the journal and the merchants' pauses; /admin/ needs the login.
 * The tests run in order on one job: the last ones pause every merchant, then stop the journal's pool.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityTest {

    static final String USER = "ops";
    static final String PASSWORD = "correct horse battery staple";

    @TempDir
    static Path work;

    static Application app;
    static int port;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void startTheMainJob() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Properties o = new Properties();
        o.setProperty("sandbox.port", "0");
        o.setProperty("journal.url", "jdbc:h2:file:" + work.resolve("journal/ecpay").toAbsolutePath());
        o.setProperty("intake.file.inbox", work.resolve("inbox").toString());
        o.setProperty("intake.file.archive-dir", work.resolve("archive").toString());
        o.setProperty("intake.results.period-ms", "500");
        o.setProperty("intake.file.poll-ms", "200");
        o.setProperty("ecpay.channel.success", "file:" + work.resolve("outbox/success"));
        o.setProperty("ecpay.channel.dead-letter", "file:" + work.resolve("outbox/dead-letter"));
        o.setProperty("camel.server.port", Integer.toString(port));
        o.setProperty("camel.management.port", Integer.toString(port));
        o.setProperty("management.admin.user", USER);
        o.setProperty("management.admin.password", PASSWORD);
        o.setProperty("management.metrics.journal-max-age", "PT0.2S");
        app = Application.start(RuntimeConfig.of("sandbox", Path.of("config"), o));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static double series(String metrics, String name, String labels) {
        // labels as Prometheus writes them (sorted by name), e.g. operation="B2CInvoice/Issue",outcome="SUCCESS"
        String series = labels.isEmpty() ? Pattern.quote(name) : Pattern.quote(name + "{" + labels) + ",?[^}]*\\}";
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(metrics);
        assertTrue(m.find(), "no series " + name + "{" + labels + "} in:\n" + grep(metrics, name));
        return Double.parseDouble(m.group(1));
    }

    static String grep(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name)).reduce("", (a, b) -> a + b + "\n");
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @Order(1)
    void metricsShowTheDropTheSandboxAndTheJournal() throws Exception {
        Path inbox = work.resolve("inbox");
        Files.createDirectories(inbox);
        Files.copy(Path.of("examples/issue-invoices.jsonl"), inbox.resolve("issue-invoices.jsonl"));
        Files.writeString(inbox.resolve("issue-invoices.jsonl.done"), "");
        long end = System.currentTimeMillis() + 90_000;
        Path result = null;
        while (result == null && System.currentTimeMillis() < end) {
            try (Stream<Path> files = Files.list(work.resolve("archive"))) {
                result = files.filter(p -> p.getFileName().toString().endsWith("issue-invoices.result.csv")).findFirst().orElse(null);
            } catch (java.nio.file.NoSuchFileException e) {
                // not archived yet
            }
            Thread.sleep(200);
        }
        assertNotNull(result, "the drop's result file within 90 s");
        Thread.sleep(400); // past the figures' max age

        HttpResponse<String> r = get("/observe/metrics");
        assertEquals(200, r.statusCode());
        String m = r.body();
        // three Issue lines went through the sandbox with RtnCode 1, the DelayIssue too; the bad line never was sent
        assertEquals(3, series(m, "ecpay_calls_total", "operation=\"B2CInvoice/Issue\",outcome=\"SUCCESS\",rtn_code=\"1\""));
        assertEquals(1, series(m, "ecpay_calls_total", "operation=\"B2CInvoice/DelayIssue\",outcome=\"SUCCESS\",rtn_code=\"1\""));
        assertEquals(3, series(m, "ecpay_call_duration_seconds_count", "operation=\"B2CInvoice/Issue\""));
        assertTrue(series(m, "ecpay_call_duration_seconds_sum", "operation=\"B2CInvoice/Issue\"") > 0);
        assertTrue(m.contains("ecpay_call_duration_seconds_bucket{operation=\"B2CInvoice/Issue\",le="), "a latency histogram");
        // gauges read from the journal: the same figures it holds
        Journal journal = app.camelContext().getRegistry().lookupByNameAndType("journal", Journal.class);
        assertEquals(3, series(m, "ecpay_commands", "operation=\"B2CInvoice/Issue\",state=\"SUCCEEDED\""));
        assertEquals(journal.countByState().get(tw.einvoice.journal.CommandState.SUCCEEDED).doubleValue(),
                sumOf(m, "ecpay_commands", "state=\"SUCCEEDED\""));
        assertEquals(0, series(m, "ecpay_commands", "operation=\"B2CInvoice/Issue\",state=\"NEW\""));
        assertEquals(5, series(m, "ecpay_intake_lines", "source=\"file\""));
        assertEquals(1, series(m, "ecpay_intake_rejects", "source=\"file\""));
        assertEquals(0, series(m, "ecpay_merchants_paused", ""));
        assertEquals(0, series(m, "ecpay_commands_oldest_due_age_seconds", ""));
        assertEquals(1, series(m, "ecpay_journal_up", ""));
        // and Camel's own series beside them
        assertTrue(m.contains("camel_exchanges_total{"), "Camel's series too");
    }

    static double sumOf(String metrics, String name, String label) {
        return metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    @Order(2)
    void adminNeedsTheLogin() throws Exception {
        HttpResponse<String> none = get("/admin/whoami");
        assertEquals(401, none.statusCode());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"), none.headers().toString());
        assertEquals(401, get("/admin/whoami", "Authorization", basic(USER, "wrong")).statusCode());
        assertEquals(401, get("/admin/whoami", "Authorization", basic("admin", PASSWORD)).statusCode());
        HttpResponse<String> ok = get("/admin/whoami", "Authorization", basic(USER, PASSWORD));
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(USER, JSON.readTree(ok.body()).path("user").asText());
        // metrics and health stay open (for scrapers and probes on loopback)
        assertEquals(200, get("/observe/health").statusCode());
    }

    static JsonNode check(JsonNode health, String id) {
        for (JsonNode c : health.path("checks")) {
            if (id.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no check " + id + " in " + health);
    }

    @Test
    @Order(3)
    void healthIsUpAndReadinessIncludesEcpayAndTheMerchants() throws Exception {
        HttpResponse<String> r = get("/observe/health");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode h = JSON.readTree(r.body());
        assertEquals("UP", h.path("status").asText(), r.body());
        assertEquals("UP", check(h, "journal").path("status").asText());
        HttpResponse<String> ready = get("/observe/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        JsonNode rd = JSON.readTree(ready.body());
        assertEquals("UP", check(rd, "reachable").path("status").asText(), ready.body());
        assertEquals("UP", check(rd, "merchants").path("status").asText(), ready.body());
        HttpResponse<String> live = get("/observe/health/live");
        assertEquals(200, live.statusCode(), live.body());
        assertFalse(live.body().contains("\"reachable\""), "ECPay's reachability is not a liveness matter: " + live.body());
    }

    @Test
    @Order(4)
    void readinessIsDownWhileEveryMerchantIsPaused() throws Exception {
        Journal journal = app.camelContext().getRegistry().lookupByNameAndType("journal", Journal.class);
        journal.pauseMerchant("2000132", LocalDateTime.now(java.time.ZoneOffset.UTC).plusHours(1), "HTTP 403 in a test");
        HttpResponse<String> ready = get("/observe/health/ready");
        assertEquals(503, ready.statusCode(), ready.body());
        JsonNode merchants = check(JSON.readTree(ready.body()), "merchants");
        assertEquals("DOWN", merchants.path("status").asText(), ready.body());
        assertTrue(ready.body().contains("every merchant is paused"), ready.body());
        assertEquals(200, get("/observe/health/live").statusCode(), "paused merchants do not make the process dead");
        Thread.sleep(400);
        assertEquals(1, series(get("/observe/metrics").body(), "ecpay_merchants_paused", ""));
    }

    @Test
    @Order(5)
    void healthIsDownWhenTheJournalIsUnreachable() throws Exception {
        var pool = app.camelContext().getRegistry().lookupByNameAndType("journalDataSource", com.zaxxer.hikari.HikariDataSource.class);
        pool.close(); // the journal's database gone, as far as this process can tell
        HttpResponse<String> r = get("/observe/health");
        assertEquals(503, r.statusCode(), r.body());
        JsonNode journal = check(JSON.readTree(r.body()), "journal");
        assertEquals("DOWN", journal.path("status").asText(), r.body());
        HttpResponse<String> live = get("/observe/health/live");
        assertFalse(live.body().contains("\"journal\""), "liveness is the process's own: " + live.body());
        assertEquals(200, live.statusCode(), "the process is alive: restarting it does not bring the database back");
        Thread.sleep(400);
        assertEquals(0, series(get("/observe/metrics").body(), "ecpay_journal_up", ""), "the metrics say so too");
    }
}
