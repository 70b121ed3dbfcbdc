package tw.einvoice.app;

import com.zaxxer.hikari.HikariDataSource;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.testing.MainJobProcess;
import tw.einvoice.testing.TestDatabases;

/**
 * What a durable journal costs, measured through the main job (its own JVM, the shipped routes): intake lines/s of a
 * JSON Lines drop with dispatch off, then commands/s of dispatching them to the local sandbox, on the embedded H2
 * journal as shipped (WRITE_DELAY=0: every commit written before it returns), on H2 with its own default
 * (WRITE_DELAY=500: loses the last commits on a kill), and on PostgreSQL and MariaDB, in one run.
 * Runs with {@code -Dbench=true} (bench/run.sh); sizes {@code -Dbench.lines} (50,000) and {@code -Dbench.commands} (3,000).
 */
class JournalDurabilityCostBench {

    @TempDir
    Path work;

    @Test
    void durableCommitsCost() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("bench"), "a benchmark: -Dbench=true");
        int lines = Integer.getInteger("bench.lines", 50_000);
        int commands = Integer.getInteger("bench.commands", 3_000);
        String h2 = "jdbc:h2:file:" + work.toAbsolutePath() + "/";
        Map<String, String[]> journals = new java.util.LinkedHashMap<>();
        journals.put("H2 durable (shipped)", new String[] {h2 + "durable/ecpay", "sa"});
        journals.put("H2 WRITE_DELAY=500", new String[] {h2 + "delayed/ecpay;WRITE_DELAY=500", "sa"});
        for (TestDatabases db : new TestDatabases[] {TestDatabases.POSTGRESQL, TestDatabases.MARIADB}) {
            try (HikariDataSource fresh = db.fresh(2)) {
                journals.put(db.name(), new String[] {fresh.getJdbcUrl(), db == TestDatabases.POSTGRESQL ? "postgres" : "root"});
            }
        }
        try (EcpaySandbox sandbox = EcpaySandbox.builder().port(0).trackSize(commands * 8).start()) {
            for (Map.Entry<String, String[]> j : journals.entrySet()) {
                Path dir = work.resolve(UUID.randomUUID().toString().substring(0, 8));
                double intake = intake(dir, j.getValue(), lines);
                double dispatch = dispatch(dir, j.getValue(), sandbox, commands);
                System.out.printf("DURABILITY %-22s intake %,8.0f lines/s   dispatch %,6.0f commands/s%n", j.getKey(), intake, dispatch);
            }
        }
    }

    private double intake(Path dir, String[] journal, int n) throws Exception {
        Map<String, String> s = settings(dir, journal, "http://127.0.0.1:9");
        s.put("ecpay.dispatch.enabled", "false");
        write(dir.resolve("inbox"), "intake", n);
        try (MainJobProcess job = MainJobProcess.start(dir.resolve("logs"), "intake", s)) {
            String done = awaitLine(job, Pattern.compile("done: " + n + " lines.*\\((\\d+) lines/s\\)"), 600);
            return Double.parseDouble(done);
        }
    }

    private double dispatch(Path dir, String[] journal, EcpaySandbox sandbox, int n) throws Exception {
        Map<String, String> s = settings(dir, journal, sandbox.baseUrl());
        long before = sandbox.ledger().totalIssued("2000132");
        write(dir.resolve("inbox2"), "dispatch", n);
        s.put("intake.file.inbox", dir.resolve("inbox2").toString());
        s.put("ecpay.dispatch.enabled", "false");
        // journal them first, then time the dispatcher alone
        try (MainJobProcess job = MainJobProcess.start(dir.resolve("logs"), "load", s)) {
            awaitLine(job, Pattern.compile("done: " + n + " lines()"), 600);
            job.stop(60);
        }
        s.put("ecpay.dispatch.enabled", "true");
        try (MainJobProcess job = MainJobProcess.start(dir.resolve("logs"), "dispatch", s)) {
            while (sandbox.ledger().totalIssued("2000132") == before) {
                Thread.sleep(5);
            }
            long t0 = System.nanoTime();
            while (sandbox.ledger().totalIssued("2000132") < before + n) {
                if (!job.isAlive()) {
                    throw new AssertionError(job.output());
                }
                Thread.sleep(5);
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static Map<String, String> settings(Path dir, String[] journal, String ecpay) {
        Map<String, String> s = new java.util.LinkedHashMap<>();
        s.put("sandbox.enabled", "false");
        s.put("ecpay.base-url", ecpay);
        s.put("journal.url", journal[0]);
        s.put("journal.user", journal[1]);
        s.put("journal.password", "");
        s.put("intake.sql.inbox.enabled", "false");
        s.put("intake.file.inbox", dir.resolve("inbox").toString());
        s.put("intake.file.archive-dir", dir.resolve("archive").toString());
        s.put("intake.file.poll-ms", "200");
        s.put("intake.file.read-lock-check-ms", "200");
        s.put("ecpay.channel.success", "file:" + dir.resolve("outbox/success") + "?tempPrefix=.writing-");
        s.put("ecpay.channel.dead-letter", "file:" + dir.resolve("outbox/dead-letter") + "?tempPrefix=.writing-");
        s.put("ecpay.dispatch.poll-interval", "50");
        s.put("ecpay.dispatch.initial-delay", "0");
        return s;
    }

    private static void write(Path inbox, String prefix, int n) throws Exception {
        Files.createDirectories(inbox);
        String tag = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 6);
        Path part = inbox.resolve(tag + ".jsonl.part");
        try (Writer w = Files.newBufferedWriter(part, StandardCharsets.UTF_8)) {
            for (int i = 0; i < n; i++) {
                w.write("{\"operation\":\"B2CInvoice/Issue\",\"data\":{\"RelateNumber\":\"" + tag + i + "\",\"CustomerEmail\":"
                        + "\"b@example.com\",\"Print\":\"0\",\"Donation\":\"0\",\"TaxType\":\"1\",\"SalesAmount\":50,\"InvType\":\"07\","
                        + "\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"pen\",\"ItemCount\":1,\"ItemWord\":\"pc\",\"ItemPrice\":50,"
                        + "\"ItemTaxType\":\"1\",\"ItemAmount\":50}]}}\n");
            }
        }
        Files.move(part, inbox.resolve(tag + ".jsonl"));
    }

    private static String awaitLine(MainJobProcess job, Pattern line, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            Matcher m = line.matcher(job.output());
            if (m.find()) {
                return m.group(1);
            }
            if (!job.isAlive()) {
                throw new AssertionError("the main job ended: " + job.output());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + line);
    }
}
