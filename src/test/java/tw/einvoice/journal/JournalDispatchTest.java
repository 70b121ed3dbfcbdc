package tw.einvoice.journal;

import tw.einvoice.dispatch.RetryPolicy;
import tw.einvoice.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.protocol.Verdict;
import tw.einvoice.testing.TestDatabases;

/** The journal's claim / complete / expire / pause, on H2, PostgreSQL and MariaDB. */
class JournalDispatchTest {

    private static final Instant T0 = Instant.parse("2026-03-01T02:00:00Z");

    static Command trigger(String tsr, String merchant) {
        return Command.parse("{\"operation\":\"B2CInvoice/TriggerIssue\",\"merchantId\":\"" + merchant
                + "\",\"data\":{\"Tsr\":\"" + tsr + "\",\"PayType\":\"2\"}}", OperationCatalog.standard(), "2000132");
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void dueRowsAreClaimedOnceAndPausedMerchantsAreLeftAlone(TestDatabases db) {
        try (HikariDataSource ds = db.fresh(4)) {
            MutableClock clock = new MutableClock(T0);
            Journal journal = new Journal(ds, clock);
            for (int i = 0; i < 3; i++) {
                journal.insert(trigger("A" + i, "1111111"), Source.file("in/a.jsonl", i + 1));
                journal.insert(trigger("B" + i, "2222222"), null);
            }
            journal.pauseMerchant("2222222", Journal.utc(T0).plusMinutes(30), "HTTP 403");
            journal.pauseMerchant("2222222", Journal.utc(T0).plusMinutes(31), "HTTP 403 again"); // upsert, not a 2nd row
            assertEquals(Journal.utc(T0).plusMinutes(31), journal.pausedUntil("2222222"));

            List<Claim> first = journal.claimDue("one", 10, Duration.ofMinutes(2));
            assertEquals(3, first.size(), "only merchant 1111111's rows: 2222222 is paused");
            assertTrue(first.stream().allMatch(c -> c.merchantId().equals("1111111") && c.attempt() == 1
                    && !c.maybeSentBefore() && c.previousState() == CommandState.NEW));
            assertEquals("in/a.jsonl", first.get(0).source().name());
            assertEquals(0, journal.claimDue("two", 10, Duration.ofMinutes(2)).size(), "claimed rows are nobody else's");

            CommandRow row = journal.find(first.get(0).id());
            assertEquals(CommandState.IN_FLIGHT, row.state());
            assertEquals("one", row.claimOwner());
            assertEquals(Journal.utc(T0).plusMinutes(2), row.claimExpiresAt());
            assertTrue(row.maybeSent(), "marked possibly sent before the request goes out");

            clock.advance(Duration.ofMinutes(31).plusSeconds(1));
            assertNull(journal.pausedUntil("2222222"));
            assertEquals(3, journal.claimDue("two", 10, Duration.ofMinutes(2)).size(), "the pause is over");
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void competingClaimersNeverShareARow(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(8)) {
            Journal journal = new Journal(ds, new MutableClock(T0));
            int n = 300;
            for (int i = 0; i < n; i++) {
                journal.insert(trigger("C" + i, "2000132"), null);
            }
            ConcurrentLinkedQueue<String> taken = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String owner = "w" + w;
                workers.add(pool.submit(() -> {
                    List<Claim> got;
                    while (!(got = journal.claimDue(owner, 20, Duration.ofMinutes(2))).isEmpty()) {
                        got.forEach(c -> taken.add(c.id()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
            pool.shutdown();
            Set<String> distinct = new HashSet<>(taken);
            assertEquals(taken.size(), distinct.size(), "a row was claimed twice");
            assertEquals(n, distinct.size(), "every row was claimed");
            assertEquals(n, journal.countByState().get(CommandState.IN_FLIGHT));
        }
    }

    /** The row the dispatcher builds for the channel message is the row the journal stored, on every vendor. */
    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void theCompletedRowIsTheStoredRowWithoutReadingItBack(TestDatabases db) {
        try (HikariDataSource ds = db.fresh(2)) {
            MutableClock clock = new MutableClock(T0.plusMillis(123));
            Journal journal = new Journal(ds, clock);
            journal.insert(trigger("R1", "2000132"), Source.file("in/r.jsonl", 7));
            journal.insert(trigger("R2", "2000132"), null);
            List<Claim> claims = journal.claimDue("one", 10, Duration.ofMinutes(2));
            clock.advance(Duration.ofMillis(1500));
            LocalDateTime now = Journal.utc(clock.instant());
            Completion done = new Completion(CommandState.SUCCEEDED, null, true, "x".repeat(1200), 200, 1, 1, "ok",
                    "{\"InvoiceNo\":\"AB12345678\"}", Verdict.SUCCESS, tw.einvoice.protocol.Evidence.REPLY);
            Completion dead = new Completion(CommandState.DEAD, null, false, "cannot be sent", null, null, null, null, null,
                    Verdict.DEAD, null);
            for (Claim c : claims) {
                Completion d = c.id().endsWith("R1") ? done : dead;
                assertTrue(journal.complete(c, d, new AttemptAudit(c.owner(), now, 0, null, null), now));
                CommandRow stored = journal.find(c.id());
                CommandRow built = Journal.completedRow(c, d, now);
                if (d.reply() == null) {
                    assertNull(built, "a completion without a reply keeps the stored one: only the journal knows it");
                    continue;
                }
                assertEquals(stored, new CommandRow(built.id(), built.operation(), built.merchantId(), built.payload(),
                        built.state(), built.attempts(), built.maybeSent(), built.nextAttemptAt(), built.claimOwner(),
                        built.claimExpiresAt(), built.httpStatus(), built.transCode(), built.rtnCode(), built.rtnMsg(),
                        built.reason(), built.reply(), built.source(), stored.createdAt(), built.updatedAt(), built.outcome(),
                        built.channelDeliveredAt(), built.evidence()));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void anExpiredClaimBecomesUnknownAndItsOwnerCanNoLongerComplete(TestDatabases db) {
        try (HikariDataSource ds = db.fresh(2)) {
            MutableClock clock = new MutableClock(T0);
            Journal journal = new Journal(ds, clock);
            journal.insert(trigger("E1", "2000132"), null);
            Claim crashed = journal.claimDue("gone", 10, Duration.ofMinutes(2)).get(0);

            clock.advance(Duration.ofMinutes(1));
            assertEquals(0, journal.expireClaims(Duration.ofSeconds(30)), "lease still running");
            clock.advance(Duration.ofMinutes(1).plusMillis(1));
            assertEquals(1, journal.expireClaims(Duration.ofSeconds(30)));
            CommandRow row = journal.find("B2CInvoice/TriggerIssue:2000132:E1");
            assertEquals(CommandState.UNKNOWN, row.state());
            assertTrue(row.maybeSent());
            assertNull(row.claimOwner());

            Completion late = new Completion(CommandState.SUCCEEDED, null, true, "late", 200, 1, 4000004, "ok", "{}");
            assertFalse(journal.complete(crashed, late), "a lost lease never overwrites");
            assertEquals(CommandState.UNKNOWN, journal.find(crashed.id()).state());

            assertTrue(journal.claimDue("next", 10, Duration.ofMinutes(2)).isEmpty(), "UNKNOWN waits its delay");
            clock.advance(Duration.ofSeconds(30));
            Claim again = journal.claimDue("gone", 10, Duration.ofMinutes(2)).get(0);
            assertEquals(2, again.attempt());
            assertTrue(again.maybeSentBefore(), "the reconciling attempt knows the first may have reached ECPay");
            assertEquals(CommandState.UNKNOWN, again.previousState());
            assertFalse(journal.complete(crashed, late), "same owner, earlier attempt: still refused");
            assertTrue(journal.complete(again, new Completion(CommandState.SUCCEEDED, null, true, "RtnCode 4000004: done",
                    200, 1, 4000004, "done", "{\"RtnCode\":4000004}")));
            row = journal.find(again.id());
            assertEquals(CommandState.SUCCEEDED, row.state());
            assertEquals(4000004, row.rtnCode());
            assertEquals("{\"RtnCode\":4000004}", row.reply());
            assertNull(row.claimOwner());
            assertNull(row.claimExpiresAt());
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void aRetryIsDueOnlyAfterItsBackoffOnTheInjectedClock(TestDatabases db) {
        try (HikariDataSource ds = db.fresh(2)) {
            MutableClock clock = new MutableClock(T0);
            Journal journal = new Journal(ds, clock);
            RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(30));
            journal.insert(trigger("R1", "2000132"), null);
            LocalDateTime[] due = new LocalDateTime[4];
            for (int attempt = 1; attempt <= 3; attempt++) {
                Claim c = journal.claimDue("me", 10, Duration.ofMinutes(2)).get(0);
                assertEquals(attempt, c.attempt());
                RetryPolicy.Decision d = policy.decide(c, Verdict.RETRY, "HTTP 503", Duration.ZERO, Journal.utc(clock.instant()),
                        () -> 0.999999);
                assertTrue(journal.complete(c, new Completion(d.state(), d.nextAttemptAt(), d.maybeSent(), d.reason(), 503,
                        null, null, null, null)));
                due[attempt] = d.nextAttemptAt();
                if (attempt < 3) {
                    // full jitter draw (0.999999): 10 s, then 20 s
                    long expected = 10_000L << (attempt - 1);
                    assertEquals(expected, Duration.between(Journal.utc(clock.instant()), d.nextAttemptAt()).toMillis(), 1);
                    clock.advance(Duration.ofMillis(expected - 5));
                    assertTrue(journal.claimDue("me", 10, Duration.ofMinutes(2)).isEmpty(), "not due before its backoff");
                    clock.advance(Duration.ofMillis(5));
                }
            }
            CommandRow row = journal.find("B2CInvoice/TriggerIssue:2000132:R1");
            assertEquals(CommandState.DEAD, row.state(), "attempt limit 3 reached");
            assertEquals("gave up after 3 attempts: HTTP 503", row.reason());
            assertFalse(row.maybeSent(), "definite answers never reached ECPay's books");
            assertNotNull(due[3]);
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void anUnsentClaimIsGivenBackExactlyAsItWas(TestDatabases db) {
        try (HikariDataSource ds = db.fresh(2)) {
            MutableClock clock = new MutableClock(T0);
            Journal journal = new Journal(ds, clock);
            journal.insert(trigger("G1", "2000132"), null);
            Claim c = journal.claimDue("me", 10, Duration.ofMinutes(2)).get(0);
            assertTrue(journal.release(c));
            CommandRow row = journal.find(c.id());
            assertEquals(CommandState.NEW, row.state());
            assertEquals(0, row.attempts());
            assertFalse(row.maybeSent(), "nothing went out");
            assertNull(row.claimOwner());
            assertFalse(journal.release(c), "released once");
            assertFalse(journal.complete(c, new Completion(CommandState.SUCCEEDED, null, true, "x", 200, 1, 1, "", null)));
            Claim again = journal.claimDue("other", 10, Duration.ofMinutes(2)).get(0);
            assertEquals(1, again.attempt());
        }
    }
}
