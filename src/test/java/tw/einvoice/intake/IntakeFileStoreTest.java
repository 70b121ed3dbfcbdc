package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.testing.MutableClock;
import tw.einvoice.testing.TestDatabases;

/** A file whose reporting instance stopped half way is reported by another one once the claim is stale. */
class IntakeFileStoreTest {

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void anAbandonedReportIsTakenOverOnceStale(TestDatabases db) {
        try (HikariDataSource ds = db.fresh(2)) {
            MutableClock clock = new MutableClock(Instant.parse("2026-11-22T01:00:00Z"));
            IntakeFileStore store = new IntakeFileStore(ds, clock);
            store.record(new IntakeFileStore.IntakeFile("20261122-010000000-a.jsonl", "file", "a.jsonl",
                    "work/archive/20261122-010000000-a.jsonl", DropFormat.JSONL, "UTF-8", 1, 0, 0, 1));
            assertEquals(1, store.dueForReport().size());
            assertTrue(store.transition("20261122-010000000-a.jsonl", "INTAKEN", "REPORTING"));

            clock.advance(Duration.ofMinutes(9));
            assertEquals(0, store.dueForReport().size(), "another instance may still be writing");
            assertFalse(store.reclaimStale("20261122-010000000-a.jsonl"));

            clock.advance(Duration.ofMinutes(2));
            assertEquals(1, store.dueForReport().size());
            assertTrue(store.reclaimStale("20261122-010000000-a.jsonl"));
            assertFalse(store.reclaimStale("20261122-010000000-a.jsonl"), "only one instance takes it over");
        }
    }
}
