package tw.einvoice.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.testing.MutableClock;

/**
 * The sandbox plays B2B with state, over the wire: a trading partner's mode (ECPay 14830) decides each invoice's flow —
 * exchange mode issue, confirm, void, void confirm; return and its confirm; allowance, its confirm, its cancelling and that
 * confirm — or certificate mode, where the confirm steps are refused and VoidWithReIssue is played; every lookup finds what
 * was done, and not what was not; a second Issue with the same RelateNumber answers 5070357; and all of it survives a restart.
 */
class B2BSandboxStateTest {

    static final String M = Credentials.PUBLIC_STAGE.merchantId();
    static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-08-15T02:00:00Z")); // 10:00 in Taipei
    static final String EXCHANGE_BUYER = "24549210";
    static final String CERTIFICATE_BUYER = "53538851";

    static EcpaySandbox start(Path dir) {
        return EcpaySandbox.builder().stateDir(dir).clock(CLOCK).start();
    }

    /** A B2B invoice of 1,000 untaxed plus 5% tax, in two lines. */
    static String issue(String relate, String buyer) {
        return ("{\"RelateNumber\":\"%s\",\"CustomerIdentifier\":\"%s\",\"CustomerEmail\":\"ap@example.com\",\"InvType\":\"07\","
                + "\"TaxType\":\"1\",\"SalesAmount\":1000,\"TaxAmount\":50,\"TotalAmount\":1050,\"Items\":["
                + "{\"ItemSeq\":1,\"ItemName\":\"咖啡豆\",\"ItemCount\":6,\"ItemPrice\":100,\"ItemTaxType\":\"1\",\"ItemAmount\":600},"
                + "{\"ItemSeq\":2,\"ItemName\":\"濾紙\",\"ItemCount\":4,\"ItemPrice\":100,\"ItemTaxType\":\"1\",\"ItemAmount\":400}]}")
                .formatted(relate, buyer);
    }

    static String partner(String action, String id, String mode) {
        return ("{\"Action\":\"%s\",\"Identifier\":\"%s\",\"type\":\"1\",\"CompanyName\":\"買方股份有限公司\",\"ExchangeMode\":\"%s\","
                + "\"EmailAddress\":\"ap@example.com\"}").formatted(action, id, mode);
    }

    static String invoiceKey(String number, String extra) {
        return "{\"InvoiceNumber\":\"" + number + "\",\"InvoiceDate\":\"2026-08-15\"" + extra + "}";
    }

    static String allowance(String number, int line, int amount) {
        return ("{\"TaxAmount\":%d,\"TotalAmount\":%d,\"Details\":[{\"OriginalInvoiceNumber\":\"%s\",\"OriginalInvoiceDate\":\"2026-08-15\","
                + "\"OriginalSequenceNumber\":%d,\"ItemName\":\"咖啡豆\",\"ItemCount\":1,\"ItemPrice\":%d,\"ItemAmount\":%d}]}")
                .formatted(Math.round(amount * 0.05), amount, number, line, amount, amount);
    }

    @Test
    void anExchangeModeInvoiceGoesThroughEveryStepAndSurvivesARestart(@TempDir Path dir) throws Exception {
        String number;
        String allowanceNo;
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl()).clock(CLOCK);
            assertEquals(1, c.call("B2BInvoice/MaintainMerchantCustomerData", partner("Add", EXCHANGE_BUYER, "1")).rtnCode());
            assertEquals(6160052, c.call("B2BInvoice/MaintainMerchantCustomerData", partner("Add", EXCHANGE_BUYER, "1")).rtnCode(),
                    "odoo: 6160052, the partner exists");
            // exchange mode: RelateNumber at most 20 (14850), checked in the buyer's mode
            SandboxClient.Result tooLong = c.call("B2BInvoice/Issue", issue("X".repeat(21), EXCHANGE_BUYER));
            assertTrue(tooLong.rtnMsg().startsWith("RelateNumber "), tooLong.rtnMsg());

            SandboxClient.Result issued = c.call("B2BInvoice/Issue", issue("EXB2B0001", EXCHANGE_BUYER));
            assertEquals(1, issued.rtnCode(), issued.rtnMsg());
            number = issued.get("InvoiceNumber");
            assertEquals("AB12345000", number);
            assertEquals("2026-08-15 10:00:00", issued.get("InvoiceDate"));
            assertEquals(4, issued.get("RandomNumber").length());
            SandboxClient.Result again = c.call("B2BInvoice/Issue", issue("exb2b0001", EXCHANGE_BUYER));
            assertEquals(5070357, again.rtnCode(), "the same RelateNumber, letter case ignored");

            assertEquals(6160105, c.call("B2BInvoice/GetIssueConfirm", "{\"InvoiceCategory\":0,\"RelateNumber\":\"EXB2B0001\"}").rtnCode(),
                    "not confirmed yet");
            assertEquals(1, c.call("B2BInvoice/IssueConfirm", invoiceKey(number, ",\"Remark\":\"\"")).rtnCode());
            assertEquals(6160103, c.call("B2BInvoice/IssueConfirm", invoiceKey(number, ",\"Remark\":\"\"")).rtnCode(), "confirmed once");
            SandboxClient.Result confirmed = c.call("B2BInvoice/GetIssueConfirm", "{\"InvoiceCategory\":0,\"RelateNumber\":\"EXB2B0001\"}");
            assertEquals(number, confirmed.data().path("RtnData").path("InvoiceNumber").asText());

            allowanceNo = c.call("B2BInvoice/Allowance", allowance(number, 1, 100)).get("AllowanceNo");
            assertEquals("2608150000000001", allowanceNo);
            assertEquals(2000041, c.call("B2BInvoice/Allowance", allowance(number, 1, 901)).rtnCode(), "more than is left of 1,000");
            assertEquals(5070450, c.call("B2BInvoice/Invalid", invoiceKey(number, ",\"Reason\":\"重開\"")).rtnCode(), "an allowance stands");
            assertEquals(1, c.call("B2BInvoice/AllowanceConfirm", "{\"AllowanceNo\":\"" + allowanceNo + "\"}").rtnCode());
            assertEquals("CONFIRMED", sandbox.ledger().b2bAllowanceState(M, allowanceNo).orElseThrow());
        }
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl()).clock(CLOCK);
            assertTrue(sandbox.ledger().b2bPartner(M, EXCHANGE_BUYER), "the partner is kept");
            assertEquals(5070357, c.call("B2BInvoice/Issue", issue("EXB2B0001", EXCHANGE_BUYER)).rtnCode(), "the RelateNumber is kept");
            assertEquals("CONFIRMED", sandbox.ledger().b2bInvoice(M, "EXB2B0001").orElseThrow().state());
            assertEquals(100L, sandbox.ledger().b2bInvoice(M, "EXB2B0001").orElseThrow().allowed());
            SandboxClient.Result got = c.call("B2BInvoice/GetAllowanceConfirm", "{\"AllowanceNo\":\"" + allowanceNo + "\"}");
            assertEquals(100, got.data().path("RtnData").path("TotalAmount").asInt());

            assertEquals(6160105, c.call("B2BInvoice/GetAllowanceInvalid", "{\"AllowanceNo\":\"" + allowanceNo + "\"}").rtnCode());
            assertEquals(1, c.call("B2BInvoice/CancelAllowance", "{\"AllowanceNo\":\"" + allowanceNo + "\",\"Reason\":\"金額錯誤\"}").rtnCode());
            assertEquals(2000063, c.call("B2BInvoice/CancelAllowance", "{\"AllowanceNo\":\"" + allowanceNo + "\",\"Reason\":\"金額錯誤\"}")
                    .rtnCode(), "cancelled once");
            assertEquals("金額錯誤", c.call("B2BInvoice/GetAllowanceInvalid", "{\"AllowanceNo\":\"" + allowanceNo + "\"}").data()
                    .path("RtnData").path("CancelReason").asText());
            assertEquals(1, c.call("B2BInvoice/CancelAllowanceConfirm", "{\"AllowanceNo\":\"" + allowanceNo + "\"}").rtnCode());
            assertEquals(1, c.call("B2BInvoice/GetAllowanceInvalidConfirm", "{\"AllowanceNo\":\"" + allowanceNo + "\"}").rtnCode());

            assertEquals(6160104, c.call("B2BInvoice/InvalidConfirm", invoiceKey(number, "")).rtnCode(), "not voided yet");
            assertEquals(1, c.call("B2BInvoice/Invalid", invoiceKey(number, ",\"Reason\":\"重開\"")).rtnCode());
            assertEquals(6160103, c.call("B2BInvoice/Invalid", invoiceKey(number, ",\"Reason\":\"重開\"")).rtnCode(), "voided once");
            SandboxClient.Result voided = c.call("B2BInvoice/GetInvalid", invoiceKey(number, ",\"InvoiceCategory\":0"));
            assertEquals("重開", voided.data().path("RtnData").path("CancelReason").asText());
            assertEquals(1, c.call("B2BInvoice/InvalidConfirm", invoiceKey(number, "")).rtnCode());
            assertEquals(1, c.call("B2BInvoice/GetInvalidConfirm", invoiceKey(number, ",\"InvoiceCategory\":0")).rtnCode());
            assertEquals("INVALID_CONFIRMED", sandbox.ledger().b2bInvoice(M, "EXB2B0001").orElseThrow().state());
            assertEquals("1", c.call("B2BInvoice/GetIssue", invoiceKey(number, ",\"InvoiceCategory\":0")).data()
                    .path("RtnData").path("Invalid_Status").asText());
        }
    }

    @Test
    void aReturnedInvoiceIsConfirmedAndCannotBeVoidedOrAllowed(@TempDir Path dir) throws Exception {
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl()).clock(CLOCK);
            c.call("B2BInvoice/MaintainMerchantCustomerData", partner("Add", EXCHANGE_BUYER, "1"));
            String number = c.call("B2BInvoice/Issue", issue("REJ0001", EXCHANGE_BUYER)).get("InvoiceNumber");
            String reject = invoiceKey(number, ",\"Reason\":\"品項不符\"");
            assertEquals(6160105, c.call("B2BInvoice/GetReject", reject).rtnCode(), "not returned yet");
            assertEquals(1, c.call("B2BInvoice/Reject", reject).rtnCode());
            assertEquals("品項不符", c.call("B2BInvoice/GetReject", reject).data().path("RtnData").path("RejectReason").asText());
            assertEquals(6160104, c.call("B2BInvoice/Invalid", invoiceKey(number, ",\"Reason\":\"x\"")).rtnCode());
            assertEquals(2000040, c.call("B2BInvoice/Allowance", allowance(number, 1, 100)).rtnCode());
            assertEquals(1, c.call("B2BInvoice/RejectConfirm", invoiceKey(number, "")).rtnCode());
            assertEquals(1, c.call("B2BInvoice/GetRejectConfirm", invoiceKey(number, ",\"InvoiceCategory\":0")).rtnCode());
            assertEquals("REJECT_CONFIRMED", sandbox.ledger().b2bInvoice(M, "REJ0001").orElseThrow().state());
            // an invoice another merchant issued to this one (進項) is not in the sandbox: its confirm is taken as given
            assertEquals(1, c.call("B2BInvoice/IssueConfirm", invoiceKey("ZZ00000001", ",\"Remark\":\"\"")).rtnCode());
            assertEquals(1, sandbox.ledger().confirmations(M, "zz00000001"));
            assertEquals(1600003, c.call("B2BInvoice/Reject", invoiceKey("ZZ00000001", ",\"Reason\":\"x\"")).rtnCode());
        }
    }

    @Test
    void aCertificateModeInvoiceHasNoConfirmStepsAndCanBeReissued(@TempDir Path dir) throws Exception {
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl()).clock(CLOCK);
            assertFalse(sandbox.ledger().b2bPartner(M, CERTIFICATE_BUYER));
            // certificate mode takes a 50-character RelateNumber, and a buyer never maintained (ECPay-API-Skill guides/05 step 1)
            String relate = "C".repeat(50);
            SandboxClient.Result issued = c.call("B2BInvoice/Issue", issue(relate, CERTIFICATE_BUYER));
            assertEquals(1, issued.rtnCode(), issued.rtnMsg());
            String number = issued.get("InvoiceNumber");
            assertEquals("certificate", sandbox.ledger().b2bInvoice(M, relate).orElseThrow().mode());
            assertEquals(6160102, c.call("B2BInvoice/IssueConfirm", invoiceKey(number, ",\"Remark\":\"\"")).rtnCode());
            assertEquals(6160102, c.call("B2BInvoice/Reject", invoiceKey(number, ",\"Reason\":\"x\"")).rtnCode());
            assertEquals("0", c.call("B2BInvoice/GetIssue", "{\"InvoiceCategory\":0,\"RelateNumber\":\"" + relate + "\"}").data()
                    .path("RtnData").path("ExchangeMode").asText());

            String reissue = "{\"VoidModel\":{\"InvoiceNumber\":\"" + number + "\",\"VoidReason\":\"金額錯誤\"},\"IssueModel\":"
                    + issue(relate, CERTIFICATE_BUYER).replace("\"ItemCount\":6", "\"ItemCount\":5").replace("\"ItemAmount\":600", "\"ItemAmount\":500")
                    .replace("1000", "900").replace("\"TaxAmount\":50", "\"TaxAmount\":45").replace("1050", "945") + "}";
            SandboxClient.Result re = c.call("B2BInvoice/VoidWithReIssue", reissue);
            assertEquals(1, re.rtnCode(), re.rtnMsg());
            assertEquals(number, re.get("InvoiceNumber"), "the number stays");
            assertEquals(945, c.call("B2BInvoice/GetIssue", "{\"InvoiceCategory\":0,\"RelateNumber\":\"" + relate + "\"}").data()
                    .path("RtnData").path("TotalAmount").asInt());
            assertEquals(1, c.call("B2BInvoice/Notify", invoiceKey(number, ",\"NotifyMail\":\"ap@example.com\",\"InvoiceTag\":1,\"Notified\":\"C\""))
                    .rtnCode());
            assertEquals(1, c.call("B2BInvoice/Invalid", invoiceKey(number, ",\"Reason\":\"作廢\"")).rtnCode());
            assertEquals(6160102, c.call("B2BInvoice/InvalidConfirm", invoiceKey(number, "")).rtnCode(), "certificate: no void confirm");
            assertEquals("INVALID", sandbox.ledger().b2bInvoice(M, relate).orElseThrow().state());
        }
    }

    @Test
    void aPartnerUpdatedToExchangeModeGetsExchangeInvoicesAndCanBeDeleted(@TempDir Path dir) throws Exception {
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl()).clock(CLOCK);
            assertEquals(6160101, c.call("B2BInvoice/MaintainMerchantCustomerData", partner("Update", CERTIFICATE_BUYER, "1")).rtnCode());
            assertEquals(1, c.call("B2BInvoice/MaintainMerchantCustomerData", partner("Add", CERTIFICATE_BUYER, "0")).rtnCode());
            c.call("B2BInvoice/Issue", issue("MODE0001", CERTIFICATE_BUYER));
            assertEquals(1, c.call("B2BInvoice/MaintainMerchantCustomerData", partner("Update", CERTIFICATE_BUYER, "1")).rtnCode());
            c.call("B2BInvoice/Issue", issue("MODE0002", CERTIFICATE_BUYER));
            assertEquals("certificate", sandbox.ledger().b2bInvoice(M, "MODE0001").orElseThrow().mode(), "issued before the change");
            assertEquals("exchange", sandbox.ledger().b2bInvoice(M, "MODE0002").orElseThrow().mode());
            assertEquals(1, c.call("B2BInvoice/MaintainMerchantCustomerData", partner("Delete", CERTIFICATE_BUYER, "")).rtnCode());
            assertFalse(sandbox.ledger().b2bPartner(M, CERTIFICATE_BUYER));
        }
        try (EcpaySandbox sandbox = start(dir)) {
            assertFalse(sandbox.ledger().b2bPartner(M, CERTIFICATE_BUYER), "the delete is kept");
            assertEquals("exchange", sandbox.ledger().b2bInvoice(M, "MODE0002").orElseThrow().mode());
        }
    }
}
