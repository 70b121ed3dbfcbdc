package tw.einvoice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.testing.TestDatabases;

class JournalInsertTest {

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void theSameCommandIdIsJournaledOnceAndReportedAsDuplicate(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2)) {
            Journal journal = new Journal(ds, Clock.systemUTC());
            Command cmd = Command.parse("{\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"Tsr\":\"T中文1\",\"PayType\":\"2\"}}",
                    OperationCatalog.standard(), "2000132");
            assertEquals("B2CInvoice/TriggerIssue:2000132:T中文1", cmd.id());
            assertEquals(Journal.Insert.INSERTED, journal.insert(cmd, Source.file("in/a.jsonl", 1)));
            assertEquals(Journal.Insert.DUPLICATE, journal.insert(cmd, Source.file("in/a.jsonl", 1)));
            try (Connection c = ds.getConnection();
                 ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*), MAX(state), MAX(payload) FROM ecpay_command")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
                assertEquals("NEW", rs.getString(2));
                assertEquals("{\"Tsr\":\"T中文1\",\"PayType\":\"2\",\"MerchantID\":\"2000132\"}", rs.getString(3));
            }
        }
    }
}
