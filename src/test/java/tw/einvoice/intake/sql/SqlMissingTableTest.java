package tw.einvoice.intake.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tw.einvoice.app.RuntimeConfig;
import tw.einvoice.app.StartupChecks;
import tw.einvoice.app.StartupException;
import tw.einvoice.intake.LogLines;
import tw.einvoice.testing.TestDatabases;

/**
 * INTAKE_SQL_MAPPED_ENABLED=true before the ERP table exists: the main job refuses to start with one line; a runtime
 * that starts anyway (Camel JBang, Karaf) says it once, pauses its polls and is DOWN (Camel's consumer health check),
 * instead of a stack trace every poll - and takes the rows in once the table is there.
 */
class SqlMissingTableTest {

    @BeforeAll
    static void capture() {
        LogLines.start();
    }

    @AfterAll
    static void release() {
        LogLines.stop();
    }

    @Test
    void theMainJobRefusesToStartInOneLine() throws Exception {
        try (HikariDataSource ds = TestDatabases.H2.fresh(2)) {
            Properties p = new Properties();
            p.setProperty("journal.url", ds.getJdbcUrl());
            p.setProperty("intake.sql.mapped.enabled", "true");
            try (RuntimeConfig config = RuntimeConfig.of("sandbox", java.nio.file.Path.of("config"), p)) {
                StartupException e = org.junit.jupiter.api.Assertions.assertThrows(StartupException.class,
                        () -> new StartupChecks(config).sqlSources());
                assertTrue(e.getMessage().startsWith("intake.sql.mapped.enabled=true, but the ERP source cannot be read with "
                        + "intake.sql.mapped.select (examples/erp-outbox/select.sql): "), e.getMessage());
                assertTrue(e.getMessage().toUpperCase(java.util.Locale.ROOT).contains("ERP_INVOICE_OUTBOX"), e.getMessage());
                assertTrue(!e.getMessage().contains("\n"), e.getMessage());
            }
            Sql.runFile(ds, "examples/erp-outbox/schema.sql");
            try (RuntimeConfig config = RuntimeConfig.of("sandbox", java.nio.file.Path.of("config"), p)) {
                new StartupChecks(config).sqlSources(); // the table exists: passes
            }
        }
    }

    @Test
    void aRouteWhoseTableIsMissingSaysSoOnceAndTakesTheRowsOnceItExists() throws Exception {
        try (HikariDataSource ds = TestDatabases.H2.fresh(2)) {
            Map<String, String> props = new HashMap<>(SqlIntakeFlowTest.FAST);
            props.put("intake.sql.mapped.enabled", "true");
            props.put("intake.sql.inbox.enabled", "false");
            props.put("intake.sql.retry-max", "PT1S");
            // the table is there at start (the startup checks refuse to start without it, on every runtime) and is
            // then dropped, as an ERP's maintenance might
            Sql.runFile(ds, "examples/erp-outbox/schema.sql");
            try (Instance app = new Instance("missing-table", ds.getJdbcUrl(), ds.getUsername(), props)) {
                int mark = LogLines.mark();
                Sql.update(ds, "DROP TABLE erp_invoice_outbox");
                // 8 s of polls every 50 ms: 160 polls, the default 1 s poll's 2 minutes and 40 s
                Thread.sleep(8_000);
                List<String> lines = LogLines.since(mark).stream().filter(l -> l.contains("intake-sql-mapped")
                        || l.contains("SqlPollStrategy") || l.startsWith("\tat ") || l.contains("Failed polling")).toList();
                assertEquals(1, lines.size(), String.join("\n", lines));
                assertTrue(lines.get(0).contains("SQL intake route intake-sql-mapped cannot poll its source")
                        && lines.get(0).toUpperCase(java.util.Locale.ROOT).contains("ERP_INVOICE_OUTBOX"), lines.get(0));
                HealthCheck.Result consumer = HealthCheckHelper.invoke(app.context(), "full").stream()
                        .filter(r -> r.getCheck().getId().equals("consumer:intake-sql-mapped")).findFirst().orElseThrow();
                assertEquals(HealthCheck.State.DOWN, consumer.getState());

                Sql.runFile(ds, "examples/erp-outbox/schema.sql");
                Sql.update(ds, "INSERT INTO erp_invoice_outbox (outbox_id, order_no, customer_email, total_amount, items_json) "
                        + "VALUES (1, 'LATE1', 'a@example.com', 100, '[{\"ItemName\":\"pen\",\"ItemCount\":1,\"ItemWord\":\"pc\","
                        + "\"ItemPrice\":100,\"ItemAmount\":100}]')");
                Sql.await("the row taken once the table exists", 10_000, () -> !Sql.rows(ds,
                        "SELECT outbox_id FROM erp_invoice_outbox WHERE ecpay_status = 'TAKEN'").isEmpty());
                Sql.await("the log line that the route polls again", 10_000,
                        () -> LogLines.since(mark).stream().anyMatch(l -> l.contains("intake-sql-mapped polls again")));
            }
        }
    }
}
