package tw.einvoice.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tw.einvoice.intake.DropLine;
import tw.einvoice.intake.DropReader;
import tw.einvoice.intake.LineParser;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.intake.InvalidLineException;
import tw.einvoice.sandbox.EcpaySandbox;

/**
 * The example drops of each B2C family, line by line through the real {@code ecpay-call} route, in file order, against a
 * sandbox on the examples' day (2026-11-22 in Taipei): the quick start's invoices first, then the checks, the word
 * settings and the invoice care (edit, reissue, list, notify, print). Each good line ends as its comment says; each bad
 * one is refused before it is sent, naming its field.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml",
                "journal.url=jdbc:h2:mem:b2c-examples;DB_CLOSE_DELAY=-1"})
class B2CExamplesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final EcpaySandbox SANDBOX = EcpaySandbox.builder().clock(Clock.fixed(Instant.parse("2026-11-22T02:00:00Z"), ZoneOffset.UTC))
            .timestampWindow(Duration.ofDays(3650)).start();

    static {
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
    void everyFamilysExampleLinesEndAsDocumented() throws Exception {
        // the quick start's invoices, one after the other: AB12345000, AB12345001, AB12345002 (printed), the staged one, a bad line
        List<String> quickStart = outcomes(Path.of("examples/issue-invoices.jsonl"));
        assertEquals(List.of("SUCCESS 1", "SUCCESS 1", "SUCCESS 1", "SUCCESS 1", "refused RelateNumber"), quickStart.stream()
                .map(o -> o.startsWith("refused") ? o.substring(0, o.indexOf(':')) : o).toList());
        assertEquals("AB12345002", SANDBOX.ledger().invoice("2000132", "ORD20261122003").orElseThrow().invoiceNo());

        assertEquals(List.of("SUCCESS 1 IsExist=Y", "SUCCESS 1 IsExist=Y", "SUCCESS 1 CompanyName=綠界科技股份有限公司",
                "refused BarCode: is 'ABC1234', expected '/' and 7 of 0-9, A-Z, '.', '+', '-'"), outcomes(Path.of("examples/checks.jsonl")));
        assertEquals(List.of("SUCCESS 1 IsExist=Y", "SUCCESS 1 IsExist=Y", "SUCCESS 7", "refused UnifiedBusinessNo: is '5321253', expected 8 digits"),
                outcomes(Path.of("examples/checks.csv")));
        assertEquals(List.of("SUCCESS 1", "SUCCESS 1 TrackID=1000101", "SUCCESS 1", "SUCCESS 1",
                "refused InvoiceStart: is '10000001', expected 8 digits ending in 00 or 50 (numbers come in books of 50)"),
                outcomes(Path.of("examples/word-settings.jsonl")));
        assertEquals(List.of("SUCCESS 1", "SUCCESS 1", "SUCCESS 1", "SUCCESS 1", "SUCCESS 1",
                "refused NotifyMail|Phone: is required: give at least one of NotifyMail or Phone"), outcomes(Path.of("examples/invoice-care.jsonl")));
        assertEquals(1, SANDBOX.ledger().reissues("2000132", "AB12345000"));
        assertEquals(1, SANDBOX.ledger().notifications("2000132", "AB12345000", "I"));
    }

    /**
     * Each line of a drop, read as the file intake reads it, sent through {@code direct:ecpay-call}: "VERDICT RtnCode" and the
     * reply's first useful field, or "refused field: why" for a line the product does not send.
     */
    List<String> outcomes(Path drop) throws Exception {
        List<String> out = new ArrayList<>();
        OperationCatalog catalog = OperationCatalog.standard();
        try (DropReader reader = DropReader.open(drop, StandardCharsets.UTF_8)) {
            LineParser parser = drop.toString().endsWith(".csv") ? LineParser.csv(reader.next(), catalog, "2000132")
                    : LineParser.jsonLines(catalog, "2000132");
            while (reader.hasNext()) {
                DropLine line = reader.next();
                String command;
                try {
                    command = parser.parse(line).toJson();
                } catch (InvalidLineException e) {
                    // the first problem, as the rejects file names it: "field: why"
                    String first = e.reason().split("; ")[0];
                    out.add("refused " + e.field() + ": " + first.substring(first.indexOf(e.field()) + e.field().length()).strip());
                    continue;
                }
                out.add(send(drop, command));
            }
        }
        return out;
    }

    String send(Path drop, String command) throws Exception {
        Exchange x = context.createProducerTemplate().request("direct:ecpay-call", e -> e.getMessage().setBody(command));
        assertNull(x.getException(), drop + ": " + command);
        String said = x.getMessage().getHeader(EcpayHeaders.OUTCOME) + " " + x.getMessage().getHeader(EcpayHeaders.RTN_CODE);
        JsonNode reply = JSON.readTree(x.getMessage().getBody(String.class));
        for (String field : List.of("IsExist", "CompanyName", "TrackID")) {
            if (reply.hasNonNull(field)) {
                said += " " + field + "=" + reply.get(field).asText();
                break;
            }
        }
        assertTrue(said.startsWith("SUCCESS"), drop + ": " + said + " " + x.getMessage().getHeader(EcpayHeaders.REASON));
        return said;
    }
}
