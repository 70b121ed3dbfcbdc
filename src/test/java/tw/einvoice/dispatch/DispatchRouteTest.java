package tw.einvoice.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.dispatch.DispatchNode.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.intake.LogCapture;
import tw.einvoice.journal.CommandRow;
import tw.einvoice.journal.CommandState;
import tw.einvoice.dispatch.Dispatcher;
import tw.einvoice.journal.Journal;
import tw.einvoice.protocol.Command;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.FaultRule;
import tw.einvoice.sandbox.FaultRule.Kind;

/** Every outcome path of the dispatch route against the local ECPay sandbox, journal on H2. */
class DispatchRouteTest {

    static final String M = "2000132";
    static EcpaySandbox sandbox;

    @TempDir
    Path outbox;
    DispatchNode node;

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
        sandbox.clearFaults();
    }

    private Journal start(String... extra) throws Exception {
        var props = DispatchNode.fastSettings(sandbox.baseUrl(), "jdbc:h2:mem:d" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "sa", outbox);
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        node = DispatchNode.start("node-a", props);
        return node.journal();
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static CommandRow awaitFinal(Journal journal, String id) throws InterruptedException {
        await(id + " is final", Duration.ofSeconds(20), () -> journal.find(id).state().isFinal());
        return journal.find(id);
    }

    private JsonNode channelMessage(String channel, String id) throws Exception {
        Path file = outbox.resolve(channel).resolve(Dispatcher.fileName(id));
        await(file + " is written", Duration.ofSeconds(5), () -> Files.isRegularFile(file));
        return DispatchNode.JSON.readTree(file.toFile());
    }

    @Test
    void successIsJournaledWithTheReplyAndSentToTheSuccessChannel() throws Exception {
        Journal journal = start();
        Command cmd = DispatchNode.issue(unique("Ok"));
        DispatchNode.insertAll(journal, List.of(cmd));
        CommandRow row = awaitFinal(journal, cmd.id());
        assertEquals(CommandState.SUCCEEDED, row.state());
        assertEquals(1, row.attempts());
        assertEquals(1, row.rtnCode());
        JsonNode reply = DispatchNode.JSON.readTree(row.reply());
        String invoiceNo = reply.path("InvoiceNo").asText();
        assertTrue(invoiceNo.matches("[A-Z]{2}[0-9]{8}"), row.reply());
        assertEquals(1, sandbox.ledger().issuedCount(M, cmd.data().get("RelateNumber").asText()));

        JsonNode message = channelMessage("success", cmd.id());
        assertEquals(cmd.id(), message.path("id").asText());
        assertEquals("SUCCEEDED", message.path("state").asText());
        assertEquals(invoiceNo, message.path("reply").path("InvoiceNo").asText());
        assertEquals("api", message.path("source").path("kind").asText());
        assertTrue(cmd.id().contains("/") && cmd.id().contains(":"), "the id needed a safe file name");
    }

    @Test
    void aRelateNumberHoldingOtherContentAtEcpayIsDeadNamingTheInvoiceAndWhatDiffers() throws Exception {
        Journal journal = start();
        String relate = unique("Taken");
        Command first = DispatchNode.command("erp-1", "B2CInvoice/Issue", M, DispatchNode.issueData(relate));
        DispatchNode.insertAll(journal, List.of(first));
        CommandRow issued = awaitFinal(journal, "erp-1");
        assertEquals(CommandState.SUCCEEDED, issued.state());
        String invoiceNo = DispatchNode.JSON.readTree(issued.reply()).path("InvoiceNo").asText();
        String other = DispatchNode.issueData(relate).replace("\"SalesAmount\":100", "\"SalesAmount\":200")
                .replace("\"ItemPrice\":100", "\"ItemPrice\":200").replace("\"ItemAmount\":100", "\"ItemAmount\":200");
        DispatchNode.insertAll(journal, List.of(DispatchNode.command("erp-2", "B2CInvoice/Issue", M, other)));

        CommandRow row = awaitFinal(journal, "erp-2");
        assertEquals(CommandState.DEAD, row.state());
        assertEquals(5070357, row.rtnCode());
        assertTrue(row.reason().contains("RelateNumber " + relate + " already holds invoice " + invoiceNo)
                && row.reason().contains("SalesAmount 200 here, 100 at ECPay")
                && row.reason().contains("Items[1].ItemAmount 200 here, 100 at ECPay"), row.reason());
        assertNull(row.evidence());
        JsonNode message = channelMessage("dead-letter", "erp-2");
        assertEquals("DEAD", message.path("state").asText());
        assertEquals(row.reason(), message.path("reason").asText());
        assertEquals(1, sandbox.ledger().issuedCount(M, relate), "no second invoice");
    }

    @Test
    void aRelateNumberHoldingTheSameContentIsAdoptedEvenWithNoEarlierAttemptOnRecord() throws Exception {
        // the journal forgot the first attempt (a restored backup, a lost commit): ECPay's lookup decides, not memory
        Journal journal = start();
        String relate = unique("Forgot");
        DispatchNode.insertAll(journal, List.of(DispatchNode.command("erp-a", "B2CInvoice/Issue", M, DispatchNode.issueData(relate))));
        CommandRow issued = awaitFinal(journal, "erp-a");
        assertEquals("REPLY", issued.evidence());
        String invoiceNo = DispatchNode.JSON.readTree(issued.reply()).path("InvoiceNo").asText();
        DispatchNode.insertAll(journal, List.of(DispatchNode.command("erp-b", "B2CInvoice/Issue", M, DispatchNode.issueData(relate))));

        CommandRow row = awaitFinal(journal, "erp-b");
        assertEquals(CommandState.SUCCEEDED, row.state(), row.reason());
        assertEquals("LOOKUP_WITHOUT_RECORD", row.evidence());
        assertEquals(invoiceNo, DispatchNode.JSON.readTree(row.reply()).path("InvoiceNo").asText());
        JsonNode message = channelMessage("success", "erp-b");
        assertEquals("LOOKUP_WITHOUT_RECORD", message.path("evidence").asText());
        assertEquals(invoiceNo, message.path("reply").path("InvoiceNo").asText());
        assertEquals(1, sandbox.ledger().issuedCount(M, relate), "no second invoice");
    }

    @Test
    void transientFailuresAreRetriedFromTheJournalUntilTheySucceed() throws Exception {
        sandbox.addFault(FaultRule.always("B2CInvoice/Issue", Kind.HTTP_503).withTimes(2));
        Journal journal = start();
        Command cmd = DispatchNode.issue(unique("Retry"));
        DispatchNode.insertAll(journal, List.of(cmd));
        CommandRow row = awaitFinal(journal, cmd.id());
        assertEquals(CommandState.SUCCEEDED, row.state());
        assertEquals(3, row.attempts(), "two 503s, then success");
        assertEquals(2, sandbox.ledger().faults(Kind.HTTP_503));
    }

    @Test
    void theAttemptLimitEndsInTheDeadLetterChannel() throws Exception {
        sandbox.addFault(FaultRule.always("B2CInvoice/Issue", Kind.HTTP_503));
        Journal journal = start("ecpay.dispatch.max-attempts", "3");
        Command cmd = DispatchNode.issue(unique("Limit"));
        DispatchNode.insertAll(journal, List.of(cmd));
        CommandRow row = awaitFinal(journal, cmd.id());
        assertEquals(CommandState.DEAD, row.state());
        assertEquals(3, row.attempts());
        assertEquals(503, row.httpStatus());
        assertTrue(row.reason().startsWith("gave up after 3 attempts: HTTP 503 Service Unavailable"), row.reason());
        assertEquals("DEAD", channelMessage("dead-letter", cmd.id()).path("state").asText());
    }

    @Test
    void http403PausesTheMerchantInTheDatabaseForEveryInstance() throws Exception {
        sandbox.addFault(FaultRule.always("B2CInvoice/Issue", Kind.HTTP_403).withTimes(1));
        // one call at a time, and all four commands in the first batch
        Journal journal = start("ecpay.dispatch.concurrency", "1", "ecpay.dispatch.initial-delay", "1500");
        long issueCallsBefore = sandbox.ledger().requests("B2CInvoice/Issue");
        List<Command> batch = Stream.generate(() -> DispatchNode.issue(unique("Pause"))).limit(4).toList();
        DispatchNode.insertAll(journal, batch);
        await("the 403 is recorded", Duration.ofSeconds(20),
                () -> batch.stream().anyMatch(c -> journal.find(c.id()).state() == CommandState.RETRY));
        LocalDateTime until = journal.pausedUntil(M);
        assertNotNull(until, "merchant paused");
        LocalDateTime now = Journal.utc(java.time.Instant.now());
        assertTrue(until.isAfter(now.plusMinutes(29)) && until.isBefore(now.plusMinutes(31)), until.toString());
        Thread.sleep(700);
        List<CommandRow> rows = batch.stream().map(c -> journal.find(c.id())).toList();
        assertEquals(1, rows.stream().filter(r -> r.state() == CommandState.RETRY
                && r.nextAttemptAt().isAfter(now.plusMinutes(29))).count());
        assertEquals(3, rows.stream().filter(r -> r.state() == CommandState.NEW && r.attempts() == 0).count(),
                "the rest of the batch was given back unsent: " + rows);
        assertEquals(1, sandbox.ledger().requests("B2CInvoice/Issue") - issueCallsBefore, "one call hit the 403, no more");
    }

    @Test
    void issueWorkDoneWithoutReplyIsReconciledToOneInvoice() throws Exception {
        sandbox.addFault(FaultRule.always("B2CInvoice/Issue", Kind.WORK_DONE_DROP).withTimes(1));
        sandbox.addFault(FaultRule.always("B2CInvoice/Issue", Kind.WORK_DONE_HANG).withLatencyMs(3000).withTimes(1));
        Journal journal = start();
        String relate = unique("Amb");
        Command cmd = DispatchNode.issue(relate);
        DispatchNode.insertAll(journal, List.of(cmd));
        CommandRow row = awaitFinal(journal, cmd.id());
        assertEquals(CommandState.SUCCEEDED, row.state(), row.reason());
        assertEquals(1, sandbox.ledger().issuedCount(M, relate), "exactly one invoice");
        String issued = sandbox.ledger().invoice(M, relate).orElseThrow().invoiceNo();
        assertEquals(issued, DispatchNode.JSON.readTree(row.reply()).path("InvoiceNo").asText(), "adopted via GetIssue");
        assertTrue(row.reason().contains("adopted the earlier result"), row.reason());
        assertEquals(issued, channelMessage("success", cmd.id()).path("reply").path("InvoiceNo").asText());
    }

    @Test
    void aCommandThatThrowsDoesNotStopItsBatch() throws Exception {
        Journal journal = start();
        // merchant 3000001 has no credentials: building its request throws
        Command broken = DispatchNode.command("broken-1", "B2CInvoice/Issue", "3000001", DispatchNode.issueData(unique("Br")));
        List<Command> good = Stream.generate(() -> DispatchNode.issue(unique("Good"))).limit(5).toList();
        DispatchNode.insertAll(journal, List.of(broken));
        DispatchNode.insertAll(journal, good);
        CommandRow row = awaitFinal(journal, "broken-1");
        assertEquals(CommandState.DEAD, row.state());
        assertTrue(row.reason().startsWith("cannot be sent: "), row.reason());
        for (Command c : good) {
            assertEquals(CommandState.SUCCEEDED, awaitFinal(journal, c.id()).state());
        }
        assertEquals("DEAD", channelMessage("dead-letter", "broken-1").path("state").asText());
    }

    @Test
    void dispatchLinesNameTheirCommandOperationMerchantAndAttempt() throws Exception {
        Journal journal = start("ecpay.dispatch.concurrency", "1");
        // merchant 3000001 has no credentials: each command is logged as failed, then as dead, by the dispatch thread
        List<String> ids = List.of(unique("LogA"), unique("LogB"));
        try (LogCapture log = new LogCapture()) {
            int mark = log.mark();
            for (String id : ids) {
                DispatchNode.insertAll(journal, List.of(DispatchNode.command(id, "B2CInvoice/Issue", "3000001",
                        DispatchNode.issueData(unique("Mdc")))));
                assertEquals(CommandState.DEAD, awaitFinal(journal, id).state());
                channelMessage("dead-letter", id);
            }
            List<String> lines = log.since(mark).lines().toList();
            for (String id : ids) {
                String context = " [cmd=" + id + " op=B2CInvoice/Issue merchant=3000001 attempt=1] - ";
                assertTrue(lines.stream().anyMatch(l -> l.contains(context + "dispatching " + id + " failed")), String.join("\n", lines));
                assertTrue(lines.stream().anyMatch(l -> l.contains(context + "command " + id + " is dead")), String.join("\n", lines));
            }
            // a line tagged with one command never speaks of the other (no context left over from the earlier one)
            for (String line : lines) {
                assertTrue(!(line.contains("[cmd=" + ids.get(0) + " ") && line.contains(ids.get(1)))
                        && !(line.contains("[cmd=" + ids.get(1) + " ") && line.contains(ids.get(0))), line);
            }
        }
    }

    @Test
    void theOptionalPerMerchantRateLimitPacesCalls() throws Exception {
        Journal journal = start("ecpay.dispatch.rate-limit.enabled", "true", "ecpay.dispatch.rate-limit.per-second", "4");
        List<Command> commands = Stream.generate(() -> DispatchNode.issue(unique("Paced"))).limit(12).toList();
        DispatchNode.insertAll(journal, commands);
        for (Command c : commands) {
            assertEquals(CommandState.SUCCEEDED, awaitFinal(journal, c.id()).state());
        }
        List<Long> starts = node.sends.stream().map(DispatchNode.Send::start).sorted().toList();
        assertEquals(12, starts.size());
        // 4 per second: the 12th call cannot start before two full periods have passed since the first
        double spread = (starts.get(11) - starts.get(0)) / 1e9;
        assertTrue(spread >= 1.9, "12 calls at 4/s took only " + spread + " s");
    }

    @Test
    void anInstanceWithDispatchDisabledSendsNothing() throws Exception {
        Journal journal = start("ecpay.dispatch.enabled", "false");
        Command cmd = DispatchNode.issue(unique("Off"));
        DispatchNode.insertAll(journal, List.of(cmd));
        Thread.sleep(500);
        assertEquals(CommandState.NEW, journal.find(cmd.id()).state());
        assertEquals(org.apache.camel.ServiceStatus.Stopped,
                node.context().getRouteController().getRouteStatus("ecpay-dispatch"));
    }

    /**
     * One claim loop per instance: a poll that comes while calls are still running never starts a second loop that
     * races the first for the same rows (every claim UPDATE takes its row), the calls in flight never exceed the
     * concurrency, and slots are refilled as calls finish: the senders stay busy instead of idling at each batch's tail.
     */
    @Test
    void oneClaimLoopPerInstanceRefillsSlotsAsCallsFinish() throws Exception {
        tw.einvoice.bench.CountingDriver.register();
        Journal journal = start("journal.url", tw.einvoice.bench.CountingDriver.PREFIX + "h2:mem:d" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1", "ecpay.dispatch.concurrency", "4", "ecpay.dispatch.batch-size", "8");
        // uneven answers: a batch-at-a-time loop would wait for its slowest call with the other slots idle
        sandbox.addFault(FaultRule.always("B2CInvoice/Issue", Kind.LATENCY).withLatencyMs(100).withTimes(30));
        sandbox.addFault(FaultRule.always("B2CInvoice/Issue", Kind.LATENCY).withLatencyMs(400).withTimes(10));
        var before = tw.einvoice.bench.CountingDriver.snapshot();
        List<Command> commands = java.util.stream.IntStream.range(0, 40).mapToObj(i -> DispatchNode.issue(unique("Loop"))).toList();
        DispatchNode.insertAll(journal, commands);
        for (Command c : commands) {
            assertEquals(CommandState.SUCCEEDED, awaitFinal(journal, c.id()).state(), c.id());
        }
        var counts = tw.einvoice.bench.CountingDriver.snapshot().minus(before).counts();
        long lostClaims = counts.entrySet().stream().filter(e -> e.getKey().startsWith("UPDATE ecpay_command SET state = 'IN_FLIGHT'"))
                .mapToLong(e -> e.getValue()[2]).sum();
        assertEquals(0, lostClaims, "claim UPDATEs that found their row taken, with one instance: " + counts.keySet());
        List<DispatchNode.Send> sends = List.copyOf(node.sends);
        assertEquals(40, sends.size());
        int most = 0;
        for (DispatchNode.Send s : sends) {
            most = Math.max(most, (int) sends.stream().filter(o -> o.start() <= s.start() && o.end() > s.start()).count());
        }
        assertTrue(most <= 4, "calls in flight at once: " + most);
        // 30 x 100 ms + 10 x 400 ms over 4 slots is 1.75 s when refilled at once
        long busy = sends.stream().mapToLong(s -> s.end() - s.start()).sum();
        long span = sends.stream().mapToLong(DispatchNode.Send::end).max().orElseThrow()
                - sends.stream().mapToLong(DispatchNode.Send::start).min().orElseThrow();
        assertTrue(busy >= 0.7 * 4 * span, "slots busy " + busy / 1_000_000 + " ms of 4 x " + span / 1_000_000 + " ms");
    }

    /** ECPay answered, then recording the answer failed: the command is reconciled, never a wrong dead letter. */
    @Test
    void aFailureAfterTheRequestWentOutIsReconciledNotRetriedBlindly() throws Exception {
        Journal journal = start();
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        org.apache.camel.builder.AdviceWith.adviceWith(node.context(), "ecpay-dispatch-one", a -> a
                .weaveByToUri("direct:ecpay-call").after().process(e -> {
                    if (failed.compareAndSet(false, true)) {
                        throw new IllegalStateException("journal unreachable after ECPay answered");
                    }
                }));
        Command cmd = DispatchNode.issue(unique("Lost"));
        DispatchNode.insertAll(journal, List.of(cmd));
        CommandRow row = awaitFinal(journal, cmd.id());
        assertTrue(failed.get());
        assertEquals(CommandState.SUCCEEDED, row.state(), row.reason());
        assertEquals(2, row.attempts());
        String relate = cmd.data().get("RelateNumber").asText();
        assertEquals(1, sandbox.ledger().issuedCount(M, relate));
        assertEquals(sandbox.ledger().invoice(M, relate).orElseThrow().invoiceNo(),
                DispatchNode.JSON.readTree(row.reply()).path("InvoiceNo").asText(), "the earlier invoice was adopted");
    }
}
