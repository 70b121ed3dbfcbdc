package tw.einvoice.intake.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.testing.TestDatabases;

/**
 * A second ERP table added the documented way (docs/database-intake.md, "Adding a second ERP table"): one
 * templatedRoute of the shipped route template sql-intake and its own SQL files, beside the mapped example table.
 * Each table's rows are taken into the journal under its own source, and each gets its own results written back.
 */
class SecondTableTest {

    static final String ROUTES = Instance.ROUTES + ",file:src/test/resources/second-table/pos-sale.camel.yaml";
    static final String ITEMS = "'[{\"ItemName\":\"咖啡豆\",\"ItemCount\":2,\"ItemWord\":\"包\",\"ItemPrice\":250,\"ItemAmount\":500}]'";

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void aSecondTableIsTakenAndGetsItsResultsBeside(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2)) {
            Sql.runFile(ds, "examples/erp-outbox/schema.sql");
            Sql.runFile(ds, "src/test/resources/second-table/schema.sql");
            Map<String, String> props = new HashMap<>(SqlIntakeFlowTest.FAST);
            props.put("intake.sql.mapped.enabled", "true");
            props.put("intake.sql.inbox.enabled", "false");
            try (Instance app = new Instance("second-table", ROUTES, ds.getJdbcUrl(), ds.getUsername(), props)) {
                assertEquals(ServiceStatus.Started, app.context().getRouteController().getRouteStatus("intake-sql-pos-sale"));
                assertEquals(ServiceStatus.Started, app.context().getRouteController().getRouteStatus("intake-sql-mapped"));
                Sql.update(ds, "INSERT INTO erp_invoice_outbox (outbox_id, order_no, customer_email, total_amount, items_json) "
                        + "VALUES (1, 'ORDER1', 'a@example.com', 500, " + ITEMS + ")");
                Sql.update(ds, "INSERT INTO pos_sale (sale_id, receipt_no, email, amount, lines_json) VALUES (1, 'POS1', 'p@example.com', 500, " + ITEMS + ")");
                Sql.update(ds, "INSERT INTO pos_sale (sale_id, receipt_no, email, amount, lines_json) VALUES (2, 'POS2', 'q@example.com', 500, 'two coffees')");
                Sql.await("both tables' rows handled", 20_000,
                        () -> Sql.rows(ds, "SELECT sale_id FROM pos_sale WHERE state = 'OPEN'").isEmpty()
                                && Sql.rows(ds, "SELECT outbox_id FROM erp_invoice_outbox WHERE ecpay_status = 'PENDING'").isEmpty());

                var journal = Sql.byKey(ds, "SELECT * FROM ecpay_command", "id");
                assertEquals(2, journal.size(), journal.keySet().toString());
                assertEquals("pos_sale", journal.get("B2CInvoice/Issue:2000132:POS1").get("source_name"));
                assertEquals("1", journal.get("B2CInvoice/Issue:2000132:POS1").get("source_ref"));
                assertEquals("erp_invoice_outbox", journal.get("B2CInvoice/Issue:2000132:ORDER1").get("source_name"));
                var sales = Sql.byKey(ds, "SELECT * FROM pos_sale", "sale_id");
                assertEquals("TAKEN", sales.get("1").get("state"));
                assertEquals("REJECTED", sales.get("2").get("state"));
                assertTrue(((String) sales.get("2").get("note")).contains("Items"), sales.get("2").toString());

                // as dispatch would record results: each table gets its own command's result, by its own result SQL
                Sql.update(ds, "UPDATE ecpay_command SET state = 'SUCCEEDED', last_rtn_code = 1, last_rtn_msg = '開立發票成功', "
                        + "reply = '{\"RtnCode\":1,\"InvoiceNo\":\"ZX00000002\"}' WHERE id = 'B2CInvoice/Issue:2000132:POS1'");
                Sql.update(ds, "UPDATE ecpay_command SET state = 'DEAD', last_rtn_code = 5070357, last_rtn_msg = '發票號碼重複', "
                        + "last_reason = 'RelateNumber used before' WHERE id = 'B2CInvoice/Issue:2000132:ORDER1'");
                Sql.await("results written back to both tables", 10_000, () ->
                        "SUCCEEDED".equals(Sql.byKey(ds, "SELECT * FROM pos_sale", "sale_id").get("1").get("state"))
                                && "DEAD".equals(Sql.byKey(ds, "SELECT * FROM erp_invoice_outbox", "outbox_id").get("1").get("ecpay_status")));
                sales = Sql.byKey(ds, "SELECT * FROM pos_sale", "sale_id");
                assertEquals("ZX00000002", sales.get("1").get("invoice"));
                assertEquals(1, ((Number) sales.get("1").get("rtn_code")).intValue());
                assertEquals("REJECTED", sales.get("2").get("state"), "a rejected row keeps its reason");
                assertEquals("RelateNumber used before",
                        Sql.byKey(ds, "SELECT * FROM erp_invoice_outbox", "outbox_id").get("1").get("ecpay_reason"));
            }
        }
    }
}
