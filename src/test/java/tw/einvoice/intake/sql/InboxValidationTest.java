package tw.einvoice.intake.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.util.Map;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import tw.einvoice.testing.TestDatabases;
import tw.einvoice.camel.EcpayHeaders;

/**
 * What reaches ECPay is only what ECPay defines (issue 11), and formats are checked as ECPay documents them (issue 17):
 * rows of the SQL inbox through the shipped routes. A row with an unknown 1 MB field, a malformed CustomerEmail or a
 * negative ItemAmount is rejected with the operation, the field and why, and a dead-letter record; the good row in
 * the same batch is journaled.
 */
class InboxValidationTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static String issue(String relate) {
        return "{\"RelateNumber\":\"" + relate + "\",\"CustomerEmail\":\"buyer@example.com\",\"Print\":\"0\",\"Donation\":\"0\","
                + "\"TaxType\":\"1\",\"SalesAmount\":100,\"InvType\":\"07\",\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"pen\","
                + "\"ItemCount\":2,\"ItemWord\":\"pc\",\"ItemPrice\":50,\"ItemAmount\":100}]}";
    }

    @Test
    void unknownFieldsBadFormatsAndNegativeAmountsAreRejectedRowsWithADeadLetter() throws Exception {
        try (HikariDataSource ds = TestDatabases.H2.fresh(2);
             Instance app = new Instance("inbox-validation", ds.getJdbcUrl(), ds.getUsername(),
                     Map.of("intake.sql.inbox.poll-interval", "50", "journal.pool-size", "4"))) {
            String big = "x".repeat(1024 * 1024);
            String insert = "INSERT INTO ecpay_inbox (id, operation, payload) VALUES (?, 'B2CInvoice/Issue', ?)";
            insert(ds, insert, "good", issue("GOOD1"));
            insert(ds, insert, "padded", issue("PAD1").replace("{\"RelateNumber\"", "{\"Notes\":\"" + big + "\",\"RelateNumber\""));
            insert(ds, insert, "bad-email", issue("MAIL1").replace("buyer@example.com", "not-an-email"));
            insert(ds, insert, "negative", issue("NEG1").replace("\"ItemAmount\":100", "\"ItemAmount\":-100"));
            Sql.await("every inbox row handled", 20_000, () -> Sql.rows(ds, "SELECT id FROM ecpay_inbox WHERE status = 'NEW'").isEmpty());

            var inbox = Sql.byKey(ds, "SELECT id, status, reason FROM ecpay_inbox", "id");
            assertEquals("TAKEN", inbox.get("good").get("status"));
            assertEquals(1, Sql.rows(ds, "SELECT id FROM ecpay_command").size(), "only the good row is journaled");
            assertReason(inbox.get("padded"), "B2CInvoice/Issue: Notes is not a Data field ECPay defines for B2CInvoice/Issue");
            assertFalse(((String) inbox.get("padded").get("reason")).contains("xxxxxxxxxx"), "the value is not repeated");
            assertReason(inbox.get("bad-email"), "B2CInvoice/Issue: CustomerEmail is 'not-an-email', expected one e-mail address");
            assertReason(inbox.get("negative"), "B2CInvoice/Issue: SalesAmount is 100, but the Items[].ItemAmount values add up to -100");
            assertReason(inbox.get("negative"), "Items[0].ItemAmount is -100, but ItemPrice x ItemCount is 50 x 2 = 100");

            MockEndpoint dead = app.context().getEndpoint("mock:dead-letter", MockEndpoint.class);
            Sql.await("three dead letters", 5_000, () -> dead.getReceivedCounter() == 3);
            JsonNode padded = JSON.readTree(dead.getReceivedExchanges().stream()
                    .filter(e -> "padded".equals(e.getMessage().getHeader(EcpayHeaders.ROW_KEY))).findFirst().orElseThrow()
                    .getMessage().getBody(String.class));
            assertTrue(padded.toString().contains("Notes is not a Data field"), padded.toString());
        }
    }

    private static void insert(javax.sql.DataSource ds, String sql, String id, String payload) throws Exception {
        try (var c = ds.getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            ps.setString(2, payload);
            ps.executeUpdate();
        }
    }

    private static void assertReason(Map<String, Object> row, String expected) {
        assertEquals("REJECTED", row.get("status"), row.toString());
        String reason = (String) row.get("reason");
        assertTrue(reason.contains(expected), reason);
    }
}
