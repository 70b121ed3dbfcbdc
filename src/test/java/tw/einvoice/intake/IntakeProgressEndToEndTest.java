package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.intake.IntakeFixtures.drop;
import static tw.einvoice.intake.IntakeFixtures.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.FaultRule;

/**
 * A drop answered slowly (the sandbox adds latency to every Issue and answers some with HTTP 503, so commands wait for
 * retries): its progress file appears long before its result file, its counts grow and always add up, and it is
 * finalised with the result file names once those are written.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml,"
                + "file:routes/dispatch.camel.yaml,file:routes/intake-file.camel.yaml",
                "journal.url=jdbc:h2:mem:intake-progress;DB_CLOSE_DELAY=-1",
                "intake.file.inbox=target/intake-progress/inbox", "intake.file.archive-dir=target/intake-progress/archive",
                "intake.file.poll-ms=100", "intake.file.read-lock-check-ms=200", "intake.file.quiet-ms=300",
                "intake.results.period-ms=200", "intake.progress-file.period-ms=100",
                "ecpay.result-codes=src/test/resources/dispatch/result-codes-fast.properties",
                "ecpay.channel.success=file:target/intake-progress/outbox/success?tempPrefix=.writing-",
                "ecpay.channel.dead-letter=file:target/intake-progress/outbox/dead-letter?tempPrefix=.writing-",
                "ecpay.dispatch.poll-interval=50", "ecpay.dispatch.initial-delay=0", "ecpay.dispatch.lease=PT5S",
                "ecpay.dispatch.concurrency=2", "ecpay.dispatch.batch-size=4",
                "ecpay.dispatch.backoff-base=100ms", "ecpay.dispatch.backoff-cap=300ms", "ecpay.dispatch.unknown-delay=50ms"})
class IntakeProgressEndToEndTest {

    static final Path ROOT = Paths.get("target/intake-progress");
    static final EcpaySandbox SANDBOX;
    static final int INVOICES = 24;

    static {
        IntakeFixtures.deleteTree(ROOT);
        SANDBOX = EcpaySandbox.builder().port(0)
                .fault(FaultRule.parse("operation=B2CInvoice/Issue,kind=latency,latency-ms=150"))
                .fault(FaultRule.parse("operation=B2CInvoice/Issue,kind=http-503,rate=0.3"))
                .start();
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
    void progressFileGrowsBeforeTheResultFileAndIsFinalisedWithIt() throws Exception {
        DataSource ds = context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= INVOICES; i++) {
            lines.append(issue("PRG" + i)).append('\n');
            if (i == 5) {
                lines.append(issue("PRG1")).append('\n'); // the same command again: a duplicate line
            }
        }
        lines.append("{\"id\":\"bad-1\",\"operation\":\"B2CInvoice/Issue\",\"data\":{\"RelateNumber\":\"bad-1\"}}\n");
        int total = INVOICES + 2;
        drop(lines.toString().getBytes(StandardCharsets.UTF_8), ROOT.resolve("inbox"), "slow.jsonl");

        Path archive = ROOT.resolve("archive");
        List<JsonNode> seen = new ArrayList<>();
        boolean progressBeforeResult = false;
        long deadline = System.currentTimeMillis() + 120_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < deadline) {
            Optional<Path> progress = find(archive, ".progress.json");
            boolean result = find(archive, ".result.csv").isPresent();
            if (progress.isPresent()) {
                JsonNode p = LineParser.JSON.readTree(Files.readString(progress.get()));
                if (last == null || !p.equals(last)) {
                    seen.add(p);
                    last = p;
                }
                if (!p.get("complete").asBoolean() && !result) {
                    progressBeforeResult = true;
                }
                if (p.get("complete").asBoolean()) {
                    assertTrue(result, "complete progress before its result file: " + p);
                    break;
                }
            }
            Thread.sleep(20);
        }
        assertTrue(progressBeforeResult, "no progress file was seen before the result file: " + seen);
        assertTrue(last != null && last.get("complete").asBoolean(), "never complete: " + seen);

        long previousFinal = -1;
        boolean partway = false;
        boolean retriesSeen = false;
        for (JsonNode p : seen) {
            long journaled = p.get("journaled").asLong();
            assertEquals(journaled, p.get("waiting").asLong() + p.get("inFlight").asLong() + p.get("retrying").asLong()
                    + p.get("unknown").asLong() + p.get("succeeded").asLong() + p.get("dead").asLong(), p.toString());
            assertEquals(p.get("lines").asLong(), journaled + p.get("duplicates").asLong() + p.get("rejected").asLong(), p.toString());
            long fin = p.get("final").asLong();
            assertEquals(p.get("succeeded").asLong() + p.get("dead").asLong() + p.get("rejected").asLong(), fin, p.toString());
            assertTrue(fin >= previousFinal, "final went down: " + seen);
            previousFinal = fin;
            partway |= !p.get("complete").asBoolean() && fin > 0 && fin < total - 1 && p.get("lines").asLong() == total;
            retriesSeen |= p.get("retrying").asLong() > 0;
        }
        assertTrue(partway, "no progress file part-way through: " + seen);
        assertTrue(seen.size() >= 3, "counts did not grow in steps: " + seen);

        // the final progress file agrees with the result file and the journal
        assertEquals(total, last.get("lines").asLong());
        assertEquals(INVOICES, last.get("journaled").asLong());
        assertEquals(1, last.get("duplicates").asLong());
        assertEquals(1, last.get("rejected").asLong());
        assertEquals(INVOICES, last.get("succeeded").asLong(), last.toString());
        assertEquals(INVOICES + 1, last.get("final").asLong());
        String source = last.get("file").asText();
        assertEquals("slow.jsonl", last.get("name").asText());
        assertEquals(INVOICES, ((Number) query(ds, "SELECT COUNT(*) AS n FROM ecpay_command WHERE source_name = ? "
                + "AND state = 'SUCCEEDED'", source).get(0).get("n")).longValue());
        List<String> results = new ArrayList<>();
        last.get("results").forEach(n -> results.add(n.asText()));
        String stem = DropFormat.stem(source);
        assertEquals(List.of(stem + ".result.csv", stem + ".result.jsonl", stem + ".rejects.jsonl"), results);
        assertEquals(total, IntakeFixtures.csv(archive.resolve(stem + ".result.csv")).size());
        System.out.println("PROGRESS snapshots " + seen.size() + ", retries seen " + retriesSeen + ", sandbox 503s "
                + SANDBOX.ledger().requests("B2CInvoice/Issue"));
        assertFalse(Files.exists(archive.resolve(stem + ".progress.json.part")));
    }

    static String issue(String relate) {
        return "{\"id\":\"" + relate + "\",\"operation\":\"B2CInvoice/Issue\",\"data\":{\"RelateNumber\":\"" + relate
                + "\",\"CustomerEmail\":\"buyer@example.com\",\"Print\":\"0\",\"Donation\":\"0\",\"TaxType\":\"1\","
                + "\"SalesAmount\":100,\"InvType\":\"07\",\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"pen\",\"ItemCount\":2,"
                + "\"ItemWord\":\"pc\",\"ItemPrice\":50,\"ItemTaxType\":\"1\",\"ItemAmount\":100}]}}";
    }

    static Optional<Path> find(Path dir, String suffix) throws Exception {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst();
        }
    }
}
