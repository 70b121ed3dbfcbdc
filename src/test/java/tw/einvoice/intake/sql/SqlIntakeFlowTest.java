package tw.einvoice.intake.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.util.Map;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.testing.TestDatabases;
import tw.einvoice.camel.EcpayHeaders;

/**
 * The shipped SQL intake routes and SQL files on each database: the direct inbox with the documented example inserts
 * and its status view, and the mapped erp_invoice_outbox example with bad rows and results written back.
 * (Dispatch is not part of these routes: journal rows are set final directly, as dispatch would.)
 */
class SqlIntakeFlowTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> FAST = Map.of("intake.sql.inbox.poll-interval", "50",
            "intake.sql.mapped.poll-interval", "50", "intake.sql.results.poll-interval", "50", "journal.pool-size", "4");

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void inboxTakesTheDocumentedInsertsAndTheViewShowsResults(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2);
             Instance app = new Instance("inbox", ds.getJdbcUrl(), ds.getUsername(), FAST)) {
            Sql.runFile(ds, "examples/inbox/seed-operations.sql");
            Sql.update(ds, "INSERT INTO ecpay_inbox (id, operation, payload) VALUES ('bad-json', 'B2CInvoice/TriggerIssue', '{\"Tsr\":')");
            Sql.update(ds, "INSERT INTO ecpay_inbox (id, operation, payload) VALUES ('bad-op', 'B2CInvoice/Nope', '{}')");
            Sql.update(ds, "INSERT INTO ecpay_inbox (id, operation, payload) VALUES ('bad-field', 'B2CInvoice/GetInvalid', "
                    + "'{\"RelateNumber\":\"R1\",\"InvoiceNo\":\"ab123\",\"InvoiceDate\":\"2024-13-45\"}')");
            Sql.await("every inbox row handled", 20_000,
                    () -> Sql.rows(ds, "SELECT id FROM ecpay_inbox WHERE status = 'NEW'").isEmpty());

            var journal = Sql.byKey(ds, "SELECT * FROM ecpay_command", "id");
            assertEquals(5, journal.size(), "the five seed examples are journaled: " + journal.keySet());
            var trigger = journal.get("erp-trigger-DL0002");
            assertEquals("B2CInvoice/TriggerIssue", trigger.get("operation"));
            assertEquals("NEW", trigger.get("state"));
            assertEquals("sql", trigger.get("source_kind"));
            assertEquals("ecpay_inbox", trigger.get("source_name"));
            assertEquals("erp-trigger-DL0002", trigger.get("source_ref"));
            assertEquals("2000132", JSON.readTree((String) journal.get("erp-getinvalid-AB12345678").get("payload")).get("MerchantID").asText(),
                    "a NULL merchant_id takes the configured merchant");
            assertEquals("已收到，確認開立", JSON.readTree((String) journal.get("erp-b2b-confirm-AB12345679").get("payload")).get("Remark").asText());

            var inbox = Sql.byKey(ds, "SELECT * FROM ecpay_inbox", "id");
            assertEquals("TAKEN", inbox.get("erp-cancel-DL0001").get("status"));
            assertEquals("REJECTED", inbox.get("bad-json").get("status"));
            assertTrue(((String) inbox.get("bad-json").get("reason")).contains("payload is not a JSON object"), inbox.get("bad-json").toString());
            assertTrue(((String) inbox.get("bad-op").get("reason")).contains("'B2CInvoice/Nope' is not a known operation"));
            String fieldReason = (String) inbox.get("bad-field").get("reason");
            assertTrue(fieldReason.contains("InvoiceNo") && fieldReason.contains("InvoiceDate"), fieldReason);

            MockEndpoint dead = app.context().getEndpoint("mock:dead-letter", MockEndpoint.class);
            Sql.await("three dead letters", 5_000, () -> dead.getReceivedCounter() == 3);
            JsonNode letter = JSON.readTree(dead.getReceivedExchanges().stream()
                    .filter(e -> "bad-op".equals(e.getMessage().getHeader(EcpayHeaders.ROW_KEY))).findFirst().orElseThrow()
                    .getMessage().getBody(String.class));
            assertEquals("sql:ecpay_inbox", letter.get("source").asText());
            assertEquals("B2CInvoice/Nope", letter.get("row").get("operation").asText());

            // as dispatch would record results
            Sql.update(ds, "UPDATE ecpay_command SET state = 'SUCCEEDED', last_rtn_code = 1, last_rtn_msg = '成功', "
                    + "reply = '{\"RtnCode\":1,\"RtnMsg\":\"成功\",\"InvoiceNo\":\"AB12345678\",\"InvoiceDate\":\"2024-01-15\"}' "
                    + "WHERE id = 'erp-getinvalid-AB12345678'");
            Sql.update(ds, "UPDATE ecpay_command SET state = 'DEAD', last_rtn_code = 5070453, last_rtn_msg = '查無資料', "
                    + "last_reason = 'no such delayed invoice' WHERE id = 'erp-cancel-DL0001'");
            var view = Sql.byKey(ds, "SELECT * FROM ecpay_inbox_status", "id");
            assertEquals(8, view.size());
            assertEquals("SUCCEEDED", view.get("erp-getinvalid-AB12345678").get("state"));
            assertEquals("AB12345678", view.get("erp-getinvalid-AB12345678").get("invoice_no"));
            assertEquals(1, ((Number) view.get("erp-getinvalid-AB12345678").get("rtn_code")).intValue());
            assertEquals("DEAD", view.get("erp-cancel-DL0001").get("state"));
            assertEquals("查無資料", view.get("erp-cancel-DL0001").get("rtn_msg"));
            assertEquals("NEW", view.get("erp-trigger-DL0002").get("state"));
            assertEquals("AB12345679", view.get("erp-b2b-confirm-AB12345679").get("invoice_no"), "from the command when the reply has none");
            assertEquals("REJECTED", view.get("bad-op").get("state"));
            assertTrue(((String) view.get("bad-op").get("reason")).contains("not a known operation"));
            assertNull(view.get("bad-op").get("rtn_code"));
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void mappedOutboxExampleTakesRowsRejectsBadOnesAndGetsResultsBack(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2)) {
            Sql.runFile(ds, "examples/erp-outbox/schema.sql");
            Map<String, String> props = new java.util.HashMap<>(FAST);
            props.put("intake.sql.mapped.enabled", "true");
            props.put("intake.sql.inbox.enabled", "false");
            try (Instance app = new Instance("mapped", ds.getJdbcUrl(), ds.getUsername(), props)) {
                String items = "'[{\"ItemName\":\"咖啡豆\",\"ItemCount\":2,\"ItemWord\":\"包\",\"ItemPrice\":250,\"ItemAmount\":500}]'";
                String cols = "INSERT INTO erp_invoice_outbox (outbox_id, order_no, shop_merchant_id, customer_email, customer_phone, total_amount, items_json) VALUES ";
                Sql.update(ds, cols + "(1, 'ORDER1', NULL, 'a@example.com', NULL, 500, " + items + ")");
                Sql.update(ds, cols + "(2, 'ORDER2', '2000132', NULL, '0912345678', 500, " + items + ")");
                Sql.update(ds, cols + "(3, 'ORDER3', NULL, 'c@example.com', NULL, 500, " + items + ")");
                Sql.update(ds, cols + "(4, 'ORDER4', NULL, 'd@example.com', NULL, 500, 'two coffees')");
                Sql.update(ds, cols + "(5, 'ORDER#5', NULL, 'e@example.com', NULL, 500, " + items + ")");
                Sql.update(ds, cols + "(6, 'ORDER6', NULL, NULL, NULL, 500, " + items + ")");
                Sql.await("every outbox row handled", 20_000,
                        () -> Sql.rows(ds, "SELECT outbox_id FROM erp_invoice_outbox WHERE ecpay_status = 'PENDING'").isEmpty());

                var journal = Sql.byKey(ds, "SELECT * FROM ecpay_command", "id");
                assertEquals(3, journal.size(), journal.keySet().toString());
                var first = journal.get("B2CInvoice/Issue:2000132:ORDER1");
                assertEquals("erp_invoice_outbox", first.get("source_name"));
                assertEquals("1", first.get("source_ref"));
                JsonNode data = JSON.readTree((String) first.get("payload"));
                assertEquals(500, data.get("SalesAmount").asInt());
                assertTrue(data.get("SalesAmount").isInt(), "DECIMAL column became an int field: " + data);
                assertEquals("咖啡豆", data.get("Items").get(0).get("ItemName").asText());
                assertEquals("07", data.get("InvType").asText());
                assertEquals("a@example.com", data.get("CustomerEmail").asText());

                var outbox = Sql.byKey(ds, "SELECT * FROM erp_invoice_outbox", "outbox_id");
                assertEquals("TAKEN", outbox.get("3").get("ecpay_status"));
                assertEquals("REJECTED", outbox.get("4").get("ecpay_status"));
                assertTrue(((String) outbox.get("4").get("ecpay_reason")).contains("Items"), outbox.get("4").toString());
                assertTrue(((String) outbox.get("5").get("ecpay_reason")).contains("RelateNumber"), outbox.get("5").toString());
                assertTrue(((String) outbox.get("6").get("ecpay_reason")).contains("CustomerEmail"), outbox.get("6").toString());
                MockEndpoint dead = app.context().getEndpoint("mock:dead-letter", MockEndpoint.class);
                Sql.await("three dead letters", 5_000, () -> dead.getReceivedCounter() == 3);

                // as dispatch would record results: the results route writes them back to the ERP rows
                Sql.update(ds, "UPDATE ecpay_command SET state = 'SUCCEEDED', last_rtn_code = 1, last_rtn_msg = '開立發票成功', "
                        + "reply = '{\"RtnCode\":1,\"RtnMsg\":\"開立發票成功\",\"InvoiceNo\":\"ZX00000001\",\"InvoiceDate\":\"2024-01-15 10:00:00\",\"RandomNumber\":\"1234\"}' "
                        + "WHERE id = 'B2CInvoice/Issue:2000132:ORDER1'");
                Sql.update(ds, "UPDATE ecpay_command SET state = 'RETRY', last_rtn_code = 9000001, last_rtn_msg = '系統錯誤', "
                        + "last_reason = 'ECPay busy: retry later' WHERE id = 'B2CInvoice/Issue:2000132:ORDER2'");
                Sql.await("results written back", 10_000, () -> {
                    var rows = Sql.byKey(ds, "SELECT * FROM erp_invoice_outbox", "outbox_id");
                    return "SUCCEEDED".equals(rows.get("1").get("ecpay_status")) && "RETRY".equals(rows.get("2").get("ecpay_status"));
                });
                Sql.update(ds, "UPDATE ecpay_command SET state = 'DEAD', last_rtn_code = 5070357, last_rtn_msg = '發票號碼重複', "
                        + "last_reason = 'RelateNumber used before' WHERE id = 'B2CInvoice/Issue:2000132:ORDER2'");
                Sql.await("a later state written back", 10_000, () -> "DEAD".equals(
                        Sql.byKey(ds, "SELECT * FROM erp_invoice_outbox", "outbox_id").get("2").get("ecpay_status")));

                outbox = Sql.byKey(ds, "SELECT * FROM erp_invoice_outbox", "outbox_id");
                assertEquals("ZX00000001", outbox.get("1").get("invoice_no"));
                assertEquals(1, ((Number) outbox.get("1").get("ecpay_rtn_code")).intValue());
                assertEquals("開立發票成功", outbox.get("1").get("ecpay_rtn_msg"));
                assertEquals(5070357, ((Number) outbox.get("2").get("ecpay_rtn_code")).intValue());
                assertEquals("RelateNumber used before", outbox.get("2").get("ecpay_reason"));
                assertEquals("TAKEN", outbox.get("3").get("ecpay_status"), "no result yet");
                assertEquals("REJECTED", outbox.get("4").get("ecpay_status"), "rejected rows keep their reason");
            }
        }
    }
}
