package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.testing.QueryPlan;
import tw.einvoice.testing.TestDatabases;

/**
 * Progress of one drop, one SQL source or one inbox batch reads that source's rows only, however big the journal: a
 * journal of 60,000 commands from an old drop and 100 from the drop asked about, each statement's plan asked of the
 * database itself (H2: rows scanned; PostgreSQL: no sequential scan of the journal; MariaDB: no full scan of it).
 */
class ProgressPlanTest {

    static final int OLD = 60_000;
    static final int MINE = 100;

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void progressOfOneSourceReadsThatSourceOnly(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2); Connection c = ds.getConnection()) {
            journal(c);
            List<String> report = new ArrayList<>();
            check(db, c, report, "drop counts", IntakeFileStore.COUNTS, "mine");
            check(db, c, report, "source progress view", "SELECT * FROM ecpay_source_progress WHERE source_name = ?", "mine");
            check(db, c, report, "inbox batch progress view", "SELECT * FROM ecpay_inbox_progress WHERE batch_id = ?", "b-mine");
            System.out.println("PLANS " + db + ": " + String.join("; ", report));

            // and the counts are right
            IntakeProgress.StateCounts counts = new IntakeFileStore(ds, Clock.systemUTC()).counts("mine");
            assertEquals(new IntakeProgress.StateCounts(MINE / 2, 0, 0, 0, MINE / 2, 0), counts);
        }
    }

    /** An old drop's 60,000 commands (and inbox rows of an old batch), then the 100 of "mine". */
    private static void journal(Connection c) throws Exception {
        c.setAutoCommit(false);
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO ecpay_command (id, operation, merchant_id, payload, state, "
                + "attempts, maybe_sent, next_attempt_at, created_at, updated_at, source_kind, source_name, source_ref) "
                + "VALUES (?, 'B2CInvoice/Issue', '2000132', '{}', ?, 0, FALSE, ?, ?, ?, 'sql', ?, ?)");
             PreparedStatement inbox = c.prepareStatement("INSERT INTO ecpay_inbox (id, operation, payload, status, batch_id) "
                     + "VALUES (?, 'B2CInvoice/Issue', '{}', 'TAKEN', ?)")) {
            LocalDateTime t = LocalDateTime.of(2026, 11, 30, 0, 0);
            for (int i = 0; i < OLD + MINE; i++) {
                boolean mine = i >= OLD;
                String id = (mine ? "m" : "o") + i;
                ins.setString(1, id);
                ins.setString(2, mine && i % 2 == 0 ? "NEW" : "SUCCEEDED");
                ins.setObject(3, t);
                ins.setObject(4, t);
                ins.setObject(5, t);
                ins.setString(6, mine ? "mine" : "old");
                ins.setString(7, Integer.toString(i));
                ins.addBatch();
                inbox.setString(1, id);
                inbox.setString(2, mine ? "b-mine" : "b-old");
                inbox.addBatch();
                if (i % 5_000 == 4_999) {
                    ins.executeBatch();
                    inbox.executeBatch();
                    c.commit();
                }
            }
            ins.executeBatch();
            inbox.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            String vendor = c.getMetaData().getDatabaseProductName().toLowerCase();
            if (vendor.contains("h2")) {
                s.execute("ANALYZE");
            } else if (vendor.contains("postgres")) {
                s.execute("ANALYZE ecpay_command");
                s.execute("ANALYZE ecpay_inbox");
            } else {
                s.execute("ANALYZE TABLE ecpay_command, ecpay_inbox");
            }
        }
    }

    private static void check(TestDatabases db, Connection c, List<String> report, String what, String sql, Object... params)
            throws Exception {
        QueryPlan plan = QueryPlan.of(db, c, sql, params);
        String text = plan.text();
        switch (db) {
            case H2 -> assertTrue(plan.h2ScanCount() <= 2L * MINE + 2, what + " scans " + plan.h2ScanCount() + " rows: " + text);
            case POSTGRESQL -> {
                assertFalse(text.contains("Seq Scan on ecpay_command"), what + " scans the journal: " + text);
                assertFalse(text.contains("Seq Scan on ecpay_inbox"), what + " scans the inbox: " + text);
            }
            case MARIADB -> {
                // a derived table (the view's groups) is read whole, but it holds only the groups of the source asked about
                for (QueryPlan.Step s : plan.steps()) {
                    assertFalse(!s.table().startsWith("<derived") && (s.fullScan() || s.rows() > 2L * MINE),
                            what + " scans " + s.table() + ": " + text);
                }
            }
        }
        report.add(what + " " + (db == TestDatabases.H2 ? plan.h2ScanCount() + " rows" : "by index"));
    }
}
