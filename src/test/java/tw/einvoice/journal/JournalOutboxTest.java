package tw.einvoice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.protocol.Verdict;
import tw.einvoice.testing.MutableClock;
import tw.einvoice.testing.TestDatabases;

/** Channel delivery bookkeeping (V5): undelivered final rows, re-publish claims, delivery marks, the upgrade. */
class JournalOutboxTest {

    private static final Instant T0 = Instant.parse("2026-03-01T02:00:00Z");
    private static final Duration GRACE = Duration.ofMinutes(1);

    /** Inserts, claims and completes a command with {@code state}, as the dispatcher does, without any channel send. */
    static String finish(Journal journal, String tsr, CommandState state, Verdict verdict) {
        journal.insert(JournalDispatchTest.trigger(tsr, "2000132"), Source.file("in/o.jsonl", 7));
        Claim c = journal.claimDue("me", 1, Duration.ofMinutes(2)).get(0);
        assertTrue(journal.complete(c, new Completion(state, null, false, "why " + tsr, 200, 1, 1, "ok",
                "{\"RtnCode\":1}", verdict, null)));
        return c.id();
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void anUndeliveredFinalRowIsRepublishedEveryGracePeriodUntilMarked(TestDatabases db) {
        try (HikariDataSource ds = db.fresh(2)) {
            MutableClock clock = new MutableClock(T0);
            Journal journal = new Journal(ds, clock);
            String ok = finish(journal, "S1", CommandState.SUCCEEDED, Verdict.ALREADY_DONE);
            String dead = finish(journal, "D1", CommandState.DEAD, Verdict.DEAD);
            journal.insert(JournalDispatchTest.trigger("N1", "2000132"), null); // not final: never published
            CommandRow row = journal.find(ok);
            assertNull(row.channelDeliveredAt());
            assertEquals("ALREADY_DONE", row.outcome());

            assertTrue(journal.claimUndelivered(10, GRACE).isEmpty(), "the first delivery gets its grace period");
            clock.advance(GRACE);
            List<CommandRow> due = journal.claimUndelivered(10, GRACE);
            assertEquals(Set.of(ok, dead), ids(due));
            assertEquals("why S1", due.stream().filter(r -> r.id().equals(ok)).findFirst().orElseThrow().reason());
            assertTrue(journal.claimUndelivered(10, GRACE).isEmpty(), "claimed: nobody publishes them again right now");

            assertTrue(journal.markDelivered(ok));
            assertFalse(journal.markDelivered(ok), "marked once");
            assertEquals(Journal.utc(clock.instant()), journal.find(ok).channelDeliveredAt());
            assertEquals(row.updatedAt(), journal.find(ok).updatedAt(), "delivery does not touch the completion time");

            clock.advance(GRACE.minusMillis(1));
            assertTrue(journal.claimUndelivered(10, GRACE).isEmpty());
            clock.advance(Duration.ofMillis(1));
            assertEquals(Set.of(dead), ids(journal.claimUndelivered(10, GRACE)), "still undelivered: again after the grace");
            assertFalse(journal.markDelivered(JournalDispatchTest.trigger("N1", "2000132").id()), "not final");
            assertThrows(IllegalArgumentException.class, () -> journal.claimUndelivered(10, Duration.ZERO));
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void competingRepublishersNeverTakeTheSameRowAtTheSameMoment(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(8)) {
            MutableClock clock = new MutableClock(T0);
            Journal journal = new Journal(ds, clock);
            int n = 200;
            for (int i = 0; i < n; i++) {
                finish(journal, "C" + i, i % 2 == 0 ? CommandState.SUCCEEDED : CommandState.DEAD, Verdict.SUCCESS);
            }
            clock.advance(GRACE);
            ConcurrentLinkedQueue<String> taken = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            CyclicBarrier start = new CyclicBarrier(4);
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                workers.add(pool.submit(() -> {
                    start.await();
                    List<CommandRow> got;
                    while (!(got = journal.claimUndelivered(15, GRACE)).isEmpty()) {
                        got.forEach(r -> taken.add(r.id()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
            pool.shutdown();
            assertEquals(taken.size(), new HashSet<>(taken).size(), "a row was published by two claimers at once");
            assertEquals(n, taken.size(), "every undelivered row was claimed");
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void upgradingToV5MarksRowsAlreadyFinalAsDelivered(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.freshAt(2, "4")) {
            LocalDateTime at = Journal.utc(T0);
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO ecpay_command (id, operation, merchant_id, payload, state, attempts, maybe_sent, "
                            + "next_attempt_at, created_at, updated_at) VALUES (?, 'B2CInvoice/TriggerIssue', '2000132', '{}', ?, 1, "
                            + "FALSE, ?, ?, ?)")) {
                for (String state : List.of("SUCCEEDED", "DEAD", "RETRY", "NEW")) {
                    ps.setString(1, "old-" + state);
                    ps.setString(2, state);
                    ps.setObject(3, at);
                    ps.setObject(4, at);
                    ps.setObject(5, at);
                    ps.executeUpdate();
                }
            }
            JournalDatabase.migrate(ds);
            Journal journal = new Journal(ds, new MutableClock(T0.plus(Duration.ofHours(1))));
            assertEquals(at, journal.find("old-SUCCEEDED").channelDeliveredAt());
            assertNotNull(journal.find("old-DEAD").channelDeliveredAt());
            assertNull(journal.find("old-RETRY").channelDeliveredAt());
            assertTrue(journal.claimUndelivered(10, GRACE).isEmpty(), "nothing finished before the upgrade is published again");
        }
    }

    private static Set<String> ids(List<CommandRow> rows) {
        Set<String> ids = new HashSet<>();
        rows.forEach(r -> ids.add(r.id()));
        return ids;
    }
}
