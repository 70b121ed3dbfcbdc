package tw.einvoice.sandbox;

import tw.einvoice.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tw.einvoice.protocol.Credentials;

/** The stateful flows of issue 3, end to end over HTTP with real envelopes. */
class EcpaySandboxFlowTest {

    static final String M = Credentials.PUBLIC_STAGE.merchantId();

    MutableClock clock = new MutableClock(Instant.parse("2026-08-15T15:29:10Z")); // 23:29:10 in Taipei
    EcpaySandbox sandbox;
    SandboxClient client;

    @BeforeEach
    void start() {
        sandbox = EcpaySandbox.builder().clock(clock).start();
        client = new SandboxClient(sandbox.baseUrl()).clock(clock);
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void issueAllocatesNumbersFromTheDefaultTrackWithTaipeiDates() throws Exception {
        SandboxClient.Result first = client.call("B2CInvoice/Issue", SandboxClient.issueData("Order1"));
        assertEquals(200, first.status());
        assertEquals(1, first.transCode());
        assertEquals("Success", first.envelope().path("TransMsg").asText());
        assertTrue(first.envelope().get("MerchantID").isNumber(), "live ECPay sends MerchantID as a number");
        assertEquals(1, first.rtnCode(), first.rtnMsg());
        assertEquals("開立發票成功", first.rtnMsg());
        assertEquals("AB12345000", first.get("InvoiceNo"));
        assertEquals("2026-08-15 23:29:10", first.get("InvoiceDate"));
        assertTrue(first.get("RandomNumber").matches("[0-9]{4}"), first.get("RandomNumber"));

        SandboxClient.Result second = client.call("B2CInvoice/Issue", SandboxClient.issueData("Order2"));
        assertEquals("AB12345001", second.get("InvoiceNo"));
        assertEquals(2, sandbox.ledger().totalIssued());
        assertEquals(1, sandbox.ledger().issuedCount(M, "order1"));
        assertEquals("AB12345001", sandbox.ledger().invoice(M, "ORDER2").orElseThrow().invoiceNo());
    }

    @Test
    void aReusedRelateNumberIsRefusedWhateverItsLetterCase() throws Exception {
        assertEquals(1, client.call("B2CInvoice/Issue", SandboxClient.issueData("Dup7")).rtnCode());
        SandboxClient.Result again = client.call("B2CInvoice/Issue", SandboxClient.issueData("DUP7"));
        assertEquals(5070357, again.rtnCode());
        assertEquals("B2C開立發票 自訂編號重覆，請重新設定", again.rtnMsg());
        assertEquals("", again.get("InvoiceNo"));
        // DelayIssue shares the RelateNumber space
        assertEquals(5070357, client.call("B2CInvoice/DelayIssue", SandboxClient.delayData("dup7", "T1", 2, 0)).rtnCode());
        assertEquals(1, sandbox.ledger().issuedCount(M, "dUp7"));
        assertEquals(2, sandbox.ledger().duplicateRelateNumberCount(M, "Dup7"));
        assertEquals(1, sandbox.ledger().replies("B2CInvoice/Issue", 5070357));
    }

    @Test
    void delayIssueThenTriggerIssueThenGetIssue() throws Exception {
        SandboxClient.Result staged = client.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Delay1", "TSR1", 2, 0));
        assertEquals(1, staged.rtnCode(), staged.rtnMsg());
        assertFalse(staged.get("OrderNumber").isEmpty());
        assertEquals("STAGED", sandbox.ledger().tsrState(M, "TSR1").orElseThrow());
        assertEquals(0, sandbox.ledger().issuedCount(M, "Delay1"));
        assertEquals(1600003, client.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"Delay1\"}").rtnCode());

        SandboxClient.Result triggered = client.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"TSR1\",\"PayType\":\"2\"}");
        assertEquals(4000004, triggered.rtnCode(), triggered.rtnMsg());
        assertEquals("TSR1", triggered.get("Tsr"));
        assertEquals(1, sandbox.ledger().issuedCount(M, "Delay1"));

        SandboxClient.Result got = client.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"DELAY1\"}");
        assertEquals(1, got.rtnCode(), got.rtnMsg());
        assertEquals(sandbox.ledger().invoice(M, "Delay1").orElseThrow().invoiceNo(), got.get("IIS_Number"));
        assertEquals("Delay1", got.get("IIS_Relate_Number"));
        assertEquals("2026-08-15 23:29:10", got.get("IIS_Create_Date"));
        assertTrue(got.get("IIS_Random_Number").matches("[0-9]{4}"));
        assertEquals("0", got.get("IIS_Invalid_Status"));
        assertEquals(100, got.data().path("IIS_Sales_Amount").asInt());
        assertEquals("茶 葉", got.data().path("Items").get(0).path("ItemName").asText());

        // by number and date too
        SandboxClient.Result byNumber = client.call("B2CInvoice/GetIssue",
                "{\"InvoiceNo\":\"" + got.get("IIS_Number") + "\",\"InvoiceDate\":\"2026/08/15\"}");
        assertEquals("Delay1", byNumber.get("IIS_Relate_Number"));

        // a used Tsr and an unknown one
        assertEquals(4000001, client.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"TSR1\",\"PayType\":\"2\"}").rtnCode());
        assertEquals(4000001, client.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"NOPE\",\"PayType\":\"2\"}").rtnCode());
        assertEquals(1, sandbox.ledger().issuedCount(M, "Delay1"));
        // the same Tsr cannot be staged again
        assertEquals(4000002, client.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Other1", "TSR1", 2, 0)).rtnCode());
    }

    @Test
    void triggerWithDelayDaysSchedulesAndTheInvoiceAppearsWhenItsDayComes() throws Exception {
        assertEquals(1, client.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Later1", "TSR2", 2, 3)).rtnCode());
        SandboxClient.Result t = client.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"TSR2\",\"PayType\":\"2\"}");
        assertEquals(4000003, t.rtnCode());
        assertEquals("延後開立成功", t.rtnMsg());
        assertEquals("SCHEDULED", sandbox.ledger().tsrState(M, "TSR2").orElseThrow());
        clock.advance(Duration.ofDays(2));
        assertEquals(1600003, client.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"Later1\"}").rtnCode());
        clock.advance(Duration.ofDays(1));
        SandboxClient.Result got = client.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"Later1\"}");
        assertEquals(1, got.rtnCode());
        assertEquals("2026-08-18 23:29:10", got.get("IIS_Create_Date"));
        assertEquals("ISSUED", sandbox.ledger().tsrState(M, "TSR2").orElseThrow());
    }

    @Test
    void delayFlagOneIssuesByItselfAndCannotBeTriggered() throws Exception {
        assertEquals(1, client.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Auto1", "TSR3", 1, 1)).rtnCode());
        assertEquals(4000001, client.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"TSR3\",\"PayType\":\"2\"}").rtnCode());
        assertEquals(1000005, client.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Auto2", "TSR4", 1, 0)).rtnCode());
        clock.advance(Duration.ofDays(1));
        assertEquals(1, client.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"Auto1\"}").rtnCode());
        assertEquals(1, sandbox.ledger().issuedCount(M, "Auto1"));
    }

    @Test
    void cancelDelayIssueWorksOnlyBeforeIssue() throws Exception {
        client.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Cancel1", "TSR5", 2, 0));
        SandboxClient.Result cancelled = client.call("B2CInvoice/CancelDelayIssue", "{\"Tsr\":\"TSR5\"}");
        assertEquals(1, cancelled.rtnCode());
        assertEquals("取消開立發票成功", cancelled.rtnMsg());
        assertEquals(4000001, client.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"TSR5\",\"PayType\":\"2\"}").rtnCode());
        assertEquals(4000001, client.call("B2CInvoice/CancelDelayIssue", "{\"Tsr\":\"TSR5\"}").rtnCode());
        assertEquals(4000001, client.call("B2CInvoice/CancelDelayIssue", "{\"Tsr\":\"NEVER\"}").rtnCode());

        client.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Cancel2", "TSR6", 2, 0));
        assertEquals(4000004, client.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"TSR6\",\"PayType\":\"2\"}").rtnCode());
        assertEquals(4000006, client.call("B2CInvoice/CancelDelayIssue", "{\"Tsr\":\"TSR6\"}").rtnCode());
        assertEquals(0, sandbox.ledger().issuedCount(M, "Cancel1"));
    }

    @Test
    void issueThenInvalidThenGetInvalid() throws Exception {
        SandboxClient.Result issued = client.call("B2CInvoice/Issue", SandboxClient.issueData("Void1"));
        String no = issued.get("InvoiceNo");
        clock.advance(Duration.ofMinutes(5));
        String invalid = "{\"InvoiceNo\":\"" + no + "\",\"InvoiceDate\":\"2026-08-15\",\"Reason\":\"客戶退貨\"}";
        SandboxClient.Result voided = client.call("B2CInvoice/Invalid", invalid);
        assertEquals(1, voided.rtnCode(), voided.rtnMsg());
        assertEquals(no, voided.get("InvoiceNo"));
        SandboxClient.Result again = client.call("B2CInvoice/Invalid", invalid);
        assertEquals(5070453, again.rtnCode());

        SandboxClient.Result got = client.call("B2CInvoice/GetInvalid",
                "{\"RelateNumber\":\"void1\",\"InvoiceNo\":\"" + no + "\",\"InvoiceDate\":\"2026/08/15\"}");
        assertEquals(1, got.rtnCode(), got.rtnMsg());
        assertEquals("查詢成功", got.rtnMsg());
        assertEquals(no, got.get("II_Invoice_No"));
        assertEquals("2026-08-15 23:34:10", got.get("II_Date"));
        assertEquals("客戶退貨", got.get("Reason"));
        assertEquals(M, got.get("IIS_Mer_ID"));
        assertEquals("0000000000", got.get("II_Buyer_Identifier"));
        assertEquals("1", client.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"Void1\"}").get("IIS_Invalid_Status"));
        assertTrue(sandbox.ledger().invoice(M, "Void1").orElseThrow().invalid());

        // wrong date or an invoice that is not void
        assertEquals(1600003, client.call("B2CInvoice/Invalid",
                "{\"InvoiceNo\":\"" + no + "\",\"InvoiceDate\":\"2026-08-14\",\"Reason\":\"x\"}").rtnCode());
        String other = client.call("B2CInvoice/Issue", SandboxClient.issueData("Keep1")).get("InvoiceNo");
        assertEquals(1600004, client.call("B2CInvoice/GetInvalid",
                "{\"RelateNumber\":\"Keep1\",\"InvoiceNo\":\"" + other + "\",\"InvoiceDate\":\"2026-08-15\"}").rtnCode());
    }

    @Test
    void disablingOrPausingTheTrackStopsIssuing() throws Exception {
        String paused = "{\"TrackID\":\"" + EcpaySandbox.DEFAULT_TRACK_ID + "\",\"InvoiceStatus\":1}";
        SandboxClient.Result r = client.call("B2CInvoice/UpdateInvoiceWordStatus", paused);
        assertEquals(1, r.rtnCode());
        assertEquals(1, sandbox.ledger().trackStatus(M, EcpaySandbox.DEFAULT_TRACK_ID).orElseThrow());
        assertEquals(1100040, client.call("B2CInvoice/Issue", SandboxClient.issueData("Track1")).rtnCode());

        client.call("B2CInvoice/UpdateInvoiceWordStatus", paused.replace(":1}", ":2}"));
        assertEquals(1, client.call("B2CInvoice/Issue", SandboxClient.issueData("Track1")).rtnCode());

        assertEquals(1, client.call("B2CInvoice/UpdateInvoiceWordStatus", paused.replace(":1}", ":0}")).rtnCode());
        SandboxClient.Result refused = client.call("B2CInvoice/Issue", SandboxClient.issueData("Track2"));
        assertEquals(1100040, refused.rtnCode());
        assertTrue(refused.rtnMsg().contains("啟用"), refused.rtnMsg());
        assertEquals(0, sandbox.ledger().issuedCount(M, "Track2"));
        // an unknown track is refused
        assertEquals(1100041, client.call("B2CInvoice/UpdateInvoiceWordStatus", "{\"TrackID\":\"999\",\"InvoiceStatus\":2}").rtnCode());

        // a staged invoice waits for a track and can be triggered again later
        client.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Track3", "TSR7", 2, 0));
        assertEquals(1100040, client.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"TSR7\",\"PayType\":\"2\"}").rtnCode());
        sandbox.addTrack(M, "2000002", "CD", 0, 49, 0);
        client.call("B2CInvoice/UpdateInvoiceWordStatus", "{\"TrackID\":\"2000002\",\"InvoiceStatus\":2}");
        assertEquals(4000004, client.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"TSR7\",\"PayType\":\"2\"}").rtnCode());
        assertEquals("CD00000000", sandbox.ledger().invoice(M, "Track3").orElseThrow().invoiceNo());
    }

    @Test
    void anExhaustedTrackAnswers1100040() throws Exception {
        try (EcpaySandbox small = EcpaySandbox.builder().clock(clock).trackSize(2).start()) {
            SandboxClient c = new SandboxClient(small.baseUrl()).clock(clock);
            Set<String> numbers = new HashSet<>();
            numbers.add(c.call("B2CInvoice/Issue", SandboxClient.issueData("E1")).get("InvoiceNo"));
            numbers.add(c.call("B2CInvoice/Issue", SandboxClient.issueData("E2")).get("InvoiceNo"));
            SandboxClient.Result third = c.call("B2CInvoice/Issue", SandboxClient.issueData("E3"));
            assertEquals(1100040, third.rtnCode());
            assertTrue(third.rtnMsg().contains("用完"), third.rtnMsg());
            assertEquals(Set.of("AB12345000", "AB12345001"), numbers);
            assertEquals(2, small.ledger().totalIssued());
        }
    }

    @Test
    void b2bIssueConfirmIsRecorded() throws Exception {
        assertEquals(1, client.call("B2BInvoice/MaintainMerchantCustomerData", "{\"Action\":\"Add\",\"Identifier\":\"24549210\","
                + "\"type\":\"1\",\"CompanyName\":\"買方\",\"ExchangeMode\":\"1\",\"EmailAddress\":\"ap@example.com\"}").rtnCode());
        SandboxClient.Result issued = client.call("B2BInvoice/Issue", B2BSandboxStateTest.issue("B2BFLOW1", "24549210"));
        assertEquals(1, issued.rtnCode(), issued.rtnMsg());
        SandboxClient.Result r = client.call("B2BInvoice/IssueConfirm", "{\"InvoiceNumber\":\"" + issued.get("InvoiceNumber")
                + "\",\"InvoiceDate\":\"" + issued.get("InvoiceDate").substring(0, 10) + "\",\"Remark\":\"\"}");
        assertEquals(1, r.rtnCode(), r.rtnMsg());
        assertEquals(1, sandbox.ledger().confirmations(M, issued.get("InvoiceNumber").toLowerCase(java.util.Locale.ROOT)));
        assertNotEquals(0, sandbox.ledger().requests("B2BInvoice/IssueConfirm"));
    }
}
