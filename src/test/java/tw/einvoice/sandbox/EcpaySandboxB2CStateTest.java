package tw.einvoice.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.testing.MutableClock;

/**
 * What issue 12 adds to the sandbox's state survives a restart as ECPay's does: allowances (issued, voided, online ones
 * waiting for the buyer), what is left of each invoice, tracks added with their period, an edited staging, a reissued
 * invoice, and the numbers that follow.
 */
class EcpaySandboxB2CStateTest {

    static final String M = Credentials.PUBLIC_STAGE.merchantId();
    static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-08-15T02:00:00Z")); // 10:00 in Taipei, year 115, term 4

    static EcpaySandbox start(Path dir) {
        return EcpaySandbox.builder().stateDir(dir).clock(CLOCK).start();
    }

    static String allowance(String invoiceNo, int amount) {
        return ("{\"InvoiceNo\":\"%s\",\"InvoiceDate\":\"2026-08-15\",\"AllowanceNotify\":\"E\",\"NotifyMail\":\"b@example.com\","
                + "\"AllowanceAmount\":%d,\"Items\":[{\"ItemName\":\"茶\",\"ItemCount\":1,\"ItemWord\":\"包\",\"ItemPrice\":%d,"
                + "\"ItemAmount\":%d}]}").formatted(invoiceNo, amount, amount, amount);
    }

    @Test
    void anEditedStagingAndAReissuedInvoiceAreKeptAcrossARestart(@TempDir Path dir) throws Exception {
        String number;
        String random;
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl()).clock(CLOCK);
            assertEquals(1, c.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Edit1", "ETSR1", 2, 0)).rtnCode());
            SandboxClient.Result edited = c.call("B2CInvoice/EditDelayIssue", SandboxClient.issueData("Edit1")
                    .replace("\"SalesAmount\":100", "\"SalesAmount\":90").replace("\"ItemPrice\":100", "\"ItemPrice\":90")
                    .replace("\"ItemAmount\":100", "\"ItemAmount\":90").replaceFirst("\\{", "{\"Tsr\":\"ETSR1\","));
            assertEquals(1, edited.rtnCode(), edited.rtnMsg());
            SandboxClient.Result issued = c.call("B2CInvoice/Issue", SandboxClient.issueData("Re1"));
            number = issued.get("InvoiceNo");
            SandboxClient.Result re = c.call("B2CInvoice/VoidWithReIssue", "{\"VoidModel\":{\"InvoiceNo\":\"" + number
                    + "\",\"VoidReason\":\"x\"},\"IssueModel\":" + SandboxClient.issueData("Re1").strip().replaceFirst("\\{",
                    "{\"InvoiceDate\":\"" + issued.get("InvoiceDate") + "\",").replace("\"InvoiceRemark\":\"a b+c\"", "\"InvoiceRemark\":\"補登\"") + "}");
            assertEquals(1, re.rtnCode(), re.rtnMsg());
            random = re.get("RandomNumber");
        }
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl()).clock(CLOCK);
            assertEquals(4000004, c.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"ETSR1\",\"PayType\":\"2\"}").rtnCode());
            assertEquals(90, c.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"Edit1\"}").data().path("IIS_Sales_Amount").asInt(), "as edited");
            SandboxClient.Result re = c.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"Re1\"}");
            assertEquals("補登", re.get("InvoiceRemark"));
            assertEquals(random, re.get("IIS_Random_Number"));
            assertEquals(5070461, c.call("B2CInvoice/VoidWithReIssue", "{\"VoidModel\":{\"InvoiceNo\":\"" + number
                    + "\",\"VoidReason\":\"x\"},\"IssueModel\":" + SandboxClient.issueData("Re1").strip().replaceFirst("\\{",
                    "{\"InvoiceDate\":\"" + re.get("IIS_Create_Date") + "\",") + "}").rtnCode(), "reissued less than a day ago");
        }
    }

    @Test
    void allowancesAndAddedTracksAreKeptAcrossARestart(@TempDir Path dir) throws Exception {
        String invoice;
        String issued;
        String voided;
        String pending;
        String trackId;
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl()).clock(CLOCK);
            invoice = c.call("B2CInvoice/Issue", SandboxClient.issueData("Keep1")).get("InvoiceNo");
            issued = c.call("B2CInvoice/Allowance", allowance(invoice, 20)).get("IA_Allow_No");
            voided = c.call("B2CInvoice/Allowance", allowance(invoice, 30)).get("IA_Allow_No");
            assertEquals(1, c.call("B2CInvoice/AllowanceInvalid", "{\"InvoiceNo\":\"" + invoice + "\",\"AllowanceNo\":\"" + voided
                    + "\",\"Reason\":\"錯誤\"}").rtnCode());
            pending = c.call("B2CInvoice/AllowanceByCollegiate", allowance(invoice, 40)).get("IA_Allow_No");
            assertEquals("2026081500000001", issued);
            assertEquals(40L, sandbox.ledger().remainingAllowance(M, invoice).orElseThrow());
            SandboxClient.Result added = c.call("B2CInvoice/AddInvoiceWordSetting", "{\"InvoiceYear\":\"115\",\"InvoiceTerm\":4,"
                    + "\"InvType\":\"07\",\"InvoiceCategory\":1,\"InvoiceHeader\":\"KP\",\"InvoiceStart\":\"10000000\",\"InvoiceEnd\":\"10000049\"}");
            assertEquals(1, added.rtnCode(), added.rtnMsg());
            trackId = added.get("TrackID");
        }
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl()).clock(CLOCK);
            assertEquals(40L, sandbox.ledger().remainingAllowance(M, invoice).orElseThrow(), "issued and pending still count");
            assertEquals("ISSUED", sandbox.ledger().allowance(M, issued).orElseThrow().state());
            assertEquals("VOID", sandbox.ledger().allowance(M, voided).orElseThrow().state());
            assertEquals("錯誤", sandbox.ledger().allowance(M, voided).orElseThrow().reason());
            assertEquals(2000063, c.call("B2CInvoice/AllowanceInvalid", "{\"InvoiceNo\":\"" + invoice + "\",\"AllowanceNo\":\"" + voided
                    + "\",\"Reason\":\"again\"}").rtnCode());
            assertEquals(2000041, c.call("B2CInvoice/Allowance", allowance(invoice, 41)).rtnCode(), "no more than what is left");
            assertEquals(5070450, c.call("B2CInvoice/Invalid", "{\"InvoiceNo\":\"" + invoice
                    + "\",\"InvoiceDate\":\"2026-08-15\",\"Reason\":\"x\"}").rtnCode());
            assertEquals(true, sandbox.agreeOnlineAllowance(M, pending), "the online one still waits for the buyer");
            assertEquals("2026081500000004", c.call("B2CInvoice/Allowance", allowance(invoice, 10)).get("IA_Allow_No"), "numbers go on");
            SandboxClient.Result tracks = c.call("B2CInvoice/GetInvoiceWordSetting", "{\"InvoiceYear\":\"115\",\"InvoiceTerm\":4,"
                    + "\"UseStatus\":0,\"InvoiceCategory\":1,\"InvoiceHeader\":\"KP\"}");
            assertEquals(trackId, tracks.data().path("InvoiceInfo").get(0).path("TrackID").asText());
            assertEquals(1, tracks.data().path("InvoiceInfo").get(0).path("UseStatus").asInt());
            SandboxClient.Result next = c.call("B2CInvoice/AddInvoiceWordSetting", "{\"InvoiceYear\":\"115\",\"InvoiceTerm\":4,"
                    + "\"InvType\":\"07\",\"InvoiceCategory\":1,\"InvoiceHeader\":\"KQ\",\"InvoiceStart\":\"10000000\",\"InvoiceEnd\":\"10000049\"}");
            assertEquals(Long.parseLong(trackId) + 1, Long.parseLong(next.get("TrackID")), "TrackIDs go on");
        }
    }
}
