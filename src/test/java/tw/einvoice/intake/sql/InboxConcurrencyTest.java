package tw.einvoice.intake.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.testing.TestDatabases;

/**
 * 10,000 inbox rows, two running instances (two CamelContexts) polling the same table at once: every valid row is
 * journaled exactly once, every bad row rejected exactly once, nothing left behind.
 */
class InboxConcurrencyTest {

    static final int ROWS = 10_000;
    static final int BAD_EVERY = 100;   // every 100th row breaks a rule: 100 bad rows

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void twoInstancesTakeEachRowExactlyOnce(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(4)) {
            Map<String, String> fast = Map.of("intake.sql.inbox.poll-interval", "20", "intake.sql.inbox.batch-size", "200",
                    "journal.pool-size", "10");
            try (Instance a = new Instance("intake-a", ds.getJdbcUrl(), ds.getUsername(), fast);
                 Instance b = new Instance("intake-b", ds.getJdbcUrl(), ds.getUsername(), fast)) {
                long start = System.nanoTime();
                insertRows(ds);
                long inserted = System.nanoTime();
                waitUntilNoNewRows(ds, 50_000);
                long done = System.nanoTime();

                int bad = ROWS / BAD_EVERY;
                // a row leaves NEW when its chunk commits; the instance counts it, and sends a bad one to the dead-letter
                // channel, just after: wait for those (a count above the expected one still fails below)
                Sql.await("every row counted and every bad row at the dead-letter channel", 20_000, () ->
                        a.count(SqlIntake.Result.JOURNALED) + b.count(SqlIntake.Result.JOURNALED)
                                + a.count(SqlIntake.Result.REJECTED) + b.count(SqlIntake.Result.REJECTED) >= ROWS
                        && deadLetters(a) + deadLetters(b) >= bad);
                int journaled = a.count(SqlIntake.Result.JOURNALED) + b.count(SqlIntake.Result.JOURNALED);
                int rejected = a.count(SqlIntake.Result.REJECTED) + b.count(SqlIntake.Result.REJECTED);
                System.out.printf("%s: %d rows inserted in %d ms, taken in %d ms by two instances: "
                                + "a journaled %d rejected %d skipped %d, b journaled %d rejected %d skipped %d%n",
                        db, ROWS, (inserted - start) / 1_000_000, (done - inserted) / 1_000_000,
                        a.count(SqlIntake.Result.JOURNALED), a.count(SqlIntake.Result.REJECTED), a.count(SqlIntake.Result.SKIPPED),
                        b.count(SqlIntake.Result.JOURNALED), b.count(SqlIntake.Result.REJECTED), b.count(SqlIntake.Result.SKIPPED));

                assertEquals(ROWS - bad, journaled, "valid rows journaled, over both instances");
                assertEquals(bad, rejected, "bad rows rejected, over both instances");
                assertEquals(0, a.count(SqlIntake.Result.DUPLICATE) + b.count(SqlIntake.Result.DUPLICATE), "no row taken twice");
                assertTrue(a.count(SqlIntake.Result.JOURNALED) > 0 && b.count(SqlIntake.Result.JOURNALED) > 0,
                        "both instances took rows");
                assertEquals(ROWS - bad, count(ds, "SELECT COUNT(*) FROM ecpay_command WHERE source_kind = 'sql' AND source_name = 'ecpay_inbox'"));
                assertEquals(ROWS - bad, count(ds, "SELECT COUNT(*) FROM ecpay_inbox i JOIN ecpay_command c ON c.id = i.id AND c.source_ref = i.id WHERE i.status = 'TAKEN'"));
                assertEquals(bad, count(ds, "SELECT COUNT(*) FROM ecpay_inbox WHERE status = 'REJECTED' AND reason LIKE '%PayType%'"));
                assertEquals(0, count(ds, "SELECT COUNT(*) FROM ecpay_command c JOIN ecpay_inbox i ON i.id = c.id WHERE i.status <> 'TAKEN'"));
                assertEquals(bad, deadLetters(a) + deadLetters(b), "each bad row reaches the dead-letter channel once");
            }
        }
    }

    private static void insertRows(HikariDataSource ds) throws Exception {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO ecpay_inbox (id, operation, merchant_id, payload) VALUES (?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int i = 1; i <= ROWS; i++) {
                ps.setString(1, String.format("T%05d", i));
                ps.setString(2, "B2CInvoice/TriggerIssue");
                ps.setString(3, "2000132");
                ps.setString(4, "{\"Tsr\":\"TSR" + i + "\",\"PayType\":\"" + (i % BAD_EVERY == 0 ? "3" : "2") + "\"}");
                ps.addBatch();
                if (i % 1000 == 0) {
                    ps.executeBatch();
                    c.commit();
                }
            }
        }
    }

    private static void waitUntilNoNewRows(HikariDataSource ds, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (count(ds, "SELECT COUNT(*) FROM ecpay_inbox WHERE status = 'NEW'") > 0) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("rows still NEW after " + timeoutMs + " ms: "
                        + count(ds, "SELECT COUNT(*) FROM ecpay_inbox WHERE status = 'NEW'"));
            }
            Thread.sleep(100);
        }
    }

    private static long deadLetters(Instance instance) {
        return instance.context().getEndpoint("mock:dead-letter", org.apache.camel.component.mock.MockEndpoint.class)
                .getReceivedCounter();
    }

    static int count(HikariDataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
