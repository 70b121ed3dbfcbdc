package tw.einvoice.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.dispatch.DispatchNode.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.journal.CommandRow;
import tw.einvoice.journal.CommandState;
import tw.einvoice.journal.Journal;
import tw.einvoice.protocol.Command;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.FaultRule;
import tw.einvoice.sandbox.FaultRule.Kind;

/**
 * No command ends SUCCEEDED without evidence, through the shipped dispatch routes against the sandbox, with faults that
 * do the work and drop the connection before the reply: TriggerIssue and CancelDelayIssue are proven by GetIssue by their
 * DelayIssue's RelateNumber (a Tsr it cannot prove ends DEAD naming the check), and the B2B changes without an "already
 * done" answer are looked up before they are sent again, so each is done once.
 */
class EvidenceRouteTest {

    static final String M = "2000132";
    static final String EXCHANGE_BUYER = "24549210";

    @TempDir
    Path outbox;
    /** A sandbox of its own per test: the faults and the books of one test never meet another's. */
    EcpaySandbox sandbox;
    DispatchNode node;
    Journal journal;

    @BeforeEach
    void start() throws Exception {
        sandbox = EcpaySandbox.builder().port(0).start();
        node = DispatchNode.start("node-e", DispatchNode.fastSettings(sandbox.baseUrl(),
                "jdbc:h2:mem:e" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", outbox));
        journal = node.journal();
    }

    @AfterEach
    void stop() {
        node.close();
        sandbox.close();
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private CommandRow run(Command command) throws InterruptedException {
        DispatchNode.insertAll(journal, List.of(command));
        await(command.id() + " is final", Duration.ofSeconds(20), () -> journal.find(command.id()).state().isFinal());
        return journal.find(command.id());
    }

    /** Done at the sandbox, the connection dropped before the reply, exactly once. */
    private void workDoneThenDropped(String operation) {
        sandbox.addFault(FaultRule.always(operation, Kind.WORK_DONE_DROP).withTimes(1));
    }

    private static void assertProvenByLookup(CommandRow row) {
        assertEquals(CommandState.SUCCEEDED, row.state(), row.reason());
        assertEquals("LOOKUP", row.evidence(), row.reason());
        assertTrue(row.attempts() >= 2, "the first attempt's answer was lost");
    }

    // ---- B2C delayed issuing: the Tsr is proven by its DelayIssue's RelateNumber

    /** A DelayIssue waiting for its TriggerIssue (DelayFlag 2, DelayDay 0); its command id. */
    private String staged(String relate, String tsr) throws InterruptedException {
        Command delay = DispatchNode.delayIssue(relate, tsr);
        assertEquals(CommandState.SUCCEEDED, run(delay).state());
        return delay.id();
    }

    private List<String> calls(CommandRow row) {
        return node.sends.stream().filter(s -> s.commandId().equals(row.id())).map(DispatchNode.Send::operation).toList();
    }

    @Test
    void aTriggerWhoseAnswerWasLostIsProvenByTheInvoiceItIssued() throws Exception {
        String relate = unique("TrgE");
        String tsr = unique("T");
        staged(relate, tsr);
        workDoneThenDropped("B2CInvoice/TriggerIssue");
        CommandRow row = run(DispatchNode.trigger(tsr));
        assertProvenByLookup(row);
        assertEquals(1, sandbox.ledger().issuedCount(M, relate), "issued once");
        String issued = sandbox.ledger().invoice(M, relate).orElseThrow().invoiceNo();
        assertEquals(issued, DispatchNode.JSON.readTree(row.reply()).path("InvoiceNo").asText(), "the invoice number, found by GetIssue");
        assertEquals(List.of("B2CInvoice/TriggerIssue", "B2CInvoice/TriggerIssue", "B2CInvoice/GetIssue"), calls(row),
                "sent again with the same Tsr (answered 4000001), then looked up");
        assertTrue(row.reason().contains("adopted the earlier result: " + issued), row.reason());
    }

    @Test
    void aCancelWhoseAnswerWasLostIsProvenByGetIssueFindingNoInvoice() throws Exception {
        String relate = unique("CanE");
        String tsr = unique("C");
        String delayId = staged(relate, tsr);
        workDoneThenDropped("B2CInvoice/CancelDelayIssue");
        CommandRow row = run(DispatchNode.command(null, "B2CInvoice/CancelDelayIssue", M, "{\"Tsr\":\"" + tsr + "\"}"));
        assertProvenByLookup(row);
        assertEquals("CANCELLED", sandbox.ledger().tsrState(M, tsr).orElseThrow());
        assertEquals(0, sandbox.ledger().issuedCount(M, relate));
        assertTrue(row.reason().contains("B2CInvoice/GetIssue by RelateNumber " + relate + " (of B2CInvoice/DelayIssue " + delayId
                + ") finds nothing: done"), row.reason());
    }

    @Test
    void aTsrNoDelayIssueOnRecordStagedEndsDeadNamingTheCheck() throws Exception {
        String tsr = unique("N");
        workDoneThenDropped("B2CInvoice/TriggerIssue");
        CommandRow row = run(DispatchNode.trigger(tsr));
        assertEquals(CommandState.DEAD, row.state(), row.reason());
        assertEquals(4000001, row.rtnCode(), "ECPay's answer to the second attempt: no such Tsr");
        assertTrue(row.reason().contains("no B2CInvoice/DelayIssue of merchant " + M + " with Tsr " + tsr
                + " accepted by ECPay is on record (none is journaled) to look it up by: check with B2CInvoice/GetIssue by the "
                + "RelateNumber of the B2CInvoice/DelayIssue with Tsr " + tsr), row.reason());
        assertEquals(List.of("B2CInvoice/TriggerIssue", "B2CInvoice/TriggerIssue"), calls(row), "no lookup without a key");
    }

    @Test
    void aTriggerOfACancelledStagingEndsDeadAfterGetIssueFindsNothing() throws Exception {
        String relate = unique("TcE");
        String tsr = unique("X");
        String delayId = staged(relate, tsr);
        assertEquals(CommandState.SUCCEEDED, run(DispatchNode.command(null, "B2CInvoice/CancelDelayIssue", M,
                "{\"Tsr\":\"" + tsr + "\"}")).state());
        CommandRow row = run(DispatchNode.trigger(tsr));
        assertEquals(CommandState.DEAD, row.state(), row.reason());
        assertTrue(row.reason().contains("B2CInvoice/GetIssue by RelateNumber " + relate + " (of B2CInvoice/DelayIssue " + delayId
                + ") finds nothing: not done by this command"), row.reason());
        assertEquals(0, sandbox.ledger().issuedCount(M, relate));
    }

    // ---- B2B changes without an "already done" answer: looked up before they are sent again

    private JsonNode reply(CommandRow row) throws Exception {
        assertEquals(CommandState.SUCCEEDED, row.state(), row.reason());
        return DispatchNode.JSON.readTree(row.reply());
    }

    private Command b2b(String operation, String data) {
        return DispatchNode.command(unique(operation.substring(11) + "-"), operation, M, data);
    }

    /** A B2B invoice to the exchange-mode buyer: "InvoiceNumber", "InvoiceDate" (the date) as the changes name it. */
    private String invoice() throws Exception {
        run(b2b("B2BInvoice/MaintainMerchantCustomerData", "{\"Action\":\"Add\",\"Identifier\":\"" + EXCHANGE_BUYER
                + "\",\"type\":\"1\",\"CompanyName\":\"交換買方股份有限公司\",\"ExchangeMode\":\"1\",\"EmailAddress\":\"ap@example.com\"}"));
        JsonNode issued = reply(run(b2b("B2BInvoice/Issue", ("{\"RelateNumber\":\"%s\",\"CustomerIdentifier\":\"%s\","
                + "\"CustomerEmail\":\"ap@example.com\",\"InvType\":\"07\",\"TaxType\":\"1\",\"SalesAmount\":1000,\"TaxAmount\":50,"
                + "\"TotalAmount\":1050,\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"咖啡豆\",\"ItemCount\":10,\"ItemPrice\":100,"
                + "\"ItemTaxType\":\"1\",\"ItemAmount\":1000}]}").formatted(unique("B"), EXCHANGE_BUYER))));
        return "\"InvoiceNumber\":\"" + issued.path("InvoiceNumber").asText() + "\",\"InvoiceDate\":\""
                + issued.path("InvoiceDate").asText().substring(0, 10) + "\"";
    }

    /** The change's answer is lost once; it ends SUCCEEDED on its lookup, and ECPay received it once. */
    private CommandRow lostOnce(String operation, String data) throws Exception {
        long before = sandbox.ledger().requests(operation);
        workDoneThenDropped(operation);
        CommandRow row = run(b2b(operation, data));
        assertProvenByLookup(row);
        assertEquals(1, sandbox.ledger().requests(operation) - before, operation + " reached ECPay once, not sent again");
        assertTrue(row.reason().contains(catalogLookup(operation) + " shows it done; not sent again"), row.reason());
        assertEquals(List.of(operation, catalogLookup(operation)), calls(row));
        return row;
    }

    private static String catalogLookup(String operation) {
        return tw.einvoice.protocol.OperationCatalog.standard().get(operation).adoptWith().operation();
    }

    @Test
    void everyB2BChangeWhoseAnswerWasLostIsProvenByItsLookupAndDoneOnce() throws Exception {
        String first = invoice();
        lostOnce("B2BInvoice/IssueConfirm", "{" + first + ",\"Remark\":\"\"}");
        String number = first.replaceAll(".*\"InvoiceNumber\":\"(\\w+)\".*", "$1");
        String date = first.replaceAll(".*\"InvoiceDate\":\"([\\d-]+)\".*", "$1");
        String allowanceNo = reply(run(b2b("B2BInvoice/Allowance", ("{\"TaxAmount\":5,\"TotalAmount\":100,\"Details\":[{"
                + "\"OriginalInvoiceNumber\":\"%s\",\"OriginalInvoiceDate\":\"%s\",\"OriginalSequenceNumber\":1,\"ItemName\":\"咖啡豆\","
                + "\"ItemCount\":1,\"ItemPrice\":100,\"ItemAmount\":100}]}").formatted(number, date)))).path("AllowanceNo").asText();
        lostOnce("B2BInvoice/AllowanceConfirm", "{\"AllowanceNo\":\"" + allowanceNo + "\"}");
        lostOnce("B2BInvoice/CancelAllowance", "{\"AllowanceNo\":\"" + allowanceNo + "\",\"Reason\":\"錯誤\"}");
        lostOnce("B2BInvoice/CancelAllowanceConfirm", "{\"AllowanceNo\":\"" + allowanceNo + "\"}");
        assertEquals("CANCEL_CONFIRMED", sandbox.ledger().b2bAllowanceState(M, allowanceNo).orElseThrow());
        lostOnce("B2BInvoice/Invalid", "{" + first + ",\"Reason\":\"作廢\"}");
        lostOnce("B2BInvoice/InvalidConfirm", "{" + first + "}");

        String second = invoice();
        lostOnce("B2BInvoice/Reject", "{" + second + ",\"Reason\":\"退回\"}");
        lostOnce("B2BInvoice/RejectConfirm", "{" + second + "}");
    }

    @Test
    void aB2BChangeTheLookupShowsNotDoneIsSentAgain() throws Exception {
        String invoice = invoice();
        long before = sandbox.ledger().requests("B2BInvoice/IssueConfirm");
        // the connection drops before any work: the attempt may have reached ECPay, as far as the dispatcher can tell
        sandbox.addFault(FaultRule.always("B2BInvoice/IssueConfirm", Kind.DROP).withTimes(1));
        CommandRow row = run(b2b("B2BInvoice/IssueConfirm", "{" + invoice + ",\"Remark\":\"\"}"));
        assertEquals(CommandState.SUCCEEDED, row.state(), row.reason());
        assertEquals("REPLY", row.evidence(), "done by the attempt after the lookup");
        assertEquals(2, sandbox.ledger().requests("B2BInvoice/IssueConfirm") - before);
        assertEquals(List.of("B2BInvoice/IssueConfirm", "B2BInvoice/GetIssueConfirm", "B2BInvoice/IssueConfirm"), calls(row));
    }

    @Test
    void aFailedLookupSendsNothingAndIsRetried() throws Exception {
        String invoice = invoice();
        workDoneThenDropped("B2BInvoice/IssueConfirm");
        sandbox.addFault(FaultRule.always("B2BInvoice/GetIssueConfirm", Kind.RTN_CODE).withTimes(1));
        CommandRow row = run(b2b("B2BInvoice/IssueConfirm", "{" + invoice + ",\"Remark\":\"\"}"));
        assertProvenByLookup(row);
        assertEquals(List.of("B2BInvoice/IssueConfirm", "B2BInvoice/GetIssueConfirm", "B2BInvoice/GetIssueConfirm"), calls(row),
                "never sent twice");
        assertEquals(3, row.attempts(), "the failed lookup was an attempt of its own, RETRY");
    }
}
