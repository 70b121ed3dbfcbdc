package tw.einvoice.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.dispatch.DispatchNode.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.journal.Claim;
import tw.einvoice.journal.CommandRow;
import tw.einvoice.journal.CommandState;
import tw.einvoice.journal.Completion;
import tw.einvoice.dispatch.Dispatcher;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.JournalDatabase;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.Verdict;
import tw.einvoice.sandbox.EcpaySandbox;

/**
 * Outcome channels get every final command at least once: a failing channel endpoint, and a stop between the journal
 * update and the channel send. Real YAML and configuration, the local ECPay sandbox, journal on H2.
 */
class ChannelDeliveryRouteTest {

    static EcpaySandbox sandbox;

    @TempDir
    Path outbox;
    DispatchNode node;

    /** What the channel endpoint was handed, one entry per delivery attempt. */
    record Delivery(String body, Map<String, Object> headers, long at) {
    }

    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startSandbox() {
        sandbox = EcpaySandbox.builder().port(0).start();
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static String journalUrl() {
        return "jdbc:h2:mem:c" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
    }

    /**
     * A node whose success channel is a test route that records each delivery and throws for the first
     * {@code failures} of them, then writes the file as the default channel does.
     */
    private Journal start(String journalUrl, int failures) throws Exception {
        Map<String, String> props = DispatchNode.fastSettings(sandbox.baseUrl(), journalUrl, "sa", outbox);
        props.put("ecpay.channel.success", "direct:flaky-success");
        props.put("ecpay.channel.redeliver-after", "400ms");
        props.put("ecpay.channel.redeliver-poll-ms", "100");
        String folder = "file:" + outbox.resolve("success") + "?tempPrefix=.writing-";
        AtomicInteger calls = new AtomicInteger();
        node = DispatchNode.start("node-a", props, new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(noErrorHandler()); // the failure is the caller's to handle, as a failing producer's is
                from("direct:flaky-success").routeId("test-flaky-success")
                        .process(e -> {
                            Map<String, Object> headers = new TreeMap<>(e.getMessage().getHeaders());
                            deliveries.add(new Delivery(e.getMessage().getBody(String.class), headers, System.nanoTime()));
                            if (calls.incrementAndGet() <= failures) {
                                throw new IOException("channel down (test), delivery " + calls.get());
                            }
                        })
                        .to(folder);
            }
        });
        return node.journal();
    }

    private JsonNode successFile(String id) throws Exception {
        Path file = outbox.resolve("success").resolve(Dispatcher.fileName(id));
        await(file + " is written", Duration.ofSeconds(10), () -> Files.isRegularFile(file));
        return DispatchNode.JSON.readTree(file.toFile());
    }

    @Test
    void aFailingChannelKeepsTheRowUndeliveredUntilARepublishGoesThrough() throws Exception {
        Journal journal = start(journalUrl(), 2);
        Command cmd = DispatchNode.issue("Ch" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
        DispatchNode.insertAll(journal, List.of(cmd));

        await("the first delivery was tried", Duration.ofSeconds(20), () -> !deliveries.isEmpty());
        CommandRow row = journal.find(cmd.id());
        assertEquals(CommandState.SUCCEEDED, row.state());
        assertNull(row.channelDeliveredAt(), "the channel failed: not delivered");

        await("delivered", Duration.ofSeconds(15), () -> journal.find(cmd.id()).channelDeliveredAt() != null);
        JsonNode file = successFile(cmd.id());
        Thread.sleep(600); // more than one grace period: a delivered row is never published again
        assertEquals(3, deliveries.size(), "two failed deliveries, then one that went through: " + deliveries);
        for (Delivery d : deliveries) {
            assertEquals(deliveries.get(0).body(), d.body(), "a re-publish carries the very same message");
            assertEquals(deliveries.get(0).headers(), d.headers(), "and the very same headers");
        }
        for (int i = 1; i < deliveries.size(); i++) {
            long gapMs = (deliveries.get(i).at() - deliveries.get(i - 1).at()) / 1_000_000;
            assertTrue(gapMs >= 350, "re-published only after the grace period, not at once: " + gapMs + " ms");
        }
        Map<String, Object> headers = deliveries.get(0).headers();
        assertEquals(cmd.id(), headers.get("EcpayCommandId"), "consumers de-duplicate by the command id");
        assertEquals("SUCCEEDED", headers.get("EcpayState"));
        assertEquals("SUCCESS", headers.get("EcpayOutcome"));
        assertEquals(Dispatcher.fileName(cmd.id()), headers.get("CamelFileName"));
        assertEquals(cmd.id(), file.path("id").asText());
        assertEquals("SUCCESS", file.path("outcome").asText());
        row = journal.find(cmd.id());
        assertEquals(DispatchNode.JSON.readTree(row.reply()), file.path("reply"));
        assertEquals(DispatchNode.JSON.readTree(deliveries.get(0).body()), file);
    }

    @Test
    void aCommandFinishedJustBeforeAStopIsPublishedAfterTheRestart() throws Exception {
        String url = journalUrl();
        String unsent;
        String delivered;
        // the instance that stopped: it recorded the outcomes but sent only one of them to the channel
        try (HikariDataSource ds = JournalDatabase.open(url, "sa", "", 2)) {
            Journal before = new Journal(ds, Clock.systemUTC());
            Command a = DispatchNode.trigger("Tsr" + UUID.randomUUID().toString().substring(0, 8));
            Command b = DispatchNode.trigger("Tsr" + UUID.randomUUID().toString().substring(0, 8));
            DispatchNode.insertAll(before, List.of(a, b));
            List<Claim> claims = before.claimDue("stopped", 10, Duration.ofMinutes(2));
            assertEquals(2, claims.size(), "rows written due now are due to a claim made right after");
            for (Claim c : claims) {
                before.complete(c, new Completion(CommandState.SUCCEEDED, null, true, "RtnCode 1: ok", 200, 1, 1, "ok",
                        "{\"RtnCode\":1,\"InvoiceNo\":\"AB12345678\"}", Verdict.SUCCESS, tw.einvoice.protocol.Evidence.REPLY));
            }
            unsent = a.id();
            delivered = b.id();
            before.markDelivered(delivered);
        }

        Journal journal = start(url, 0);
        JsonNode file = successFile(unsent);
        assertEquals("SUCCEEDED", file.path("state").asText());
        assertEquals("AB12345678", file.path("reply").path("InvoiceNo").asText());
        await("marked delivered", Duration.ofSeconds(5), () -> journal.find(unsent).channelDeliveredAt() != null);
        Thread.sleep(600);
        assertEquals(1, deliveries.size(), "the delivered one is not sent again: " + deliveries);
        assertTrue(Files.notExists(outbox.resolve("success").resolve(Dispatcher.fileName(delivered))));
        assertNotNull(journal.find(delivered).channelDeliveredAt());
    }
}
