package tw.einvoice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.journal.CommandRow;
import tw.einvoice.journal.CommandState;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.JournalDatabase;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.FaultRule;
import tw.einvoice.sandbox.FaultRule.Kind;
import tw.einvoice.sandbox.SandboxInvoice;
import tw.einvoice.testing.MainJobProcess;
import tw.einvoice.testing.TestDatabases;

/**
 * The main job, in a JVM of its own, killed with SIGKILL twice in the middle of a batch and started again, on each
 * journal database, against the sandbox (in this JVM, so its ledger outlives the kills) with 5% of the calls answered
 * HTTP 503 and 5% done at ECPay and then dropped without a reply. Afterwards: every command final and SUCCEEDED, none
 * lost, none issued twice, each channel message and result line carrying the invoice number ECPay issued for its
 * RelateNumber, and no command id with both a success and a dead letter.
 * <p>
 * Sizes: {@code -Dcrash.commands=N} (default 1,000) and {@code -Dcrash.intake-lines=N} (default 30,000); bench/run.sh
 * runs 10,000 commands and 100,000 lines.
 */
class MainJobCrashTest {

    static final String M = "2000132";
    static final ObjectMapper JSON = new ObjectMapper();
    static final int N = Integer.getInteger("crash.commands", 1000);

    @TempDir
    Path work;

    static Stream<TestDatabases> databases() {
        return TestDatabases.all();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void twoKillsMidBatchLoseNothingAndIssueNothingTwice(TestDatabases db) throws Exception {
        String journalUrl;
        String user = db == TestDatabases.H2 ? "sa" : db == TestDatabases.POSTGRESQL ? "postgres" : "root";
        if (db == TestDatabases.H2) {
            journalUrl = "jdbc:h2:file:" + work.resolve("journal/ecpay").toAbsolutePath();
        } else {
            try (HikariDataSource fresh = db.fresh(2)) {
                journalUrl = fresh.getJdbcUrl();
            }
        }
        try (EcpaySandbox sandbox = EcpaySandbox.builder().port(0).trackSize(N * 3).start()) {
            sandbox.addFault(FaultRule.always("B2CInvoice/Issue", Kind.HTTP_503).withRate(0.05));
            sandbox.addFault(FaultRule.always("B2CInvoice/Issue", Kind.WORK_DONE_DROP).withRate(0.05));
            Map<String, String> settings = settings(sandbox.baseUrl(), journalUrl, user);
            String prefix = "K" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
            Path inbox = work.resolve("inbox");
            Files.createDirectories(inbox);
            drop(inbox, "orders.jsonl", orders(prefix));

            long t0 = System.nanoTime();
            for (int run = 1; run <= 2; run++) {
                int threshold = N * run / 3;
                try (MainJobProcess job = MainJobProcess.start(work.resolve("logs"), "run" + run, settings)) {
                    await("run " + run + ": " + threshold + " invoices issued", 180, job,
                            () -> sandbox.ledger().totalIssued(M) >= threshold);
                    job.kill();
                }
                System.out.printf("CRASH %s: kill -9 #%d after %d invoices issued%n", db, run, sandbox.ledger().totalIssued(M));
            }
            sandbox.clearFaults(); // the faults have done their part; the last run finishes on a healthy ECPay
            try (MainJobProcess job = MainJobProcess.start(work.resolve("logs"), "run3", settings)) {
                await("every command on a channel and the result file written", 240, job,
                        () -> resultFile() != null);
                int exit = job.stop(60);
                assertTrue(exit == 0 || exit == 143, "a plain stop ends the JVM as SIGTERM does, not with an error: " + exit);
                String log = job.output();
                assertFalse(log.contains("Database is already closed"), "the journal closed after the routes drained");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;

            Map<String, String> issuedByRelate = new HashMap<>();
            for (SandboxInvoice inv : sandbox.ledger().invoices(M)) {
                assertEquals(null, issuedByRelate.put(inv.relateNumber(), inv.invoiceNo()), "issued twice: " + inv.relateNumber());
            }
            for (int i = 0; i < N; i++) {
                assertEquals(1, sandbox.ledger().issuedCount(M, prefix + i), "issued exactly once: " + prefix + i);
            }

            int adopted = 0;
            try (HikariDataSource ds = JournalDatabase.open(journalUrl, user, "", 2)) {
                Journal journal = new Journal(ds, Clock.systemUTC());
                assertEquals(Map.of(CommandState.SUCCEEDED, N), journal.countByState(), "every command SUCCEEDED, none lost");
                for (int i = 0; i < N; i++) {
                    CommandRow row = journal.find(prefix + i);
                    assertEquals(issuedByRelate.get(prefix + i), JSON.readTree(row.reply()).path("InvoiceNo").asText(),
                            "journal " + row.id() + " " + row.reason());
                    adopted += row.evidence().startsWith("LOOKUP") ? 1 : 0;
                    // every attempt that reached ECPay was on record when it was reconciled: the journal forgot nothing
                    assertFalse("LOOKUP_WITHOUT_RECORD".equals(row.evidence()), "journal lost the attempt of " + row.id());
                }
            }

            Map<String, String> success = channel(work.resolve("outbox/success"));
            Map<String, String> dead = channel(work.resolve("outbox/dead-letter"));
            assertEquals(N, success.size(), "one success message per command");
            Set<String> both = new HashSet<>(success.keySet());
            both.retainAll(dead.keySet());
            assertEquals(Set.of(), both, "no command id with both a success and a dead letter");
            for (int i = 0; i < N; i++) {
                assertEquals(issuedByRelate.get(prefix + i), success.get(prefix + i), "channel message of " + prefix + i);
            }

            List<String> results = Files.readAllLines(resultFile(), StandardCharsets.UTF_8);
            assertEquals(N, results.size(), "one result line per input line");
            for (String line : results) {
                JsonNode r = JSON.readTree(line);
                String id = r.path("id").asText();
                assertEquals("SUCCEEDED", r.path("state").asText(), line);
                assertEquals(issuedByRelate.get(id), r.path("InvoiceNo").asText(r.path("reply").path("InvoiceNo").asText()), line);
            }
            System.out.printf("CRASH %s: %d commands, 2 x kill -9, %d adopted by lookup, %d x 503, %d x done-then-dropped, "
                            + "%.1f s in all: 0 lost, 0 issued twice, 0 contradicting messages%n", db, N, adopted,
                    sandbox.ledger().faults(Kind.HTTP_503), sandbox.ledger().faults(Kind.WORK_DONE_DROP), seconds);
        }
    }

    @org.junit.jupiter.api.Test
    void aPlainStopWithCallsInFlightRecordsEveryAnswerBeforeTheJournalCloses() throws Exception {
        int n = 400; // 50 s of calls at 8 x 1 s: the stop comes mid-batch even on a busy machine
        String journalUrl = "jdbc:h2:file:" + work.resolve("journal/ecpay").toAbsolutePath();
        try (EcpaySandbox sandbox = EcpaySandbox.builder().port(0).start()) {
            // slow answers: when SIGTERM comes, calls are in flight and claimed commands are still queued
            sandbox.addFault(FaultRule.always("B2CInvoice/Issue", Kind.LATENCY).withLatencyMs(1000));
            String prefix = "T" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
            Files.createDirectories(work.resolve("inbox"));
            drop(work.resolve("inbox"), "orders.jsonl", orders(prefix).lines().limit(n).map(l -> l + "\n")
                    .collect(java.util.stream.Collectors.joining()));
            try (MainJobProcess job = MainJobProcess.start(work.resolve("logs"), "term", settings(sandbox.baseUrl(), journalUrl, "sa"))) {
                await("calls under way", 120, job, () -> sandbox.ledger().totalIssued(M) >= 16);
                int exit = job.stop(60);
                assertTrue(exit == 0 || exit == 143, "stopped by SIGTERM: " + exit);
                assertFalse(job.output().contains("Database is already closed"), tail(job.output()));
            }
            long issued = sandbox.ledger().totalIssued(M);
            try (HikariDataSource ds = JournalDatabase.open(journalUrl, "sa", "", 2)) {
                Journal journal = new Journal(ds, Clock.systemUTC());
                Map<CommandState, Integer> states = journal.countByState();
                System.out.printf("CRASH SIGTERM: %d issued before the stop finished; journal %s%n", issued, states);
                assertEquals(0, states.getOrDefault(CommandState.IN_FLIGHT, 0), "no claim left open: " + states);
                assertEquals(0, states.getOrDefault(CommandState.UNKNOWN, 0), "every answer recorded: " + states);
                assertEquals(issued, (long) states.getOrDefault(CommandState.SUCCEEDED, 0), "each issued invoice is SUCCEEDED");
                assertTrue(issued < n, "the stop came mid-batch");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aKillDuringIntakeOfALargeDropJournalsEveryLineOnceAfterTheRestart() throws Exception {
        int n = Integer.getInteger("crash.intake-lines", 30_000);
        String journalUrl = "jdbc:h2:file:" + work.resolve("journal/ecpay").toAbsolutePath();
        String prefix = "I" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Files.createDirectories(work.resolve("inbox"));
        try (java.io.Writer w = Files.newBufferedWriter(work.resolve("inbox/big.jsonl.part"), StandardCharsets.UTF_8)) {
            for (int i = 0; i < n; i++) {
                w.write("{\"operation\":\"B2CInvoice/Issue\",\"data\":{\"RelateNumber\":\"" + prefix + i + "\",\"CustomerEmail\":"
                        + "\"b@example.com\",\"Print\":\"0\",\"Donation\":\"0\",\"TaxType\":\"1\",\"SalesAmount\":50,\"InvType\":\"07\","
                        + "\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"pen\",\"ItemCount\":1,\"ItemWord\":\"pc\",\"ItemPrice\":50,"
                        + "\"ItemTaxType\":\"1\",\"ItemAmount\":50}]}}\n");
            }
        }
        Files.move(work.resolve("inbox/big.jsonl.part"), work.resolve("inbox/big.jsonl"));
        Map<String, String> settings = settings("http://127.0.0.1:9", journalUrl, "sa");
        settings.put("ecpay.dispatch.enabled", "false"); // intake alone: nothing is sent
        settings.put("intake.progress-seconds", "1");
        try (MainJobProcess job = MainJobProcess.start(work.resolve("logs"), "intake1", settings)) {
            await("intake under way", 120, job, () -> read(job).contains("lines so far"));
            job.kill();
        }
        int before = count(journalUrl, "SELECT COUNT(*) FROM ecpay_command");
        System.out.printf("CRASH intake: kill -9 after %d of %d lines journaled%n", before, n);
        assertTrue(before > 0 && before < n, "killed mid-file: " + before);
        assertTrue(Files.exists(work.resolve("inbox/big.jsonl")), "the drop stays in the inbox until it is taken in full");

        try (MainJobProcess job = MainJobProcess.start(work.resolve("logs"), "intake2", settings)) {
            await("the drop taken again, to its end", 300, job, () -> read(job).contains("done: " + n + " lines"));
            job.stop(60);
        }
        assertEquals(n, count(journalUrl, "SELECT COUNT(*) FROM ecpay_command"), "every line journaled");
        // the result file waits for final states; dispatch is not what this test is about, so the commands are ended
        // here as the dispatcher would end them, and the next start writes the result file
        count(journalUrl, "UPDATE ecpay_command SET state = 'SUCCEEDED', last_outcome = 'SUCCESS', evidence = 'REPLY'");
        try (MainJobProcess job = MainJobProcess.start(work.resolve("logs"), "intake3", settings)) {
            await("the result file", 120, job, () -> resultFile("big.result.jsonl") != null);
            job.stop(60);
        }
        assertEquals(n, count(journalUrl, "SELECT COUNT(*) FROM ecpay_command"), "every line journaled");
        assertEquals(n, count(journalUrl, "SELECT COUNT(DISTINCT source_ref) FROM ecpay_command"), "each line once");
        List<String> results = Files.readAllLines(resultFile("big.result.jsonl"), StandardCharsets.UTF_8);
        assertEquals(n, results.size(), "the result file has every line");
        Set<Integer> lines = new HashSet<>();
        for (String r : results) {
            JsonNode node = JSON.readTree(r);
            assertEquals("SUCCEEDED", node.path("state").asText(), r);
            lines.add(node.path("line").asInt());
        }
        assertEquals(n, lines.size(), "each line reported once");
    }

    static String read(MainJobProcess job) {
        try {
            return job.output();
        } catch (IOException e) {
            return "";
        }
    }

    /** A query's single number, or an update's row count, on the H2 file journal (only while no job holds it open). */
    static int count(String url, String sql) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(JournalDatabase.durable(url), "sa", "");
             java.sql.Statement s = c.createStatement()) {
            if (sql.startsWith("SELECT")) {
                try (java.sql.ResultSet rs = s.executeQuery(sql)) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
            return s.executeUpdate(sql);
        }
    }

    /** The shipped configuration with this test's folders, the sandbox, and times shortened to keep it quick. */
    Map<String, String> settings(String ecpay, String journalUrl, String user) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("sandbox.enabled", "false");
        s.put("ecpay.base-url", ecpay);
        s.put("journal.url", journalUrl);
        s.put("journal.user", user);
        s.put("journal.password", "");
        s.put("intake.sql.inbox.enabled", "false");
        s.put("intake.file.inbox", work.resolve("inbox").toString());
        s.put("intake.file.archive-dir", work.resolve("archive").toString());
        s.put("ecpay.channel.success", "file:" + work.resolve("outbox/success") + "?tempPrefix=.writing-");
        s.put("ecpay.channel.dead-letter", "file:" + work.resolve("outbox/dead-letter") + "?tempPrefix=.writing-");
        s.put("ecpay.result-codes", "src/test/resources/dispatch/result-codes-fast.properties");
        s.put("intake.file.poll-ms", "200");
        s.put("intake.file.read-lock-check-ms", "200");
        s.put("intake.results.period-ms", "300");
        s.put("ecpay.dispatch.poll-interval", "50");
        s.put("ecpay.dispatch.initial-delay", "0");
        s.put("ecpay.dispatch.lease", "PT6S");
        s.put("ecpay.dispatch.backoff-base", "20ms");
        s.put("ecpay.dispatch.backoff-cap", "200ms");
        s.put("ecpay.dispatch.unknown-delay", "100ms");
        s.put("ecpay.dispatch.max-attempts", "30");
        s.put("ecpay.channel.redeliver-after", "PT2S");
        s.put("ecpay.channel.redeliver-poll-ms", "500");
        s.put("camel.component.http.so-timeout", "2000");
        s.put("camel.component.http.response-timeout", "2000");
        s.put("camel.main.shutdown-timeout", "20");
        return s;
    }

    /** The drop's result file: the archived drop's name (time-stamped) with .result.jsonl; null until written. */
    Path resultFile() {
        return resultFile("orders.result.jsonl");
    }

    Path resultFile(String suffix) {
        try (Stream<Path> files = Files.list(work.resolve("archive"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    static String orders(String prefix) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < N; i++) {
            b.append("{\"id\":\"").append(prefix).append(i).append("\",\"operation\":\"B2CInvoice/Issue\",\"data\":{\"RelateNumber\":\"")
                    .append(prefix).append(i).append("\",\"CustomerEmail\":\"buyer@example.com\",\"Print\":\"0\",\"Donation\":\"0\",")
                    .append("\"TaxType\":\"1\",\"SalesAmount\":").append(100 + i % 7).append(",\"InvType\":\"07\",\"Items\":[{\"ItemSeq\":1,")
                    .append("\"ItemName\":\"茶\",\"ItemCount\":1,\"ItemWord\":\"包\",\"ItemPrice\":").append(100 + i % 7)
                    .append(",\"ItemTaxType\":\"1\",\"ItemAmount\":").append(100 + i % 7).append("}]}}\n");
        }
        return b.toString();
    }

    /** id -> InvoiceNo of every channel message in a folder (the last one written per id). */
    static Map<String, String> channel(Path dir) throws IOException {
        Map<String, String> out = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")
                    && !p.getFileName().toString().startsWith(".")).toList()) {
                JsonNode m = JSON.readTree(f.toFile());
                out.put(m.path("id").asText(), m.path("reply").path("InvoiceNo").asText());
            }
        }
        return out;
    }

    static void drop(Path folder, String name, String content) throws IOException {
        Path part = folder.resolve(name + ".part");
        Files.writeString(part, content);
        Files.move(part, folder.resolve(name));
    }

    static void await(String what, int seconds, MainJobProcess job, BooleanSupplier done) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!done.getAsBoolean()) {
            if (!job.isAlive()) {
                fail("the main job ended while waiting for: " + what + "\n" + tail(job.output()));
            }
            if (System.nanoTime() > end) {
                fail("timed out waiting for: " + what + "\n" + tail(job.output()));
            }
            Thread.sleep(20);
        }
    }

    static String tail(String log) {
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }
}
