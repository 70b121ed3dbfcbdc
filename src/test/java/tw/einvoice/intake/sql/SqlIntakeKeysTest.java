package tw.einvoice.intake.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tw.einvoice.intake.LogCapture;
import tw.einvoice.testing.TestDatabases;

/**
 * Table intake refuses the same keys as file intake: an id or business key holding a control character (a newline
 * forging a log line, an ESC hiding what the value is) is rejected with the reason, and the rest of the batch goes on.
 */
class SqlIntakeKeysTest {

    @Test
    void idsAndKeysWithControlCharactersAreRejected() throws Exception {
        try (LogCapture log = new LogCapture();
             HikariDataSource ds = TestDatabases.H2.fresh(2);
             Instance app = new Instance("inbox-keys", ds.getJdbcUrl(), ds.getUsername(),
                     Map.of("intake.sql.inbox.poll-interval", "50", "journal.pool-size", "4"))) {
            insert(ds, "sql-ctl-1\nFORGED-LINE INFO ok", "B2CInvoice/TriggerIssue", "{\"Tsr\":\"SQLCTL1\",\"PayType\":\"2\"}");
            insert(ds, "sql-ctl-2\u001b[2J", "B2CInvoice/TriggerIssue", "{\"Tsr\":\"SQLCTL2\",\"PayType\":\"2\"}");
            insert(ds, "sql-ctl-3", "B2CInvoice/TriggerIssue", "{\"Tsr\":\"SQL\\u0000CTL3\",\"PayType\":\"2\"}");
            insert(ds, "sql-ctl-4", "B2CInvoice/TriggerIssue", "{\"Tsr\":\"SQLCTL4\",\"PayType\":\"2\"}");
            Sql.await("every inbox row handled", 20_000,
                    () -> Sql.rows(ds, "SELECT id FROM ecpay_inbox WHERE status = 'NEW'").isEmpty());

            var inbox = Sql.byKey(ds, "SELECT * FROM ecpay_inbox", "id");
            assertEquals("REJECTED", inbox.get("sql-ctl-1\nFORGED-LINE INFO ok").get("status"));
            assertTrue(((String) inbox.get("sql-ctl-1\nFORGED-LINE INFO ok").get("reason")).contains("id holds the control character U+000A"),
                    inbox.toString());
            assertEquals("REJECTED", inbox.get("sql-ctl-2\u001b[2J").get("status"));
            assertEquals("REJECTED", inbox.get("sql-ctl-3").get("status"));
            assertTrue(((String) inbox.get("sql-ctl-3").get("reason")).contains("Tsr holds the control character U+0000"),
                    inbox.get("sql-ctl-3").toString());
            assertEquals("TAKEN", inbox.get("sql-ctl-4").get("status"));
            assertEquals(1, Sql.rows(ds, "SELECT id FROM ecpay_command").size());

            // the log names the rejected rows with their control characters escaped: no forged line, no raw ESC
            String logged = log.since(0);
            assertTrue(logged.contains("row sql-ctl-1\\nFORGED-LINE INFO ok rejected"), logged);
            assertTrue(logged.contains("row sql-ctl-2\\u001B[2J rejected"), logged);
            assertFalse(logged.contains("\nFORGED-LINE"), logged);
            assertFalse(logged.contains("\u001b"), logged);
        }
    }

    private static void insert(HikariDataSource ds, String id, String operation, String payload) throws Exception {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO ecpay_inbox (id, operation, payload) VALUES (?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, operation);
            ps.setString(3, payload);
            ps.executeUpdate();
        }
    }
}
