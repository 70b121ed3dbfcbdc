package tw.einvoice.journal;

import tw.einvoice.dispatch.RetryPolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.Evidence;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.protocol.Verdict;
import tw.einvoice.testing.MutableClock;
import tw.einvoice.testing.TestDatabases;

/** The attempt audit and the re-drive's selection and bookkeeping, on H2, PostgreSQL and MariaDB. */
class JournalAuditTest {

    private static final Instant T0 = Instant.parse("2026-03-01T02:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(2);

    static Command issue(String id, String relate) {
        return Command.parse("{\"id\":\"" + id + "\",\"operation\":\"B2CInvoice/Issue\",\"merchantId\":\"2000132\",\"data\":"
                + "{\"RelateNumber\":\"" + relate + "\",\"CustomerEmail\":\"a@example.com\",\"Print\":\"0\",\"Donation\":\"0\","
                + "\"TaxType\":\"1\",\"SalesAmount\":100,\"InvType\":\"07\",\"vat\":\"1\",\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"x\","
                + "\"ItemCount\":1,\"ItemWord\":\"pc\",\"ItemPrice\":100,\"ItemTaxType\":\"1\",\"ItemAmount\":100}]}}",
                OperationCatalog.standard(), "2000132");
    }

    static Command allowance(String id) {
        return Command.parse("{\"id\":\"" + id + "\",\"operation\":\"B2CInvoice/Allowance\",\"data\":{\"InvoiceNo\":\"AB12345000\","
                + "\"InvoiceDate\":\"2026-11-22\",\"AllowanceNotify\":\"N\",\"AllowanceAmount\":50,\"Items\":[{\"ItemSeq\":1,"
                + "\"ItemName\":\"x\",\"ItemCount\":1,\"ItemWord\":\"pc\",\"ItemPrice\":50,\"ItemTaxType\":\"1\",\"ItemAmount\":50}]}}",
                OperationCatalog.standard(), "2000132");
    }

    /** Claims the one due command {@code id} and ends the attempt with {@code done}. */
    static Claim attempt(Journal journal, String id, Completion done, AttemptAudit audit) {
        List<Claim> due = journal.claimDue("node-1", 100, LEASE);
        due.stream().filter(c -> !c.id().equals(id)).forEach(journal::release); // the others stay as they were
        Claim claim = due.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
        assertTrue(journal.complete(claim, done, audit));
        return claim;
    }

    static Completion dead(Integer transCode, Integer rtnCode, String reason, boolean maybeSent) {
        return new Completion(CommandState.DEAD, null, maybeSent, reason, 500, transCode, rtnCode, null, null, Verdict.DEAD, null);
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void eachAttemptIsAuditedWithItsCompletionAndALostClaimToo(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(4)) {
            MutableClock clock = new MutableClock(T0);
            Journal journal = new Journal(ds, clock);
            journal.insert(issue("a-1", "R1"), Source.file("20260301-orders.jsonl", 1));
            String hash = "ab".repeat(32);
            attempt(journal, "a-1", new Completion(CommandState.RETRY, Journal.utc(T0), true, "HTTP 503", 503, null, null, null, null,
                    Verdict.RETRY, null), new AttemptAudit("node-1", Journal.utc(T0), 42, hash, null));
            clock.advance(Duration.ofSeconds(5));
            attempt(journal, "a-1", new Completion(CommandState.SUCCEEDED, null, true, "adopted", 200, 1, 1, "ok",
                    "{\"InvoiceNo\":\"AB00000001\"}", Verdict.ALREADY_DONE, Evidence.LOOKUP),
                    new AttemptAudit("node-1", Journal.utc(T0.plusSeconds(4)), 1000, hash, "B2CInvoice/GetIssue"));

            List<AttemptRow> rows = journal.attempts("a-1");
            assertEquals(2, rows.size(), rows.toString());
            AttemptRow first = rows.get(0);
            assertEquals(1, first.attempt());
            assertEquals("ATTEMPT", first.kind());
            assertEquals("node-1", first.instanceId());
            assertEquals(503, first.httpStatus());
            assertEquals("RETRY", first.outcome());
            assertEquals("RETRY", first.stateAfter());
            assertEquals(42L, first.durationMs());
            assertEquals(hash, first.dataSha256());
            AttemptRow second = rows.get(1);
            assertEquals(2, second.attempt());
            assertEquals(Journal.utc(T0.plusSeconds(4)), second.startedAt());
            assertEquals(Journal.utc(T0.plusSeconds(5)), second.endedAt());
            assertEquals(1, second.rtnCode());
            assertEquals("SUCCEEDED", second.stateAfter());
            assertEquals("LOOKUP", second.evidence());
            assertEquals("B2CInvoice/GetIssue", second.lookupOperation());

            // a claim taken over by another instance: the journal's state stands, the attempt is still on record
            journal.insert(issue("a-2", "R2"), null);
            Claim claim = journal.claimDue("node-1", 10, LEASE).get(0);
            clock.advance(LEASE.plusSeconds(1));
            journal.expireClaims(Duration.ZERO);
            assertFalse(journal.complete(claim, dead(110, null, "HashKey/HashIV wrong", false),
                    new AttemptAudit("node-1", Journal.utc(T0), 7, hash, null)));
            assertEquals(CommandState.UNKNOWN, journal.find("a-2").state());
            AttemptRow lost = journal.attempts("a-2").get(0);
            assertEquals("LOST", lost.stateAfter());
            assertTrue(lost.reason().startsWith("claim lost before the outcome was recorded: HashKey"), lost.reason());

            // the history view joins each attempt to its command
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT command_id, attempt, operation, source_name, command_state, lookup_operation "
                         + "FROM ecpay_attempt_history WHERE command_id = 'a-1' ORDER BY id")) {
                assertTrue(rs.next());
                assertEquals("B2CInvoice/Issue", rs.getString(3));
                assertEquals("20260301-orders.jsonl", rs.getString(4));
                assertEquals("SUCCEEDED", rs.getString(5));
                assertTrue(rs.next());
                assertEquals("B2CInvoice/GetIssue", rs.getString(6));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void redriveSelectsDeadCommandsByCodeSourceAndTimeAndADryRunChangesNothing(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(4)) {
            MutableClock clock = new MutableClock(T0);
            Journal journal = new Journal(ds, clock);
            Redrive redrive = new Redrive(journal);
            // k-1, k-2 die of TransCode 110 at T0; t-1 of RtnCode 1100040 an hour later; f-1 of 1100040 from another file
            journal.insert(issue("k-1", "K1"), Source.file("20260301T020000-morning.jsonl", 1));
            journal.insert(issue("k-2", "K2"), Source.file("20260301T020000-morning.jsonl", 2));
            for (String id : List.of("k-1", "k-2")) {
                attempt(journal, id, dead(110, null, "TransCode 110: HashKey/HashIV wrong", false),
                        new AttemptAudit("node-1", Journal.utc(T0), 3, null, null));
            }
            clock.advance(Duration.ofHours(1));
            journal.insert(issue("t-1", "T1"), Source.file("20260301T030000-noon.jsonl", 1));
            journal.insert(issue("f-1", "F1"), Source.file("20260301T030000-evening.csv", 1));
            journal.insert(issue("ok-1", "O1"), Source.file("20260301T030000-noon.jsonl", 2));
            for (String id : List.of("t-1", "f-1")) {
                attempt(journal, id, dead(1, 1100040, "RtnCode 1100040: no track numbers", false),
                        new AttemptAudit("node-1", Journal.utc(clock.instant()), 3, null, null));
            }
            clock.advance(Duration.ofMinutes(1));

            Map<String, String> before = snapshot(ds);
            Redrive.Result dry = redrive.run(sel(s -> s.transCodes = List.of(110)), "ops", "test", true);
            assertTrue(dry.dryRun());
            assertNull(dry.id());
            assertEquals(List.of("k-1", "k-2"), dry.items().stream().map(Redrive.Item::id).toList());
            assertTrue(dry.items().stream().allMatch(i -> i.route() == Redrive.Route.RESEND));
            assertEquals(before, snapshot(ds), "a dry run writes nothing");

            assertEquals(List.of("t-1"), ids(redrive.run(sel(s -> s.source = "noon.jsonl"), "ops", "test", true)));
            assertEquals(List.of("f-1"), ids(redrive.run(sel(s -> s.source = "20260301T030000-evening.csv"), "ops", "test", true)));
            assertEquals(List.of("f-1", "t-1"), ids(redrive.run(sel(s -> s.rtnCodes = List.of(1100040)), "ops", "test", true)));
            assertEquals(List.of("f-1", "t-1"), ids(redrive.run(sel(s -> s.from = T0.plusSeconds(1800)), "ops", "test", true)));
            assertEquals(List.of("k-1", "k-2"), ids(redrive.run(sel(s -> s.to = T0.plusSeconds(1800)), "ops", "test", true)));
            assertEquals(List.of("k-2"), ids(redrive.run(sel(s -> {
                s.ids = List.of("k-2", "t-1");
                s.reason = "HashKey";
            }), "ops", "test", true)));
            assertEquals(List.of(), ids(redrive.run(sel(s -> s.ids = List.of("ok-1")), "ops", "test", true)), "only DEAD commands");
            assertEquals(List.of(), ids(redrive.run(sel(s -> s.reason = "100%_"), "ops", "test", true)), "LIKE characters are text");
            assertThrows(IllegalArgumentException.class, () -> sel(s -> { }), "no criterion and not all");
            assertEquals(before, snapshot(ds), "dry runs write nothing");

            Redrive.Result done = redrive.run(sel(s -> s.transCodes = List.of(110)), "ops-alice", "test", false);
            assertTrue(done.id().startsWith("rd-"), done.id());
            assertEquals(2, done.count(Redrive.Route.RESEND));
            CommandRow k1 = journal.find("k-1");
            assertEquals(CommandState.RETRY, k1.state());
            assertEquals(1, k1.attempts(), "attempt numbers keep growing");
            assertNull(k1.channelDeliveredAt());
            assertTrue(k1.reason().startsWith("re-driven by ops-alice (" + done.id() + ", RESEND)"), k1.reason());
            AttemptRow event = journal.attempts("k-1").get(1);
            assertEquals("REDRIVE", event.kind());
            assertEquals("ops-alice", event.instanceId());
            assertEquals(done.id(), event.redriveId());
            assertEquals(110, event.transCode());
            assertEquals("RETRY", event.stateAfter());
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT requested_by, via, selection, matched, resent, reconciled, skipped, requested_at "
                         + "FROM ecpay_redrive")) {
                assertTrue(rs.next());
                assertEquals("ops-alice", rs.getString(1));
                assertEquals("test", rs.getString(2));
                assertEquals("{\"transCodes\":[110],\"limit\":10000}", rs.getString(3));
                assertEquals(List.of(2, 2, 0, 0), List.of(rs.getInt(4), rs.getInt(5), rs.getInt(6), rs.getInt(7)));
                assertEquals(Journal.utc(clock.instant()), rs.getObject(8, LocalDateTime.class));
                assertFalse(rs.next());
            }
            assertEquals(0, redrive.run(sel(s -> s.transCodes = List.of(110)), "ops", "test", false).items().size(),
                    "a re-driven command is no longer dead");

            // a fresh attempt budget: with max 1 attempt, the re-driven command still gets one more
            Claim again = journal.claimDue("node-2", 10, LEASE).stream().filter(c -> c.id().equals("k-1")).findFirst().orElseThrow();
            assertEquals(2, again.attempt());
            assertEquals(1, again.attemptsCounted());
            RetryPolicy one = new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
            assertTrue(one.decide(again, Verdict.RETRY, "x", Duration.ZERO, Journal.utc(clock.instant()), () -> 0).state()
                    == CommandState.DEAD);
            RetryPolicy two = new RetryPolicy(2, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
            assertEquals(CommandState.RETRY,
                    two.decide(again, Verdict.RETRY, "x", Duration.ZERO, Journal.utc(clock.instant()), () -> 0).state());
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void aDeadCommandThatMayHaveReachedEcpayIsOnlyReconciledAndAnAllowanceIsLeftAlone(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(4)) {
            MutableClock clock = new MutableClock(T0);
            Journal journal = new Journal(ds, clock);
            journal.insert(issue("m-1", "M1"), null);
            journal.insert(allowance("al-1"), null);
            for (String id : List.of("m-1", "al-1")) {
                attempt(journal, id, dead(110, null, "gave up after 10 attempts; an attempt may have been done at ECPay", true),
                        new AttemptAudit("node-1", Journal.utc(T0), 3, null, null));
            }
            clock.advance(Duration.ofSeconds(1));
            Redrive.Result r = new Redrive(journal).run(sel(s -> s.all = true), "ops", "test", false);
            Map<String, Redrive.Route> routes = new TreeMap<>();
            r.items().forEach(i -> routes.put(i.id(), i.route()));
            assertEquals(Map.of("m-1", Redrive.Route.RECONCILE, "al-1", Redrive.Route.SKIP), routes);
            CommandRow m1 = journal.find("m-1");
            assertEquals(CommandState.UNKNOWN, m1.state());
            assertTrue(m1.maybeSent(), "reconciled: the dispatcher treats a duplicate-key answer as the cue to look up");
            assertEquals(CommandState.DEAD, journal.find("al-1").state());
            assertTrue(r.items().stream().filter(i -> i.id().equals("al-1")).findFirst().orElseThrow().why().contains("not sent again by itself"),
                    r.items().toString());
            Claim claim = journal.claimDue("node-1", 10, LEASE).get(0);
            assertTrue(claim.maybeSentBefore());
            assertEquals(CommandState.UNKNOWN, claim.previousState());
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void auditRowsOlderThanTheRetentionAreDeletedInBatches(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(4)) {
            MutableClock clock = new MutableClock(T0);
            Journal journal = new Journal(ds, clock);
            for (int i = 0; i < 7; i++) {
                journal.insert(issue("p-" + i, "P" + i), null);
                attempt(journal, "p-" + i, dead(110, null, "wrong key", false), new AttemptAudit("n", Journal.utc(T0), 1, null, null));
            }
            new Redrive(journal).run(sel(s -> s.ids = List.of("p-0")), "ops", "test", false);
            clock.advance(Duration.ofDays(10));
            journal.insert(issue("p-new", "PN"), null);
            attempt(journal, "p-new", dead(110, null, "wrong key", false), new AttemptAudit("n", Journal.utc(T0), 1, null, null));
            assertEquals(0, journal.purgeAudit(java.time.Duration.ofDays(30), 3));
            assertEquals(0, journal.purgeAudit(java.time.Duration.ZERO, 3), "zero keeps everything");
            assertEquals(8, journal.purgeAudit(java.time.Duration.ofDays(5), 3), "7 attempts and a re-drive row, 3 per statement");
            assertEquals(1, count(ds, "ecpay_attempt"));
            assertEquals(0, count(ds, "ecpay_redrive"));
            assertEquals(1, journal.attempts("p-new").size());
        }
    }

    /** A mutable builder for selections, so each test line names only its criterion. */
    static final class Sel {
        List<String> ids = List.of();
        List<Integer> transCodes = List.of();
        List<Integer> rtnCodes = List.of();
        String reason;
        String source;
        Instant from;
        Instant to;
        boolean all;
    }

    static RedriveSelection sel(java.util.function.Consumer<Sel> set) {
        Sel s = new Sel();
        set.accept(s);
        return new RedriveSelection(s.ids, s.transCodes, s.rtnCodes, s.reason, s.source, null, s.from, s.to, s.all, 0);
    }

    static List<String> ids(Redrive.Result r) {
        return r.items().stream().map(Redrive.Item::id).toList();
    }

    static int count(HikariDataSource ds, String table) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Every command row and the audit tables, as text, to show that nothing changed. */
    static Map<String, String> snapshot(HikariDataSource ds) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String q : List.of("SELECT * FROM ecpay_command ORDER BY id", "SELECT * FROM ecpay_attempt ORDER BY id",
                    "SELECT * FROM ecpay_redrive ORDER BY id")) {
                try (ResultSet rs = s.executeQuery(q)) {
                    int n = rs.getMetaData().getColumnCount();
                    int row = 0;
                    while (rs.next()) {
                        List<String> values = new ArrayList<>();
                        for (int i = 1; i <= n; i++) {
                            values.add(String.valueOf(rs.getObject(i)));
                        }
                        out.put(q + "#" + row++, String.join("|", values));
                    }
                }
            }
        }
        return out;
    }
}
