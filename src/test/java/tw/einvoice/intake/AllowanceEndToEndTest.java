package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.intake.IntakeFixtures.await;
import static tw.einvoice.intake.IntakeFixtures.count;
import static tw.einvoice.intake.IntakeFixtures.drop;
import static tw.einvoice.intake.IntakeFixtures.query;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tw.einvoice.sandbox.EcpaySandbox;

/**
 * An allowance (折讓) from an ERP drop to ECPay and back, with the shipped routes: the quick start's first invoice is
 * issued, {@code examples/allowances.jsonl} is dropped (one allowance, one whose amount is not its items' total, one without
 * an id: an allowance has no key at ECPay), then {@code examples/allowance-invalid.jsonl} voids the allowance. The sandbox runs on 2026-11-22 (Taipei), the
 * date the examples name, so its first invoice is AB12345000 and its first allowance 2026112200000001.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml,"
                + "file:routes/dispatch.camel.yaml,file:routes/intake-file.camel.yaml",
                "journal.url=jdbc:h2:mem:allowance-e2e;DB_CLOSE_DELAY=-1",
                "intake.file.inbox=target/allowance-e2e/inbox", "intake.file.archive-dir=target/allowance-e2e/archive",
                "intake.file.poll-ms=100", "intake.file.read-lock-check-ms=200", "intake.file.quiet-ms=300", "intake.results.period-ms=200",
                "ecpay.result-codes=src/test/resources/dispatch/result-codes-fast.properties",
                "ecpay.channel.success=file:target/allowance-e2e/outbox/success?tempPrefix=.writing-",
                "ecpay.channel.dead-letter=file:target/allowance-e2e/outbox/dead-letter?tempPrefix=.writing-",
                "ecpay.dispatch.poll-interval=50", "ecpay.dispatch.initial-delay=0", "ecpay.dispatch.lease=PT5S",
                "ecpay.dispatch.backoff-base=20ms", "ecpay.dispatch.backoff-cap=200ms", "ecpay.dispatch.unknown-delay=50ms"})
class AllowanceEndToEndTest {

    static final Path ROOT = Paths.get("target/allowance-e2e");
    static final String M = "2000132";
    static final EcpaySandbox SANDBOX;

    static {
        IntakeFixtures.deleteTree(ROOT);
        // 10:00 in Taipei on the examples' day; requests carry today's Timestamp, so the window is wide
        SANDBOX = EcpaySandbox.builder().port(0).clock(Clock.fixed(Instant.parse("2026-11-22T02:00:00Z"), ZoneOffset.UTC))
                .timestampWindow(Duration.ofDays(3650)).start();
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
    void anAllowanceDroppedAsJsonLinesIsIssuedReportedAndVoided() throws Exception {
        DataSource ds = context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
        // the quick start's first invoice (examples/issue-invoices.jsonl, line 1): two pens, 100
        String issue = Files.readAllLines(Paths.get("examples/issue-invoices.jsonl")).get(0);
        Exchange issued = context.createProducerTemplate().request("direct:ecpay-call", e -> e.getMessage().setBody(issue));
        assertNull(issued.getException());
        assertEquals("AB12345000", SANDBOX.ledger().invoice(M, "ORD20261122001").orElseThrow().invoiceNo());
        assertEquals("2026-11-22 10:00:00", SANDBOX.ledger().invoice(M, "ORD20261122001").orElseThrow().invoiceDate());

        Path inbox = ROOT.resolve("inbox");
        drop(Files.readAllBytes(Paths.get("examples/allowances.jsonl")), inbox, "returns.jsonl");
        List<CSVRecord> result = reported(ds, "returns.jsonl");
        assertEquals(3, result.size());
        CSVRecord made = result.get(0);
        assertEquals("RET-20261122-0001", made.get("id"));
        assertEquals("SUCCEEDED", made.get("state"), made.toString());
        assertEquals("2026112200000001", made.get("IA_Allow_No"));
        assertEquals("50", made.get("IA_Remain_Allowance_Amt"));
        assertEquals("REJECTED", result.get(1).get("state"));
        assertTrue(result.get(1).get("reason").contains("AllowanceAmount is 60, but the Items[].ItemAmount values add up to 50"),
                result.get(1).toString());
        assertEquals("REJECTED", result.get(2).get("state"));
        // an allowance has no key of its own at ECPay: the ERP gives each one its id
        assertTrue(result.get(2).get("reason").contains("id is required: the command has no id and no business key"), result.get(2).toString());
        assertEquals("ISSUED", SANDBOX.ledger().allowance(M, "2026112200000001").orElseThrow().state());
        assertEquals(50L, SANDBOX.ledger().remainingAllowance(M, "AB12345000").orElseThrow());
        assertEquals(1, count(ds, "SELECT COUNT(*) FROM ecpay_command WHERE id = 'RET-20261122-0001' AND state = 'SUCCEEDED'"));

        drop(Files.readAllBytes(Paths.get("examples/allowance-invalid.jsonl")), inbox, "returns-void.jsonl");
        List<CSVRecord> voided = reported(ds, "returns-void.jsonl");
        assertEquals("SUCCEEDED", voided.get(0).get("state"), voided.get(0).toString());
        assertEquals("1", voided.get(0).get("RtnCode"));
        assertEquals("REJECTED", voided.get(1).get("state"));
        assertTrue(voided.get(1).get("reason").contains("Reason is 24 characters, longer than the 20 allowed"), voided.get(1).toString());
        assertEquals("VOID", SANDBOX.ledger().allowance(M, "2026112200000001").orElseThrow().state());
        assertEquals("客戶取消退貨", SANDBOX.ledger().allowance(M, "2026112200000001").orElseThrow().reason());
        assertEquals(100L, SANDBOX.ledger().remainingAllowance(M, "AB12345000").orElseThrow(), "what was allowed is back");

        // the invoice can be voided now; a second Invalid of it (another id) is answered 5070453, and the dispatcher's lookup
        // (GetIssue showing it voided) is the evidence it stands on
        String invalid = "{\"id\":\"%s\",\"operation\":\"B2CInvoice/Invalid\",\"data\":{\"InvoiceNo\":\"AB12345000\","
                + "\"InvoiceDate\":\"2026-11-22\",\"Reason\":\"整筆退貨\"}}\n";
        drop((invalid.formatted("VOID-AB12345000-A") + invalid.formatted("VOID-AB12345000-B")).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                inbox, "voids.jsonl");
        List<CSVRecord> voids = reported(ds, "voids.jsonl");
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED"), voids.stream().map(r -> r.get("state")).toList(), voids.toString());
        List<String> evidence = query(ds, "SELECT evidence FROM ecpay_command WHERE id LIKE 'VOID-AB12345000-%' ORDER BY evidence").stream()
                .map(r -> String.valueOf(r.get("evidence"))).toList();
        assertEquals(List.of("LOOKUP_WITHOUT_RECORD", "REPLY"), evidence);
        assertTrue(SANDBOX.ledger().invoice(M, "ORD20261122001").orElseThrow().invalid());
        assertTrue(SANDBOX.ledger().requests("B2CInvoice/GetIssue") >= 1, "the lookup was made");
    }

    /** Waits for the drop's result file and reads it. */
    static List<CSVRecord> reported(DataSource ds, String name) throws Exception {
        await(name + " reported", 60_000, () -> count(ds,
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE state = 'REPORTED' AND original_name = '" + name + "'") == 1);
        String source = (String) query(ds, "SELECT source_name FROM ecpay_intake_file WHERE original_name = ?", name).get(0).get("source_name");
        return IntakeFixtures.csv(ROOT.resolve("archive").resolve(DropFormat.stem(source) + ".result.csv"));
    }
}
