package tw.einvoice.intake.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tw.einvoice.testing.TestDatabases;

/**
 * The inbox rows of {@code examples/inbox/b2c-operations.sql} are journaled by the shipped SQL intake as they are, objects
 * and lists in the payload included (an allowance with its items, a VoidWithReIssue with its VoidModel and IssueModel).
 */
class B2CInboxExamplesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theB2CInboxExamplesAreJournaledWithTheirObjects() throws Exception {
        try (HikariDataSource ds = TestDatabases.H2.fresh(2);
             Instance app = new Instance("inbox", ds.getJdbcUrl(), ds.getUsername(), Map.of("intake.sql.inbox.poll-interval", "50"))) {
            Sql.runFile(ds, "examples/inbox/b2c-operations.sql");
            Sql.await("every inbox row handled", 20_000, () -> Sql.rows(ds, "SELECT id FROM ecpay_inbox WHERE status = 'NEW'").isEmpty());
            var journal = Sql.byKey(ds, "SELECT * FROM ecpay_command", "id");
            assertEquals(4, journal.size(), journal.keySet().toString());
            assertEquals("B2CInvoice/Allowance", journal.get("erp-return-R0001").get("operation"));
            JsonNode allowance = JSON.readTree((String) journal.get("erp-return-R0001").get("payload"));
            assertEquals(50, allowance.path("Items").get(0).path("ItemAmount").asInt());
            JsonNode reissue = JSON.readTree((String) journal.get("erp-reissue-AB12345000").get("payload"));
            assertEquals("AB12345000", reissue.path("VoidModel").path("InvoiceNo").asText());
            assertEquals("2026-11-22 10:00:00", reissue.path("IssueModel").path("InvoiceDate").asText());
            assertEquals("2000132", JSON.readTree((String) journal.get("erp-check-love-168001").get("payload")).path("MerchantID").asText());
            assertEquals("TAKEN", Sql.byKey(ds, "SELECT * FROM ecpay_inbox", "id").get("erp-return-R0001-void").get("status"));
        }
    }
}
