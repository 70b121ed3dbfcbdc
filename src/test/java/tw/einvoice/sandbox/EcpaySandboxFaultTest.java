package tw.einvoice.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tw.einvoice.protocol.Credentials;

/** Every fault kind, per operation, as a rate (reproducible by seed) and limited in number. */
class EcpaySandboxFaultTest {

    static final String M = Credentials.PUBLIC_STAGE.merchantId();
    static final String ISSUE = "B2CInvoice/Issue";

    EcpaySandbox sandbox;
    SandboxClient client;

    @BeforeEach
    void start() {
        sandbox = EcpaySandbox.builder().start();
        client = new SandboxClient(sandbox.baseUrl());
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void latencyDelaysTheReplyAndThenAnswersNormally() throws Exception {
        sandbox.addFault(FaultRule.always("B2CInvoice/GetIssue", FaultRule.Kind.LATENCY).withLatencyMs(400));
        long t0 = System.nanoTime();
        SandboxClient.Result r = client.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"L1\"}");
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() >= 400);
        assertEquals(1, r.transCode());
        assertEquals(1, sandbox.ledger().faults(FaultRule.Kind.LATENCY));
        // another operation is not hit
        client.call(ISSUE, SandboxClient.issueData("L2"));
        assertEquals(1, sandbox.ledger().faults(FaultRule.Kind.LATENCY));
    }

    @Test
    void http503And403ComeBeforeAnyWork() throws Exception {
        sandbox.addFault(FaultRule.always(ISSUE, FaultRule.Kind.HTTP_503).withTimes(1));
        sandbox.addFault(FaultRule.always("/b2cinvoice/issue", FaultRule.Kind.HTTP_403).withTimes(2));
        assertEquals(503, client.call(ISSUE, SandboxClient.issueData("H1")).status());
        SandboxClient.Result forbidden = client.call(ISSUE, SandboxClient.issueData("H1"));
        assertEquals(403, forbidden.status());
        assertEquals(403, client.call(ISSUE, SandboxClient.issueData("H1")).status()); // the 503 rule is used up
        assertEquals(0, sandbox.ledger().issuedCount(M, "H1"));
        SandboxClient.Result ok = client.call(ISSUE, SandboxClient.issueData("H1"));
        assertEquals(1, ok.rtnCode(), "the rules are used up and nothing was done before");
        assertEquals(1, sandbox.ledger().faults(FaultRule.Kind.HTTP_503));
        assertEquals(2, sandbox.ledger().faults(FaultRule.Kind.HTTP_403));
        assertEquals(4, sandbox.ledger().requests(ISSUE));
    }

    @Test
    void aDroppedConnectionGivesNoReplyAndDoesNothing() throws Exception {
        sandbox.addFault(FaultRule.always(ISSUE, FaultRule.Kind.DROP).withTimes(1));
        assertThrows(IOException.class, () -> client.call(ISSUE, SandboxClient.issueData("D1")));
        assertEquals(0, sandbox.ledger().issuedCount(M, "D1"));
        assertEquals(1, client.call(ISSUE, SandboxClient.issueData("D1")).rtnCode());
    }

    @Test
    void workDoneThenDroppedIssuesTheInvoiceButSendsNothing() throws Exception {
        sandbox.addFault(FaultRule.always(ISSUE, FaultRule.Kind.WORK_DONE_DROP).withTimes(1));
        assertThrows(IOException.class, () -> client.call(ISSUE, SandboxClient.issueData("W1")));
        assertEquals(1, sandbox.ledger().issuedCount(M, "W1"));
        // the ambiguous case: the client re-sends the same key and learns it was done
        assertEquals(5070357, client.call(ISSUE, SandboxClient.issueData("W1")).rtnCode());
        assertEquals(1, sandbox.ledger().issuedCount(M, "W1"));
    }

    @Test
    void workDoneThenHungRunsIntoTheClientsReadTimeout() throws Exception {
        sandbox.addFault(FaultRule.always("B2CInvoice/TriggerIssue", FaultRule.Kind.WORK_DONE_HANG).withLatencyMs(5_000));
        client.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Hang1", "HTSR1", 2, 0));
        SandboxClient impatient = new SandboxClient(sandbox.baseUrl()).timeout(Duration.ofMillis(600));
        long t0 = System.nanoTime();
        assertThrows(HttpTimeoutException.class,
                () -> impatient.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"HTSR1\",\"PayType\":\"2\"}"));
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() < 3_000);
        assertEquals(1, sandbox.ledger().issuedCount(M, "Hang1"));
        assertEquals("ISSUED", sandbox.ledger().tsrState(M, "HTSR1").orElseThrow());
        assertEquals(FaultRule.DEFAULT_HANG_MS, FaultRule.always(null, FaultRule.Kind.WORK_DONE_HANG).latencyMs());
    }

    @Test
    void transientRtnCodesAreAnsweredInsideAValidEnvelopeAndDoNothing() throws Exception {
        sandbox.addFault(FaultRule.always(ISSUE, FaultRule.Kind.RTN_CODE).withTimes(1));
        sandbox.addFault(FaultRule.always(ISSUE, FaultRule.Kind.RTN_CODE).withRtnCode(9999999).withTimes(1));
        SandboxClient.Result moF = client.call(ISSUE, SandboxClient.issueData("R1"));
        assertEquals(1, moF.transCode());
        assertEquals(9000001, moF.rtnCode());
        SandboxClient.Result busy = client.call(ISSUE, SandboxClient.issueData("R1"));
        assertEquals(9999999, busy.rtnCode());
        assertTrue(busy.rtnMsg().contains("系統忙碌"), busy.rtnMsg());
        assertEquals(0, sandbox.ledger().issuedCount(M, "R1"));
        assertEquals(1, client.call(ISSUE, SandboxClient.issueData("R1")).rtnCode());
        assertEquals(1, sandbox.ledger().replies(ISSUE, 9000001));
        assertEquals(1, sandbox.ledger().replies(ISSUE, 9999999));
        assertEquals(2, sandbox.ledger().faults(FaultRule.Kind.RTN_CODE));
    }

    @Test
    void envelopeErrorsWinOverATransientRtnCode() throws Exception {
        sandbox.addFault(FaultRule.always(null, FaultRule.Kind.RTN_CODE));
        SandboxClient.Result r = new SandboxClient(sandbox.baseUrl())
                .as(new Credentials("2000132", "A123456789012345", "B123456789012345", ""))
                .call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"X\"}");
        assertEquals(110, r.transCode());
    }

    @Test
    void aRateIsReproducibleWithTheSameSeed() throws Exception {
        List<Integer> first = statuses(7L);
        List<Integer> second = statuses(7L);
        assertEquals(first, second);
        long hits = first.stream().filter(s -> s == 503).count();
        assertTrue(hits >= 8 && hits <= 32, "about half of 40 at rate 0.5, got " + hits);
        assertTrue(!statuses(8L).equals(first), "another seed gives another run");
    }

    private static List<Integer> statuses(long seed) throws Exception {
        List<Integer> out = new ArrayList<>();
        try (EcpaySandbox s = EcpaySandbox.builder().seed(seed)
                .fault(FaultRule.always("B2CInvoice/GetIssue", FaultRule.Kind.HTTP_503).withRate(0.5)).start()) {
            SandboxClient c = new SandboxClient(s.baseUrl());
            for (int i = 0; i < 40; i++) {
                out.add(c.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"S" + i + "\"}").status());
            }
        }
        return out;
    }

    @Test
    void rulesParseFromTextAndRejectNonsense() {
        FaultRule r = FaultRule.parse("operation=B2CInvoice/Issue,kind=work-done-hang,rate=0.25,latency-ms=2000,times=3");
        assertEquals(new FaultRule("B2CInvoice/Issue", FaultRule.Kind.WORK_DONE_HANG, 0.25, 2000, 0, 3), r);
        assertEquals(9000001, FaultRule.parse("kind=rtn-code").rtnCode());
        assertEquals(FaultRule.Kind.HTTP_503, FaultRule.parse("kind=503").kind());
        assertThrows(IllegalArgumentException.class, () -> FaultRule.parse("kind=explode"));
        assertThrows(IllegalArgumentException.class, () -> FaultRule.parse("kind=drop,rate=2"));
        assertThrows(IllegalArgumentException.class, () -> FaultRule.parse("kind=drop,colour=red"));
        assertThrows(IllegalArgumentException.class, () -> FaultRule.parse("operation=x"));
    }
}
