package tw.einvoice.intake.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.testing.TestDatabases;

/**
 * The whole way: rows in the ERP's outbox table → SQL intake → journal → dispatch → the local ECPay sandbox →
 * journal → results written back to the ERP rows (state, RtnCode, RtnMsg, InvoiceNo), with the shipped routes.
 */
class SqlIntakeEndToEndTest {

    static EcpaySandbox sandbox;

    @BeforeAll
    static void startSandbox() {
        sandbox = EcpaySandbox.builder().port(0).start();
    }

    @AfterAll
    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void outboxRowsAreIssuedAtTheSandboxAndTheErpSeesTheInvoiceNumbers(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2)) {
            Sql.runFile(ds, "examples/erp-outbox/schema.sql");
            Map<String, String> p = new HashMap<>(SqlIntakeFlowTest.FAST);
            p.put("intake.sql.mapped.enabled", "true");
            p.put("intake.sql.inbox.enabled", "false");
            p.put("ecpay.base-url", sandbox.baseUrl());
            p.put("ecpay.channel.success", "mock:success");
            p.put("ecpay.dispatch.poll-interval", "50");
            p.put("ecpay.dispatch.initial-delay", "0");
            String routes = Instance.ROUTES + ",file:routes/ecpay-call.camel.yaml,file:routes/dispatch.camel.yaml";
            try (Instance app = new Instance("e2e", routes, ds.getJdbcUrl(), ds.getUsername(), p)) {
                String items = "'[{\"ItemName\":\"咖啡豆\",\"ItemCount\":2,\"ItemWord\":\"包\",\"ItemPrice\":250,\"ItemAmount\":500}]'";
                String cols = "INSERT INTO erp_invoice_outbox (outbox_id, order_no, customer_email, total_amount, items_json) VALUES ";
                String run = Long.toString(System.nanoTime(), 36).toUpperCase();
                Sql.update(ds, cols + "(1, 'E2E" + run + "A', 'a@example.com', 500, " + items + ")");
                Sql.update(ds, cols + "(2, 'E2E" + run + "B', 'b@example.com', 500, " + items + ")");
                Sql.update(ds, cols + "(3, 'E2E#" + run + "', 'c@example.com', 500, " + items + ")");
                Sql.await("both invoices issued and written back", 30_000, () -> {
                    var rows = Sql.byKey(ds, "SELECT * FROM erp_invoice_outbox", "outbox_id");
                    return "SUCCEEDED".equals(rows.get("1").get("ecpay_status")) && "SUCCEEDED".equals(rows.get("2").get("ecpay_status"));
                });
                var rows = Sql.byKey(ds, "SELECT * FROM erp_invoice_outbox", "outbox_id");
                for (String key : new String[] {"1", "2"}) {
                    var row = rows.get(key);
                    assertEquals(1, ((Number) row.get("ecpay_rtn_code")).intValue(), row.toString());
                    assertTrue(String.valueOf(row.get("invoice_no")).matches("[A-Z]{2}[0-9]{8}"), row.toString());
                    String relate = "E2E" + run + (key.equals("1") ? "A" : "B");
                    assertEquals(1, sandbox.ledger().issuedCount("2000132", relate), "issued once: " + relate);
                    assertEquals(row.get("invoice_no"), sandbox.ledger().invoice("2000132", relate).orElseThrow().invoiceNo());
                }
                assertEquals("REJECTED", rows.get("3").get("ecpay_status"));
                assertTrue(String.valueOf(rows.get("3").get("ecpay_reason")).contains("RelateNumber"));
            }
        }
    }
}
