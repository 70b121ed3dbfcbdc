package tw.einvoice.intake.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.testing.TestDatabases;

/**
 * Two rows of the mapped ERP outbox for the same order (the same RelateNumber, so the same command): one command is
 * journaled, and its outcome is written back to both rows, on each change of state - also to a third row for the
 * same order that arrives after the command ended. Before, the second row stayed TAKEN for ever.
 */
class SqlDuplicateRowsTest {

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void everyRowOfTheSameOrderGetsTheCommandsOutcome(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2)) {
            Sql.runFile(ds, "examples/erp-outbox/schema.sql");
            Map<String, String> props = new HashMap<>(SqlIntakeFlowTest.FAST);
            props.put("intake.sql.mapped.enabled", "true");
            props.put("intake.sql.inbox.enabled", "false");
            try (Instance app = new Instance("duplicates", ds.getJdbcUrl(), ds.getUsername(), props)) {
                String items = "'[{\"ItemName\":\"pen\",\"ItemCount\":1,\"ItemWord\":\"pc\",\"ItemPrice\":100,\"ItemAmount\":100}]'";
                String cols = "INSERT INTO erp_invoice_outbox (outbox_id, order_no, shop_merchant_id, customer_email, "
                        + "customer_phone, total_amount, items_json) VALUES ";
                Sql.update(ds, cols + "(11, 'DUP1', NULL, 'a@example.com', NULL, 100, " + items + ")");
                Sql.update(ds, cols + "(12, 'DUP1', NULL, 'a@example.com', NULL, 100, " + items + ")");
                Sql.await("both rows taken", 20_000,
                        () -> Sql.rows(ds, "SELECT outbox_id FROM erp_invoice_outbox WHERE ecpay_status = 'PENDING'").isEmpty());
                assertEquals(1, Sql.rows(ds, "SELECT id FROM ecpay_command").size(), "one command for the order");
                String id = "B2CInvoice/Issue:2000132:DUP1";

                // as dispatch would record them: a retry, then the invoice
                Sql.update(ds, "UPDATE ecpay_command SET state = 'RETRY', last_rtn_code = 9000001, last_rtn_msg = 'busy', "
                        + "last_reason = 'ECPay busy: retry later' WHERE id = '" + id + "'");
                Sql.await("RETRY written back to both rows", 10_000, () -> states(ds).equals(Map.of("11", "RETRY", "12", "RETRY")));
                Sql.update(ds, "UPDATE ecpay_command SET state = 'SUCCEEDED', last_rtn_code = 1, last_rtn_msg = 'ok', last_reason = NULL, "
                        + "reply = '{\"RtnCode\":1,\"RtnMsg\":\"ok\",\"InvoiceNo\":\"ZX00000011\"}' WHERE id = '" + id + "'");
                Sql.await("SUCCEEDED written back to both rows", 10_000,
                        () -> states(ds).equals(Map.of("11", "SUCCEEDED", "12", "SUCCEEDED")));

                // the order queued once more after the invoice was issued: not issued again, answered with the invoice
                Sql.update(ds, cols + "(13, 'DUP1', NULL, 'a@example.com', NULL, 100, " + items + ")");
                Sql.await("the late row answered", 10_000,
                        () -> states(ds).equals(Map.of("11", "SUCCEEDED", "12", "SUCCEEDED", "13", "SUCCEEDED")));
                var outbox = Sql.byKey(ds, "SELECT * FROM erp_invoice_outbox", "outbox_id");
                for (String row : new String[] {"11", "12", "13"}) {
                    assertEquals("ZX00000011", outbox.get(row).get("invoice_no"), row);
                    assertEquals(1, ((Number) outbox.get(row).get("ecpay_rtn_code")).intValue(), row);
                }
                assertEquals(1, Sql.rows(ds, "SELECT id FROM ecpay_command").size());
                // counted when the row's exchange completes, just after its transaction committed
                Sql.await("both later rows counted as duplicates", 10_000, () -> app.count(SqlIntake.Result.DUPLICATE) == 2);
            }
        }
    }

    private static Map<String, String> states(HikariDataSource ds) throws Exception {
        Map<String, String> out = new HashMap<>();
        Sql.byKey(ds, "SELECT * FROM erp_invoice_outbox", "outbox_id").forEach((k, v) -> out.put(k, (String) v.get("ecpay_status")));
        return out;
    }
}
