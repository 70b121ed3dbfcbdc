package tw.einvoice.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.time.LocalDate;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * The shipped report routes with the shipped properties: yesterday's summary (Asia/Taipei) is written by the schedule
 * without being asked, and any day's on demand through direct:daily-summary.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/reports.camel.yaml",
                "journal.url=jdbc:h2:mem:daily-summary-route;DB_CLOSE_DELAY=-1",
                "reports.summary.dir=target/daily-summary-route/reports", "reports.summary.time=00:00",
                "reports.summary.check-ms=200"})
class DailySummaryRouteTest {

    static final Path REPORTS = Paths.get("target/daily-summary-route/reports");

    static {
        try {
            if (Files.isDirectory(REPORTS)) {
                try (var s = Files.list(REPORTS)) {
                    for (Path p : s.toList()) {
                        Files.delete(p);
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeanInject
    CamelContext context;

    @Test
    void yesterdayOnScheduleAndAnyDayOnDemand() throws Exception {
        DataSource ds = context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
        try (Connection c = ds.getConnection()) {
            DailySummaryTest.insert(c, "x1", DailySummaryTest.ISSUE, "2000132", "SUCCEEDED", "2026-11-20T04:00:00",
                    "{\"SalesAmount\":250}");
            DailySummaryTest.insert(c, "x2", DailySummaryTest.ISSUE, "2000132", "SUCCEEDED", "2026-11-20T05:00:00",
                    "{\"SalesAmount\":750}");
        }
        LocalDate yesterday = LocalDate.now(DailySummary.TAIPEI).minusDays(1);
        Path scheduled = REPORTS.resolve("summary-" + yesterday + ".csv");
        long deadline = System.currentTimeMillis() + 10_000;
        while (!Files.exists(scheduled) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(scheduled), "yesterday's summary was not written by the schedule");

        ProducerTemplate producer = context.createProducerTemplate();
        Path written = producer.requestBodyAndHeader("direct:daily-summary", null, DailySummary.DATE_HEADER, "2026-11-20",
                Path.class);
        assertEquals(REPORTS.resolve("summary-2026-11-20.csv").toAbsolutePath(), written.toAbsolutePath());
        assertEquals(List.of("date,merchant_id,operation,state,commands,amount",
                "2026-11-20,2000132,B2CInvoice/Issue,SUCCEEDED,2,1000"), Files.readAllLines(written, StandardCharsets.UTF_8));
    }
}
