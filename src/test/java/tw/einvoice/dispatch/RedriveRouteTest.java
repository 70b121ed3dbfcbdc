package tw.einvoice.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.dispatch.DispatchNode.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.journal.AttemptRow;
import tw.einvoice.journal.CommandRow;
import tw.einvoice.journal.CommandState;
import tw.einvoice.dispatch.Dispatcher;
import tw.einvoice.journal.Journal;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.protocol.Envelope;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.FaultRule;
import tw.einvoice.sandbox.FaultRule.Kind;
import tw.einvoice.testing.TestDatabases;

/**
 * Re-drive through the real routes (beans, ecpay-call, dispatch, audit) and the real config against the sandbox: a
 * command dead of a wrong HashKey is re-driven after the key is fixed and issued once; a command that may have reached
 * ECPay is re-driven only through the lookup. Every attempt and the re-drive are in the audit.
 */
class RedriveRouteTest {

    static final String M = "3000110";
    static final String WRONG_KEY = "WrongKey0123456x";
    static final Credentials RIGHT = new Credentials(M, "RightKey0123456y", "RightIv01234567y", "");
    static final EcpaySandbox SANDBOX = EcpaySandbox.builder().port(0).merchant(Credentials.PUBLIC_STAGE).merchant(RIGHT).start();
    static final String ROUTES = DispatchNode.ROUTES + ",file:routes/audit.camel.yaml";

    @TempDir
    Path outbox;
    DispatchNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        SANDBOX.clearFaults();
    }

    @AfterAll
    static void stopSandbox() {
        SANDBOX.close();
    }

    private Map<String, String> settings(String journalUrl, String journalUser, String hashKey) {
        Map<String, String> p = DispatchNode.fastSettings(SANDBOX.baseUrl(), journalUrl, journalUser, outbox);
        p.put("camel.main.routes-include-pattern", ROUTES);
        p.put("ecpay.merchant." + M + ".hash-key", hashKey);
        p.put("ecpay.merchant." + M + ".hash-iv", RIGHT.hashIv());
        return p;
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static CommandRow awaitState(Journal journal, String id, CommandState state) throws InterruptedException {
        await(id + " is " + state, Duration.ofSeconds(20), () -> journal.find(id).state() == state);
        return journal.find(id);
    }

    private JsonNode redrive(String selection) throws Exception {
        ProducerTemplate template = node.context().createProducerTemplate();
        String answer = template.requestBodyAndHeader("direct:redrive", selection, "EcpayRedriveBy", "ops-alice", String.class);
        return DispatchNode.JSON.readTree(answer);
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The product owner's case: TransCode 110 (wrong HashKey) -> key fixed, job restarted -> re-driven -> issued once. */
    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void aCommandDeadOfAWrongHashKeyIsIssuedOnceWhenReDrivenAfterTheKeyIsFixed(TestDatabases db) throws Exception {
        String url;
        try (HikariDataSource ds = db.fresh(2)) {
            url = ds.getJdbcUrl(); // a fresh schema, migrated; the job opens it as its journal
        }
        String user = db == TestDatabases.H2 ? "sa" : db == TestDatabases.POSTGRESQL ? "postgres" : "root";
        node = DispatchNode.start("node-wrong-key", settings(url, user, WRONG_KEY));
        Journal journal = node.journal();
        String relate = unique("Key");
        Command cmd = DispatchNode.command("erp-" + relate, "B2CInvoice/Issue", M, DispatchNode.issueData(relate));
        DispatchNode.insertAll(journal, List.of(cmd));
        CommandRow dead = awaitState(journal, cmd.id(), CommandState.DEAD);
        assertEquals(110, dead.transCode());
        assertFalse(dead.maybeSent(), "a TransCode 110 answer says ECPay could not read it");
        node.close();

        // the operator fixes ECPAY HashKey and restarts the job on the same journal
        node = DispatchNode.start("node-right-key", settings(url, user, RIGHT.hashKey()));
        journal = node.journal();
        JsonNode dry = redrive("{\"transCodes\":[110],\"dryRun\":true}");
        assertTrue(dry.path("dryRun").asBoolean());
        assertEquals(1, dry.path("matched").asInt(), dry.toString());
        assertEquals("RESEND", dry.path("commands").get(0).path("route").asText());
        Thread.sleep(300); // a few dispatcher polls: nothing may happen
        assertEquals(CommandState.DEAD, journal.find(cmd.id()).state(), "a dry run changes nothing");
        assertEquals(1, journal.attempts(cmd.id()).size());

        JsonNode done = redrive("{\"transCodes\":[110]}");
        String redriveId = done.path("redriveId").asText();
        assertEquals(1, done.path("resent").asInt(), done.toString());
        CommandRow row = awaitState(journal, cmd.id(), CommandState.SUCCEEDED);
        assertEquals(1, row.rtnCode());
        assertEquals(1, SANDBOX.ledger().issuedCount(M, relate), "issued once");
        assertEquals(SANDBOX.ledger().invoice(M, relate).orElseThrow().invoiceNo(),
                DispatchNode.JSON.readTree(row.reply()).path("InvoiceNo").asText());

        List<AttemptRow> history = journal.attempts(cmd.id());
        assertEquals(List.of("ATTEMPT", "REDRIVE", "ATTEMPT"), history.stream().map(AttemptRow::kind).toList(), history.toString());
        AttemptRow first = history.get(0);
        assertEquals(1, first.attempt());
        assertEquals(110, first.transCode());
        assertEquals(500, first.httpStatus());
        assertEquals("DEAD", first.stateAfter());
        assertEquals("node-wrong-key", first.instanceId());
        AttemptRow redriven = history.get(1);
        assertEquals("ops-alice", redriven.instanceId());
        assertEquals(redriveId, redriven.redriveId());
        assertEquals("RETRY", redriven.stateAfter());
        AttemptRow second = history.get(2);
        assertEquals(2, second.attempt());
        assertEquals("SUCCESS", second.outcome());
        assertEquals("SUCCEEDED", second.stateAfter());
        assertEquals("REPLY", second.evidence());
        assertEquals("node-right-key", second.instanceId());
        assertTrue(second.durationMs() >= 0 && !second.endedAt().isBefore(second.startedAt()), second.toString());
        String sent = sha256(Envelope.toJson(Envelope.dataAsSent(cmd.data(), M)));
        assertEquals(sent, first.dataSha256(), "the hash of the Data sent, never the Data");
        assertEquals(sent, second.dataSha256());

        Path success = outbox.resolve("success").resolve(Dispatcher.fileName(cmd.id()));
        await("the success channel has it", Duration.ofSeconds(5), () -> Files.isRegularFile(success));
        assertEquals("SUCCEEDED", DispatchNode.JSON.readTree(success.toFile()).path("state").asText());
    }

    /** An attempt that may have reached ECPay: the re-drive goes through the lookup, and the ledger shows one invoice. */
    @Test
    void aCommandThatMayHaveReachedEcpayIsReDrivenThroughTheLookup() throws Exception {
        SANDBOX.addFault(FaultRule.always("B2CInvoice/Issue", Kind.WORK_DONE_DROP).withTimes(1));
        Map<String, String> settings = settings("jdbc:h2:mem:rd" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", RIGHT.hashKey());
        settings.put("ecpay.dispatch.max-attempts", "1");
        node = DispatchNode.start("node-a", settings);
        Journal journal = node.journal();
        String relate = unique("Maybe");
        Command cmd = DispatchNode.command("erp-" + relate, "B2CInvoice/Issue", M, DispatchNode.issueData(relate));
        DispatchNode.insertAll(journal, List.of(cmd));
        CommandRow dead = awaitState(journal, cmd.id(), CommandState.DEAD);
        assertTrue(dead.maybeSent(), dead.toString());
        assertEquals(1, SANDBOX.ledger().issuedCount(M, relate), "ECPay issued it; the answer was lost");
        long lookupsBefore = SANDBOX.ledger().requests("B2CInvoice/GetIssue");

        JsonNode done = redrive("{\"ids\":[\"" + cmd.id() + "\"]}");
        assertEquals(1, done.path("reconciled").asInt(), done.toString());
        CommandRow row = awaitState(journal, cmd.id(), CommandState.SUCCEEDED);
        assertEquals("LOOKUP", row.evidence(), row.reason());
        assertEquals(1, SANDBOX.ledger().issuedCount(M, relate), "no second invoice");
        assertEquals(lookupsBefore + 1, SANDBOX.ledger().requests("B2CInvoice/GetIssue"));
        assertEquals(SANDBOX.ledger().invoice(M, relate).orElseThrow().invoiceNo(),
                DispatchNode.JSON.readTree(row.reply()).path("InvoiceNo").asText(), "the earlier invoice adopted");
        AttemptRow last = journal.attempts(cmd.id()).get(2);
        assertEquals("B2CInvoice/GetIssue", last.lookupOperation());
        assertEquals("LOOKUP", last.evidence());
    }

    @Test
    void aSelectionThatNamesNothingOrHasATypoIsRefused() throws Exception {
        node = DispatchNode.start("node-a", settings("jdbc:h2:mem:rd" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", WRONG_KEY));
        CamelExecutionException none = assertThrows(CamelExecutionException.class, () -> redrive("{}"));
        assertTrue(none.getCause() instanceof IllegalArgumentException, String.valueOf(none.getCause()));
        assertTrue(none.getCause().getMessage().startsWith("say which dead commands to re-drive"), none.getCause().getMessage());
        CamelExecutionException typo = assertThrows(CamelExecutionException.class, () -> redrive("{\"transCode\":[110]}"));
        assertTrue(typo.getCause().getMessage().contains("unknown selection field 'transCode'"), typo.getCause().getMessage());
        assertNotNull(node.journal());
    }
}
