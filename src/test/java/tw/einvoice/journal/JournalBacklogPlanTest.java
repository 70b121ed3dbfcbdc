package tw.einvoice.journal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.testing.QueryPlan;
import tw.einvoice.testing.TestDatabases;

/**
 * Every statement the dispatcher runs per command or per batch reads O(batch) rows, whatever the backlog: a journal
 * with 50,000 commands waiting and 20,000 long delivered, each statement's plan asked of the database itself
 * (H2: rows scanned; PostgreSQL: no sequential scan of the table; MariaDB: no full scan, few rows examined).
 */
class JournalBacklogPlanTest {

    static final int WAITING = 50_000;
    static final int DELIVERED = 20_000;
    static final int BATCH = 100;

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void perCommandStatementsReadByKeyWhateverTheBacklog(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2); Connection c = ds.getConnection()) {
            backlog(c);
            LocalDateTime now = LocalDateTime.now();
            List<String> report = new ArrayList<>();
            check(db, c, report, "claim candidates (NEW)", Journal.CANDIDATES, "NEW", now, now, BATCH);
            check(db, c, report, "claim candidates (RETRY)", Journal.CANDIDATES, "RETRY", now, now, BATCH);
            check(db, c, report, "claim", Journal.CLAIM, "me", now, 1, now, "w123", "NEW", 0);
            check(db, c, report, "mark delivered", Journal.MARK_DELIVERED, now, "d123");
            check(db, c, report, "undelivered outcomes", Journal.UNDELIVERED, "SUCCEEDED", now, BATCH);
            check(db, c, report, "claim an undelivered outcome", Journal.CLAIM_UNDELIVERED, now, "d124", now);
            System.out.println("PLANS " + db + ": " + String.join("; ", report));
        }
    }

    private static void backlog(Connection c) throws Exception {
        c.setAutoCommit(false);
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO ecpay_command (id, operation, merchant_id, payload, state, "
                + "attempts, maybe_sent, next_attempt_at, created_at, updated_at, channel_delivered_at) "
                + "VALUES (?, 'B2CInvoice/Issue', '2000132', '{}', ?, 0, FALSE, ?, ?, ?, ?)")) {
            LocalDateTime t = LocalDateTime.of(2026, 11, 30, 0, 0);
            for (int i = 0; i < WAITING + DELIVERED; i++) {
                boolean waiting = i < WAITING;
                LocalDateTime at = t.plusNanos(i * 1_000_000L);
                ins.setString(1, (waiting ? "w" : "d") + i);
                ins.setString(2, waiting ? "NEW" : "SUCCEEDED");
                ins.setObject(3, at);
                ins.setObject(4, at);
                ins.setObject(5, at);
                ins.setObject(6, waiting ? null : at);
                ins.addBatch();
                if (i % 5_000 == 4_999) {
                    ins.executeBatch();
                    c.commit();
                }
            }
            ins.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            // the statistics a long-running database has: each optimiser sees the backlog as it is
            String vendor = c.getMetaData().getDatabaseProductName().toLowerCase();
            s.execute(vendor.contains("h2") ? "ANALYZE" : vendor.contains("postgres") ? "ANALYZE ecpay_command" : "ANALYZE TABLE ecpay_command");
        }
    }

    private static void check(TestDatabases db, Connection c, List<String> report, String what, String sql, Object... params)
            throws Exception {
        QueryPlan plan = QueryPlan.of(db, c, sql, params);
        String text = plan.text();
        switch (db) {
            case H2 -> assertTrue(plan.h2ScanCount() <= 2 * BATCH + 2, what + " scans " + plan.h2ScanCount() + " rows: " + text);
            case POSTGRESQL -> assertFalse(text.contains("Seq Scan on ecpay_command"), what + " scans the table: " + text);
            case MARIADB -> {
                long maxRows = 0;
                boolean fullScan = false;
                for (QueryPlan.Step s : plan.steps()) {
                    if (s.table().equals("ecpay_command") || s.table().equals("c")) {
                        fullScan |= s.fullScan();
                        // a range read in index order stops at the LIMIT (EXPLAIN's row estimate ignores it); a sort
                        // of the range would read all of it
                        maxRows = Math.max(maxRows, s.extra().contains("filesort") ? s.rows() : Math.min(s.rows(), 1));
                    }
                }
                assertFalse(fullScan, what + " scans the table: " + text);
                assertTrue(maxRows <= 2 * BATCH + 2 || text.contains(":PRIMARY"), what + " examines " + maxRows + " rows: " + text);
            }
        }
        report.add(what + " " + (db == TestDatabases.H2 ? plan.h2ScanCount() + " rows" : "by index"));
    }
}
