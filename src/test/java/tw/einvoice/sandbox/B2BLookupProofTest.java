package tw.einvoice.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.protocol.LookupComparison;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.testing.MutableClock;

/**
 * The catalog's reconciliation data for B2B works against the sandbox: for each B2B change whose answer could be lost, the
 * query the catalog builds ({@code OperationCatalog.lookupQuery} from {@code adoptWith}) is answered by the sandbox, and the
 * comparison finds the change in it; before the change, the same query proves nothing. A second Issue with the same
 * RelateNumber answers 5070357 and the lookup finds the first invoice, with the same content. The changes without an
 * "already done" answer are {@code lookupFirst}: the dispatcher makes this lookup before sending one again.
 */
class B2BLookupProofTest {

    static final OperationCatalog CATALOG = OperationCatalog.standard();
    static final String M = Credentials.PUBLIC_STAGE.merchantId();
    static EcpaySandbox sandbox;
    static SandboxClient client;

    @BeforeAll
    static void start() {
        MutableClock clock = new MutableClock(Instant.parse("2026-08-15T02:00:00Z"));
        sandbox = EcpaySandbox.builder().clock(clock).start();
        client = new SandboxClient(sandbox.baseUrl()).clock(clock);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    /** Makes the lookup the catalog names for {@code operation} with {@code data}: the entry that proves it, or null. */
    static ObjectNode proof(String operation, String data) throws Exception {
        Operation op = CATALOG.get(operation);
        ObjectNode command = (ObjectNode) SandboxClient.JSON.readTree(data);
        ObjectNode query = CATALOG.lookupQuery(op, command, M);
        SandboxClient.Result r = client.call(op.adoptWith().operation(), query.toString());
        return r.rtnCode() != 1 ? null : (ObjectNode) LookupComparison.match(op.adoptWith(), command, r.data());
    }

    static void proven(String operation, String data) throws Exception {
        assertNull(proof(operation, data), operation + ": nothing to find before it is done");
        SandboxClient.Result r = client.call(operation, data);
        assertEquals(1, r.rtnCode(), operation + ": " + r.rtnMsg());
        assertNotNull(proof(operation, data), operation + ": the lookup finds it");
    }

    @Test
    void everyB2BChangeIsFoundByItsLookup() throws Exception {
        assertEquals(1, client.call("B2BInvoice/MaintainMerchantCustomerData",
                B2BSandboxStateTest.partner("Add", B2BSandboxStateTest.EXCHANGE_BUYER, "1")).rtnCode());
        String issue = B2BSandboxStateTest.issue("PROOF0001", B2BSandboxStateTest.EXCHANGE_BUYER);
        proven("B2BInvoice/Issue", issue);
        SandboxClient.Result again = client.call("B2BInvoice/Issue", issue);
        assertEquals(5070357, again.rtnCode());
        assertEquals("AB12345000", proof("B2BInvoice/Issue", issue).path("InvoiceNumber").asText(), "the first invoice, same content");
        assertNull(proof("B2BInvoice/Issue", issue.replace("\"TaxAmount\":50", "\"TaxAmount\":51").replace("1050", "1051")),
                "other content is not proof");

        String number = "AB12345000";
        proven("B2BInvoice/IssueConfirm", B2BSandboxStateTest.invoiceKey(number, ",\"Remark\":\"\""));
        String allowance = B2BSandboxStateTest.allowance(number, 1, 100);
        String allowanceNo = client.call("B2BInvoice/Allowance", allowance).get("AllowanceNo");
        proven("B2BInvoice/AllowanceConfirm", "{\"AllowanceNo\":\"" + allowanceNo + "\"}");
        proven("B2BInvoice/CancelAllowance", "{\"AllowanceNo\":\"" + allowanceNo + "\",\"Reason\":\"錯誤\"}");
        proven("B2BInvoice/CancelAllowanceConfirm", "{\"AllowanceNo\":\"" + allowanceNo + "\"}");
        proven("B2BInvoice/Invalid", B2BSandboxStateTest.invoiceKey(number, ",\"Reason\":\"作廢\""));
        proven("B2BInvoice/InvalidConfirm", B2BSandboxStateTest.invoiceKey(number, ""));

        String second = client.call("B2BInvoice/Issue", B2BSandboxStateTest.issue("PROOF0002", B2BSandboxStateTest.EXCHANGE_BUYER))
                .get("InvoiceNumber");
        proven("B2BInvoice/Reject", B2BSandboxStateTest.invoiceKey(second, ",\"Reason\":\"退回\""));
        proven("B2BInvoice/RejectConfirm", B2BSandboxStateTest.invoiceKey(second, ""));

        String third = client.call("B2BInvoice/Issue", B2BSandboxStateTest.issue("PROOF0003", B2BSandboxStateTest.CERTIFICATE_BUYER))
                .get("InvoiceNumber");
        String reissue = "{\"VoidModel\":{\"InvoiceNumber\":\"" + third + "\",\"VoidReason\":\"更正\"},\"IssueModel\":"
                + B2BSandboxStateTest.issue("PROOF0003", B2BSandboxStateTest.CERTIFICATE_BUYER).replace("ap@example.com", "ar@example.com") + "}";
        assertEquals(1, client.call("B2BInvoice/VoidWithReIssue", reissue).rtnCode());
        assertNotNull(proof("B2BInvoice/VoidWithReIssue", reissue), "the reissued invoice, not voided");

        for (String name : List.of("Issue", "IssueConfirm", "AllowanceConfirm", "CancelAllowance", "CancelAllowanceConfirm", "Invalid",
                "InvalidConfirm", "Reject", "RejectConfirm", "VoidWithReIssue")) {
            assertNotNull(CATALOG.get("B2BInvoice/" + name).adoptWith(), name);
            // nothing before, found after: what the dispatcher's lookup before a second send relies on
            assertEquals(!List.of("Issue", "VoidWithReIssue").contains(name), CATALOG.get("B2BInvoice/" + name).lookupFirst(), name);
        }
    }
}
