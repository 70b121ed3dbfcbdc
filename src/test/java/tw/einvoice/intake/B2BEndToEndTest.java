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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
 * The B2B examples from ERP drops to the sandbox and back, with the shipped routes (file intake, journal, dispatch, ECPay
 * call), one drop after the other as docs/operations.md orders them (the lines of one drop are sent in parallel, so a line
 * that needs another's result is in a later drop): the trading partners (CSV), an exchange-mode invoice, its confirm with an
 * allowance and a certificate-mode invoice, the allowance cancelled and a notice sent, then the cancel confirmed and both
 * invoices voided. The sandbox runs on
 * 2026-11-22 (Taipei), the date the examples name, so its first invoice is AB12345000 and its first allowance 2611220000000001.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml,"
                + "file:routes/dispatch.camel.yaml,file:routes/intake-file.camel.yaml",
                "journal.url=jdbc:h2:mem:b2b-e2e;DB_CLOSE_DELAY=-1",
                "intake.file.inbox=target/b2b-e2e/inbox", "intake.file.archive-dir=target/b2b-e2e/archive",
                "intake.file.poll-ms=100", "intake.file.read-lock-check-ms=200", "intake.file.quiet-ms=300", "intake.results.period-ms=200",
                "ecpay.result-codes=src/test/resources/dispatch/result-codes-fast.properties",
                "ecpay.channel.success=file:target/b2b-e2e/outbox/success?tempPrefix=.writing-",
                "ecpay.channel.dead-letter=file:target/b2b-e2e/outbox/dead-letter?tempPrefix=.writing-",
                "ecpay.dispatch.poll-interval=50", "ecpay.dispatch.initial-delay=0", "ecpay.dispatch.lease=PT5S",
                "ecpay.dispatch.backoff-base=20ms", "ecpay.dispatch.backoff-cap=200ms", "ecpay.dispatch.unknown-delay=50ms"})
class B2BEndToEndTest {

    static final Path ROOT = Paths.get("target/b2b-e2e");
    static final String M = "2000132";
    static final EcpaySandbox SANDBOX;

    static {
        IntakeFixtures.deleteTree(ROOT);
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
    void theB2BExamplesRunInOrderAndEachLineEndsAsDocumented() throws Exception {
        DataSource ds = context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);

        Map<String, CSVRecord> partners = run(ds, "b2b-partners.csv");
        assertEquals("SUCCEEDED", partners.get("B2B-PARTNER-24549210").get("state"));
        assertEquals("SUCCEEDED", partners.get("B2B-PARTNER-53538851").get("state"));
        assertEquals("REJECTED", partners.get("B2B-PARTNER-BAD").get("state"));
        assertEquals("Identifier", partners.get("B2B-PARTNER-BAD").get("field"));
        assertTrue(SANDBOX.ledger().b2bPartner(M, "24549210") && SANDBOX.ledger().b2bPartner(M, "53538851"));

        Map<String, CSVRecord> invoices = run(ds, "b2b-invoices.jsonl");
        assertEquals("SUCCEEDED", invoices.get("B2B20261122001").get("state"), invoices.toString());
        assertEquals("AB12345000", invoices.get("B2B20261122001").get("InvoiceNumber"));
        assertEquals("REJECTED", invoices.get("B2B20261122-BAD").get("state"));
        assertTrue(invoices.get("B2B20261122-BAD").get("reason").contains("TotalAmount is 1000, but SalesAmount + TaxAmount adds up to 1050"),
                invoices.get("B2B20261122-BAD").toString());
        assertEquals("exchange", SANDBOX.ledger().b2bInvoice(M, "B2B20261122001").orElseThrow().mode());

        Map<String, CSVRecord> confirmed = run(ds, "b2b-confirm.jsonl");
        confirmed.values().forEach(r -> assertEquals("SUCCEEDED", r.get("state"), r.toString()));
        assertEquals("2611220000000001", confirmed.get("B2B-ALW-20261122-0001").get("AllowanceNo"));
        assertEquals("AB12345001", confirmed.get("B2B20261122002").get("InvoiceNumber"));
        assertEquals("CONFIRMED", SANDBOX.ledger().b2bInvoice(M, "B2B20261122001").orElseThrow().state());
        assertEquals(100L, SANDBOX.ledger().b2bInvoice(M, "B2B20261122001").orElseThrow().allowed());
        assertEquals("certificate", SANDBOX.ledger().b2bInvoice(M, "B2B20261122002").orElseThrow().mode());

        Map<String, CSVRecord> cancelled = run(ds, "b2b-cancel.jsonl");
        cancelled.values().forEach(r -> assertEquals("SUCCEEDED", r.get("state"), r.toString()));
        assertEquals("CANCELLED", SANDBOX.ledger().b2bAllowanceState(M, "2611220000000001").orElseThrow());
        assertEquals(1, SANDBOX.ledger().b2bNotifications(M, "AB12345000", "1"));

        Map<String, CSVRecord> voided = run(ds, "b2b-void.jsonl");
        for (String id : List.of("B2B-ALW-CANCEL-CONFIRM-2611220000000001", "B2B-VOID-AB12345000", "B2B-VOID-AB12345001")) {
            assertEquals("SUCCEEDED", voided.get(id).get("state"), voided.get(id).toString());
        }
        assertEquals("REJECTED", voided.get("B2B-VOID-BAD").get("state"));
        assertTrue(voided.get("B2B-VOID-BAD").get("reason").contains("Reason is 21 characters, longer than the 20 allowed"),
                voided.get("B2B-VOID-BAD").toString());
        assertEquals("CANCEL_CONFIRMED", SANDBOX.ledger().b2bAllowanceState(M, "2611220000000001").orElseThrow());
        assertEquals("INVALID", SANDBOX.ledger().b2bInvoice(M, "B2B20261122001").orElseThrow().state());
        assertEquals("INVALID", SANDBOX.ledger().b2bInvoice(M, "B2B20261122002").orElseThrow().state());
        assertEquals(0, SANDBOX.ledger().replies("B2BInvoice/Issue", 1100040), "no number ran out");
    }

    /** Drops one example file, waits for its result file and reads it by command id. */
    Map<String, CSVRecord> run(DataSource ds, String example) throws Exception {
        drop(Files.readAllBytes(Paths.get("examples", example)), ROOT.resolve("inbox"), example);
        await(example + " reported", 60_000, () -> count(ds,
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE state = 'REPORTED' AND original_name = '" + example + "'") == 1);
        String source = (String) query(ds, "SELECT source_name FROM ecpay_intake_file WHERE original_name = ?", example).get(0).get("source_name");
        return IntakeFixtures.csv(ROOT.resolve("archive").resolve(DropFormat.stem(source) + ".result.csv")).stream()
                .collect(Collectors.toMap(r -> r.get("id"), r -> r, (a, b) -> a, java.util.LinkedHashMap::new));
    }
}
