package tw.einvoice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.testing.TestDatabases;

/** What the schema must mean the same on every database. */
class MigrationsTest {

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void theInboxInsertionTimeIsUtcWhateverTheSessionTimeZone(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2); Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(db == TestDatabases.MARIADB ? "SET time_zone = '+08:00'" : "SET TIME ZONE 'Asia/Taipei'");
            s.executeUpdate("INSERT INTO ecpay_inbox (id, operation, payload) "
                    + "VALUES ('tz-1', 'B2CInvoice/TriggerIssue', '{\"Tsr\":\"TZ1\",\"PayType\":\"2\"}')");
            try (ResultSet rs = s.executeQuery("SELECT created_at FROM ecpay_inbox WHERE id = 'tz-1'")) {
                rs.next();
                LocalDateTime created = rs.getObject(1, LocalDateTime.class);
                Duration off = Duration.between(LocalDateTime.now(ZoneOffset.UTC), created).abs();
                assertTrue(off.toMinutes() < 2, "created_at " + created + " is not UTC");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void idsThatDifferOnlyInLetterCaseAreTwoCommands(TestDatabases db) {
        try (HikariDataSource ds = db.fresh(2)) {
            Journal journal = new Journal(ds, Clock.systemUTC());
            for (String id : new String[] {"ERP-a1", "ERP-A1"}) {
                Command cmd = Command.parse("{\"id\":\"" + id + "\",\"operation\":\"B2CInvoice/CancelDelayIssue\","
                        + "\"data\":{\"Tsr\":\"" + id.replace("-", "") + "\"}}", OperationCatalog.standard(), "2000132");
                assertEquals(Journal.Insert.INSERTED, journal.insert(cmd, null), id);
            }
        }
    }
}
