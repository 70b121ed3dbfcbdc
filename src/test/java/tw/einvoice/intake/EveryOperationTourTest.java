package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.testing.TestDatabases;

/**
 * Every operation of the catalog, B2C and B2B, taken in by each intake (a drop folder, an SFTP server, the SQL inbox) and
 * sent by the shipped routes to the sandbox, which plays each one with state. The tour ({@code src/test/resources/tour/})
 * is a set of stages, each a drop whose lines need only what earlier stages did: tracks, checks and invoices first; then
 * allowances, voids, reissues, notices and prints; then the confirms, cancels and lookups of what those changed. A line of
 * a later stage names a number ECPay gave (an invoice, an allowance, a track) as {@code ${command-id.ReplyField}}; the
 * tour fills it in from the journal's record of that command's reply, as an ERP would from the success channel. Every
 * line must end SUCCEEDED, and the sandbox must have answered every catalogued operation.
 */
class EveryOperationTourTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String M = "2000132";
    static final Path TOUR = Paths.get("src/test/resources/tour");
    static final Pattern NUMBER_GIVEN = Pattern.compile("\\$\\{([A-Za-z0-9-]+)\\.(\\w+)}");
    static final Clock EXAMPLES_DAY = Clock.fixed(Instant.parse("2026-11-22T02:00:00Z"), ZoneOffset.UTC);

    @Test
    void throughADropFolder() throws Exception {
        Path root = fresh("file");
        try (HikariDataSource ds = TestDatabases.H2.fresh(2); EcpaySandbox sandbox = sandbox();
             Tour tour = new Tour(sandbox, ds, "file", "file:routes/intake-file.camel.yaml", Map.of(
                     "intake.file.inbox", root.resolve("inbox").toString(),
                     "intake.file.archive-dir", root.resolve("archive").toString(),
                     "intake.file.poll-ms", "100", "intake.file.read-lock-check-ms", "200", "intake.file.quiet-ms", "300"), root)) {
            tour.run((stage, lines) -> IntakeFixtures.drop(String.join("\n", lines).getBytes(StandardCharsets.UTF_8),
                    root.resolve("inbox"), stage));
        }
    }

    @Test
    void throughAnSftpServer() throws Exception {
        Path root = fresh("sftp");
        try (SftpServerFixture server = new SftpServerFixture(root.resolve("server"));
             HikariDataSource ds = TestDatabases.H2.fresh(2); EcpaySandbox sandbox = sandbox()) {
            Files.writeString(root.resolve("known_hosts"), server.knownHostsLine(false));
            try (Tour tour = new Tour(sandbox, ds, "sftp", "file:routes/intake-file.camel.yaml,file:routes/intake-sftp.camel.yaml", Map.of(
                    "intake.file.inbox", root.resolve("local-inbox").toString(),
                    "intake.sftp.enabled", "true", "intake.sftp.host", "127.0.0.1", "intake.sftp.port", Integer.toString(server.port()),
                    "intake.sftp.user", SftpServerFixture.USER, "intake.sftp.password", SftpServerFixture.PASSWORD,
                    "intake.sftp.known-hosts-file", root.resolve("known_hosts").toString(),
                    "intake.sftp.work-dir", root.resolve("download").toString(), "intake.sftp.local-dir", root.resolve("archive").toString(),
                    "intake.sftp.poll-ms", "200"), root)) {
                tour.run((stage, lines) -> IntakeFixtures.drop(String.join("\n", lines).getBytes(StandardCharsets.UTF_8),
                        server.root.resolve("inbox"), stage));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void throughTheSqlInbox(TestDatabases db) throws Exception {
        Path root = fresh("sql-" + db.name().toLowerCase());
        try (HikariDataSource ds = db.fresh(2); EcpaySandbox sandbox = sandbox();
             Tour tour = new Tour(sandbox, ds, "sql", "file:routes/intake-sql.camel.yaml", Map.of(
                     "intake.sql.inbox.poll-interval", "100"), root)) {
            tour.run((stage, lines) -> {
                try (Connection c = ds.getConnection();
                     PreparedStatement insert = c.prepareStatement("INSERT INTO ecpay_inbox (id, operation, payload) VALUES (?, ?, ?)")) {
                    for (String line : lines) {
                        JsonNode command = JSON.readTree(line);
                        insert.setString(1, command.get("id").asText());
                        insert.setString(2, command.get("operation").asText());
                        insert.setString(3, command.get("data").toString());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            });
        }
    }

    static Path fresh(String name) {
        Path root = Paths.get("target/tour", name);
        IntakeFixtures.deleteTree(root);
        return root;
    }

    static EcpaySandbox sandbox() {
        return EcpaySandbox.builder().port(0).clock(EXAMPLES_DAY).timestampWindow(Duration.ofDays(3650)).start();
    }

    interface Intake {
        void take(String stage, List<String> lines) throws IOException, SQLException;
    }

    /** The main job's routes (shipped files and settings, timers shortened) running the tour through one intake. */
    static final class Tour implements AutoCloseable {

        final EcpaySandbox sandbox;
        final HikariDataSource ds;
        final String sourceKind;
        final Main main = new Main();

        Tour(EcpaySandbox sandbox, HikariDataSource ds, String sourceKind, String intakeRoutes, Map<String, String> intake, Path root)
                throws Exception {
            this.sandbox = sandbox;
            this.ds = ds;
            this.sourceKind = sourceKind;
            Map<String, String> p = new LinkedHashMap<>();
            p.put("camel.main.name", "tour-" + sourceKind);
            p.put("camel.main.routes-include-pattern", "file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml,"
                    + "file:routes/dispatch.camel.yaml," + intakeRoutes);
            p.put("journal.url", ds.getJdbcUrl());
            p.put("journal.user", ds.getUsername());
            p.put("journal.password", "");
            p.put("ecpay.base-url", sandbox.baseUrl());
            p.put("ecpay.result-codes", "src/test/resources/dispatch/result-codes-fast.properties");
            p.put("ecpay.channel.success", "file:" + root.resolve("outbox/success") + "?tempPrefix=.writing-");
            p.put("ecpay.channel.dead-letter", "file:" + root.resolve("outbox/dead-letter") + "?tempPrefix=.writing-");
            p.put("intake.reject-channel", "file:" + root.resolve("rejects") + "?fileName=rejects.jsonl&fileExist=Append");
            p.put("intake.results.period-ms", "200");
            p.put("ecpay.dispatch.poll-interval", "50");
            p.put("ecpay.dispatch.initial-delay", "0");
            p.put("ecpay.dispatch.backoff-base", "20ms");
            p.put("ecpay.dispatch.backoff-cap", "200ms");
            p.put("ecpay.dispatch.unknown-delay", "50ms");
            p.putAll(intake);
            main.setPropertyPlaceholderLocations("file:config/application.properties");
            p.forEach(main::addOverrideProperty);
            main.start();
        }

        void run(Intake intake) throws Exception {
            List<Path> stages;
            try (Stream<Path> files = Files.list(TOUR)) {
                stages = files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
            }
            for (Path stage : stages) {
                List<String> lines = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                for (String line : Files.readAllLines(stage)) {
                    if (!line.isBlank()) {
                        lines.add(numbersGiven(line));
                        ids.add(JSON.readTree(line).get("id").asText());
                    }
                }
                intake.take(stage.getFileName().toString(), lines);
                awaitFinal(stage.getFileName().toString(), ids);
            }
            Map<String, Long> succeeded = new TreeMap<>();
            for (Map<String, Object> row : IntakeFixtures.query(ds, "SELECT operation, COUNT(*) AS n FROM ecpay_command "
                    + "WHERE state = 'SUCCEEDED' AND source_kind = ? GROUP BY operation", sourceKind)) {
                succeeded.put((String) row.get("operation"), ((Number) row.get("n")).longValue());
            }
            TreeSet<String> missing = new TreeSet<>();
            for (Operation op : OperationCatalog.standard().all()) {
                long answered = op.successCodes().stream().mapToLong(code -> sandbox.ledger().replies(op.name(), code)).sum();
                if (!succeeded.containsKey(op.name()) || answered == 0) {
                    missing.add(op.name());
                }
            }
            assertEquals(new TreeSet<>(), missing, "operations the tour did not carry through " + sourceKind + " to a success at the sandbox");
            assertEquals(0, IntakeFixtures.count(ds, "SELECT COUNT(*) FROM ecpay_command WHERE source_kind <> ?", sourceKind));
            // and each change left what it should at ECPay, done once
            var ledger = sandbox.ledger();
            for (String relate : List.of("TOURA001", "TOURB001", "TOURC001", "TOURD001", "TOURP001", "TOURT001")) {
                assertEquals(1, ledger.issuedCount(M, relate), relate + " issued once");
            }
            assertEquals("ISSUED", ledger.tsrState(M, "TSRTOURT001").orElseThrow());
            assertEquals("CANCELLED", ledger.tsrState(M, "TSRTOURX001").orElseThrow());
            assertEquals("STAGED", ledger.tsrState(M, "TSRTOURE001").orElseThrow());
            assertEquals(100L, ledger.remainingAllowance(M, ledger.invoice(M, "TOURA001").orElseThrow().invoiceNo()).orElseThrow(),
                    "the allowance was voided");
            assertEquals(1, ledger.reissues(M, ledger.invoice(M, "TOURD001").orElseThrow().invoiceNo()));
            assertEquals("CONFIRMED", ledger.b2bInvoice(M, "B2BTEX001").orElseThrow().state());
            assertEquals("REJECT_CONFIRMED", ledger.b2bInvoice(M, "B2BTEX002").orElseThrow().state());
            assertEquals("INVALID_CONFIRMED", ledger.b2bInvoice(M, "B2BTEX003").orElseThrow().state());
            assertEquals(630L, ledger.b2bInvoice(M, "B2BTCERT001").orElseThrow().totalAmount(), "reissued with the new amount");
        }

        /** Fills in each {@code ${id.Field}} with that field of the command's recorded reply. */
        String numbersGiven(String line) {
            Matcher m = NUMBER_GIVEN.matcher(line);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                List<Map<String, Object>> rows = IntakeFixtures.query(ds, "SELECT reply FROM ecpay_command WHERE id = ?", m.group(1));
                JsonNode value = null;
                try {
                    value = rows.isEmpty() || rows.get(0).get("reply") == null ? null : JSON.readTree((String) rows.get(0).get("reply")).get(m.group(2));
                } catch (IOException e) {
                    fail("the reply of " + m.group(1) + " is not JSON", e);
                }
                if (value == null || value.asText().isEmpty()) {
                    fail("the tour needs " + m.group(2) + " from the reply of " + m.group(1) + ", which has none: " + rows);
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value.asText()));
            }
            m.appendTail(out);
            return out.toString();
        }

        void awaitFinal(String stage, List<String> ids) throws InterruptedException {
            long end = System.currentTimeMillis() + 60_000;
            Map<String, String> states = new TreeMap<>();
            while (System.currentTimeMillis() < end) {
                states.clear();
                for (Map<String, Object> row : IntakeFixtures.query(ds, "SELECT id, state, last_rtn_code, last_reason FROM ecpay_command")) {
                    if (ids.contains((String) row.get("id"))) {
                        states.put((String) row.get("id"), row.get("state") + " " + row.get("last_rtn_code") + " " + row.get("last_reason"));
                    }
                }
                if (states.size() == ids.size() && states.values().stream().allMatch(s -> s.startsWith("SUCCEEDED") || s.startsWith("DEAD"))) {
                    break;
                }
                Thread.sleep(50);
            }
            List<String> notDone = new ArrayList<>();
            for (String id : ids) {
                String state = states.get(id);
                if (state == null || !state.startsWith("SUCCEEDED")) {
                    notDone.add(id + ": " + (state == null ? "not journaled" : state));
                }
            }
            assertEquals(List.of(), notDone, "stage " + stage + " through " + sourceKind);
        }

        @Override
        public void close() {
            main.stop();
        }
    }
}
