package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.intake.IntakeFixtures.await;
import static tw.einvoice.intake.IntakeFixtures.count;
import static tw.einvoice.intake.IntakeFixtures.drop;
import static tw.einvoice.intake.IntakeFixtures.query;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tw.einvoice.sandbox.EcpaySandbox;

/**
 * The whole flow with the shipped routes: example drops (every seed operation, good and bad lines, both formats) are
 * taken in, dispatched to the local ECPay sandbox, and answered with result and rejects files that agree line by
 * line with the journal and with what the sandbox holds.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml,"
                + "file:routes/dispatch.camel.yaml,file:routes/intake-file.camel.yaml",
                "journal.url=jdbc:h2:mem:intake-e2e;DB_CLOSE_DELAY=-1",
                "intake.file.inbox=target/intake-e2e/inbox", "intake.file.archive-dir=target/intake-e2e/archive",
                "intake.file.poll-ms=100", "intake.file.read-lock-check-ms=200", "intake.file.quiet-ms=300", "intake.results.period-ms=200",
                "ecpay.result-codes=src/test/resources/dispatch/result-codes-fast.properties",
                "ecpay.channel.success=file:target/intake-e2e/outbox/success?tempPrefix=.writing-",
                "ecpay.channel.dead-letter=file:target/intake-e2e/outbox/dead-letter?tempPrefix=.writing-",
                "ecpay.dispatch.poll-interval=50", "ecpay.dispatch.initial-delay=0", "ecpay.dispatch.lease=PT5S",
                "ecpay.dispatch.backoff-base=20ms", "ecpay.dispatch.backoff-cap=200ms", "ecpay.dispatch.unknown-delay=50ms"})
class IntakeSandboxEndToEndTest {

    static final Path ROOT = Paths.get("target/intake-e2e");
    static final EcpaySandbox SANDBOX;

    static {
        IntakeFixtures.deleteTree(ROOT);
        SANDBOX = EcpaySandbox.builder().port(0).start();
        System.setProperty("ecpay.base-url", SANDBOX.baseUrl());
    }

    @AfterAll
    static void stop() {
        System.clearProperty("ecpay.base-url");
        SANDBOX.close();
    }

    @BeanInject
    CamelContext context;

    @Test
    void dropsAreSentToTheSandboxAndAnsweredLineByLine() throws Exception {
        DataSource ds = context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
        Path inbox = ROOT.resolve("inbox");
        drop(Files.readAllBytes(Paths.get("examples/seed-operations.jsonl")), inbox, "erp.jsonl");
        drop(Files.readAllBytes(Paths.get("examples/seed-operations.csv")), inbox, "erp.csv");
        await("both files reported", 60_000, () -> count(ds,
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE state = 'REPORTED' AND original_name IN ('erp.jsonl', 'erp.csv')") == 2);

        for (String name : List.of("erp.jsonl", "erp.csv")) {
            String source = (String) query(ds, "SELECT source_name FROM ecpay_intake_file WHERE original_name = ?", name)
                    .get(0).get("source_name");
            Map<String, Map<String, Object>> journal = query(ds, "SELECT id, state, last_rtn_code, last_rtn_msg, source_ref "
                    + "FROM ecpay_command WHERE source_name = ?", source).stream()
                    .collect(Collectors.toMap(r -> (String) r.get("source_ref"), r -> r));
            assertEquals(6, journal.size());
            String stem = DropFormat.stem(source);
            List<CSVRecord> result = IntakeFixtures.csv(ROOT.resolve("archive").resolve(stem + ".result.csv"));
            assertEquals(13, result.size());
            long dead = 0;
            for (CSVRecord row : result) {
                Map<String, Object> command = journal.get(row.get("line"));
                if (command == null) {
                    assertEquals("REJECTED", row.get("state"), row.toString());
                    continue;
                }
                assertEquals(command.get("id"), row.get("id"));
                assertEquals(command.get("state"), row.get("state"), row.toString());
                assertTrue(row.get("state").equals("SUCCEEDED") || row.get("state").equals("DEAD"), row.toString());
                assertEquals(String.valueOf(command.get("last_rtn_code")), row.get("RtnCode"), row.toString());
                assertEquals(command.get("last_rtn_msg"), row.get("RtnMsg"));
                dead += row.get("state").equals("DEAD") ? 1 : 0;
            }
            // the invoice in the result file is the one the sandbox issued, once
            String relate = name.endsWith(".jsonl") ? "EXREL20261122000002" : "CXREL20261122000002";
            CSVRecord issue = result.stream().filter(r -> ("B2CInvoice/Issue:2000132:" + relate).equals(r.get("id"))).findFirst().orElseThrow();
            assertEquals("SUCCEEDED", issue.get("state"));
            assertEquals(SANDBOX.ledger().invoice("2000132", relate).orElseThrow().invoiceNo(), issue.get("InvoiceNo"));
            assertEquals(1, SANDBOX.ledger().issuedCount("2000132", relate));
            Path rejects = ROOT.resolve("archive").resolve(stem + ".rejects." + (name.endsWith(".csv") ? "csv" : "jsonl"));
            long rejectLines = name.endsWith(".csv") ? IntakeFixtures.csv(rejects).size()
                    : IntakeFixtures.jsonLines(rejects).size();
            assertEquals(7 + dead, rejectLines);
        }
        // every seed operation reached the sandbox
        for (String op : List.of("B2CInvoice/UpdateInvoiceWordStatus", "B2CInvoice/CancelDelayIssue", "B2CInvoice/TriggerIssue",
                "B2CInvoice/GetInvalid", "B2BInvoice/IssueConfirm", "B2CInvoice/Issue")) {
            assertTrue(SANDBOX.ledger().requests(op) >= 2, op + " requests: " + SANDBOX.ledger().requests(op));
        }
    }

    /** The README's quick start: the invoices of examples/issue-invoices.jsonl are issued, the bad line explained. */
    @Test
    void theQuickStartExampleIssuesItsInvoicesAndTriggersTheStagedOne() throws Exception {
        DataSource ds = context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
        Path inbox = ROOT.resolve("inbox");
        drop(Files.readAllBytes(Paths.get("examples/issue-invoices.jsonl")), inbox, "issue-invoices.jsonl");
        await("issue-invoices reported", 60_000, () -> count(ds,
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'issue-invoices.jsonl' AND state = 'REPORTED'") == 1);
        String source = (String) query(ds, "SELECT source_name FROM ecpay_intake_file WHERE original_name = ?",
                "issue-invoices.jsonl").get(0).get("source_name");
        List<CSVRecord> result = IntakeFixtures.csv(ROOT.resolve("archive").resolve(DropFormat.stem(source) + ".result.csv"));
        assertEquals(5, result.size());
        for (String relate : List.of("ORD20261122001", "ORD20261122002", "ORD20261122003")) {
            CSVRecord row = result.stream().filter(r -> relate.equals(r.get("id"))).findFirst().orElseThrow();
            assertEquals("SUCCEEDED", row.get("state"), row.toString());
            assertEquals(SANDBOX.ledger().invoice("2000132", relate).orElseThrow().invoiceNo(), row.get("InvoiceNo"));
            assertEquals(4, row.get("RandomNumber").length(), row.toString());
        }
        CSVRecord staged = result.stream().filter(r -> "ORD20261122004".equals(r.get("id"))).findFirst().orElseThrow();
        assertEquals("SUCCEEDED", staged.get("state"), staged.toString());
        assertEquals(0, SANDBOX.ledger().issuedCount("2000132", "ORD20261122004"), "DelayFlag 2 waits for TriggerIssue");
        CSVRecord bad = result.get(4);
        assertEquals("REJECTED", bad.get("state"));
        assertTrue(bad.get("reason").contains("RelateNumber") && bad.get("reason").contains("LoveCode"), bad.toString());

        drop(Files.readAllBytes(Paths.get("examples/trigger-issue.jsonl")), inbox, "trigger-issue.jsonl");
        await("staged invoice issued", 60_000, () -> SANDBOX.ledger().issuedCount("2000132", "ORD20261122004") == 1);
        await("trigger reported", 60_000, () -> count(ds,
                "SELECT COUNT(*) FROM ecpay_command WHERE id = 'TRG20261122004' AND state = 'SUCCEEDED' AND last_rtn_code = 4000004") == 1);
    }
}
