package tw.einvoice.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.FaultRule;

/** The benchmark's own tools, quickly: what they count and measure must be right for its figures to mean anything. */
class BenchToolsTest {

    @TempDir
    Path work;

    @Test
    void countingDriverCountsStatementsBatchesSavepointsAndCommits() throws Exception {
        CountingDriver.register();
        CountingDriver.Snapshot before = CountingDriver.snapshot();
        try (Connection c = DriverManager.getConnection("jdbc:count:h2:mem:counting" + System.nanoTime(), "sa", "")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, 'a')")) {
                for (int i = 0; i < 3; i++) {
                    ps.setInt(1, i);
                    ps.executeUpdate();
                }
                for (int i = 10; i < 15; i++) {
                    ps.setInt(1, i);
                    ps.addBatch();
                }
                assertEquals(5, ps.executeBatch().length);
            }
            c.setAutoCommit(false);
            Savepoint sp = c.setSavepoint();
            try (PreparedStatement ps = c.prepareStatement("UPDATE t SET v = 'b' WHERE id = ?")) {
                ps.setInt(1, 1);
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE t SET v = 'c' WHERE id = ?")) {
                ps.setInt(1, 99);
                assertEquals(0, ps.executeUpdate());
            }
            c.releaseSavepoint(sp);
            c.commit();
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM t"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(8, rs.getInt(1), "the statements reached the real database");
            }
        }
        CountingDriver.Snapshot q = CountingDriver.snapshot().minus(before);
        // create 1, 3 inserts, a batch of 5 (one round trip), savepoint, 2 updates, release, select; commit: a round trip only
        assertEquals(1 + 3 + 5 + 1 + 2 + 1 + 1, q.statements());
        assertEquals(1 + 3 + 1 + 1 + 2 + 1 + 1 + 1, q.roundTrips());
        assertEquals(1, q.commits());
        assertEquals(1, q.noRowUpdates(), "the update of id 99 changed nothing");
        assertArrayEquals(new long[] {8, 4, 0}, q.counts().get("INSERT INTO t VALUES (?, 'a')"));
        assertArrayEquals(new long[] {1, 1, 1}, q.counts().get("UPDATE t SET v = 'c' WHERE id = ?"));

        Path file = work.resolve("counts");
        Files.writeString(file, q.format(), StandardCharsets.UTF_8);
        assertEquals(q.counts().keySet(), CountingDriver.Snapshot.read(file).counts().keySet(), "the job's counters file reads back");
        assertEquals(q.statements(), CountingDriver.Snapshot.read(file).statements());
        assertEquals(1, CountingDriver.Snapshot.read(file).noRowUpdates());
    }

    @Test
    void steadyStateTrimsTheRampAndTheDrain() {
        List<Long> t = new ArrayList<>();
        long now = 0;
        for (int i = 0; i < 100; i++) {
            t.add(now += 100); // 10/s while the first claims ramp up
        }
        for (int i = 0; i < 800; i++) {
            t.add(now += 10); // 100/s steady
        }
        for (int i = 0; i < 100; i++) {
            t.add(now += 100); // 10/s draining
        }
        double steady = SteadyState.steady(t);
        assertTrue(steady > 90 && steady <= 100, "steady " + steady);
        assertEquals(10.0, SteadyState.first(t, 100), 0.01);
        assertEquals(10.0, SteadyState.last(t, 100), 0.01);
        assertTrue(SteadyState.rate(t, 0, 1) < 60, "the whole span, ramp and drain included, is far below the steady rate");
    }

    @Test
    void bareLoopIssuesUniqueInvoicesAndFailsOnABadReply() throws Exception {
        try (EcpaySandbox sandbox = EcpaySandbox.builder().port(0).start()) {
            BareLoop.Result r = BareLoop.run(sandbox.baseUrl(), 4, Duration.ofMillis(300), Duration.ofSeconds(1), "T");
            assertTrue(r.calls() > 0, "calls answered: " + r.calls());
            assertTrue(sandbox.ledger().totalIssued() >= r.calls(), "each measured call issued an invoice");
            assertEquals(sandbox.ledger().totalIssued(), sandbox.ledger().requests("B2CInvoice/Issue"),
                    "every request issued a new invoice: no RelateNumber was sent twice");
            sandbox.addFault(FaultRule.always("B2CInvoice/Issue", FaultRule.Kind.RTN_CODE));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> BareLoop.run(sandbox.baseUrl(), 2, Duration.ZERO, Duration.ofMillis(200), "U"));
            assertTrue(e.getCause().getMessage().contains("RtnCode 9000001"), e.getCause().getMessage());
        }
    }

    @Test
    void dropsHoldValidIssueCommandsAndADoneFile() throws Exception {
        String name = Workload.drop(work, "D1", 3);
        List<String> lines = Files.readAllLines(work.resolve(name));
        assertEquals(3, lines.size());
        for (int i = 0; i < 3; i++) {
            Command c = Command.parse(lines.get(i), OperationCatalog.standard(), "2000132");
            assertEquals("B2CInvoice/Issue", c.operation());
            assertEquals("D1" + i, c.data().get("RelateNumber").asText());
        }
        assertTrue(Files.exists(work.resolve(name + ".done")));
    }
}
