package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped catalog against ECPay's pages in /work/shared/seeds (the five seed operations, field by field)
 * and ecpay-protocol.md §5 (Issue, DelayIssue, Invalid, GetIssue).
 */
class OperationCatalogTest {

    static final OperationCatalog CATALOG = OperationCatalog.standard();

    @Test
    void holdsTheFiveSeedOperationsFirstThenTheFourTheFlowsNeed() {
        // the rest of ECPay's API follows them: CatalogCoverageTest holds the catalog against ECPay's list
        assertEquals(List.of(
                "B2CInvoice/UpdateInvoiceWordStatus", "B2CInvoice/CancelDelayIssue", "B2CInvoice/TriggerIssue",
                "B2CInvoice/GetInvalid", "B2BInvoice/IssueConfirm",
                "B2CInvoice/Issue", "B2CInvoice/DelayIssue", "B2CInvoice/Invalid", "B2CInvoice/GetIssue"),
                CATALOG.all().stream().map(Operation::name).limit(9).toList());
    }

    /** name:type:required:maxLength for every Data field, in the seed page's order. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // seed 000: MerchantID String(10), TrackID String(10), InvoiceStatus Int
        "B2CInvoice/UpdateInvoiceWordStatus | MerchantID:string:true:10 TrackID:string:true:10 InvoiceStatus:int:true:-",
        // seed 001: MerchantID String(10), Tsr String(30)
        "B2CInvoice/CancelDelayIssue | MerchantID:string:true:10 Tsr:string:true:30",
        // seed 002: MerchantID String(10), Tsr String(30), PayType String(1) fixed '2'
        "B2CInvoice/TriggerIssue | MerchantID:string:true:10 Tsr:string:true:30 PayType:string:true:1",
        // seed 003 (page 7933): MerchantID String(10), RelateNumber String(30), InvoiceNo String(10), InvoiceDate String(10), all
        // required; RelateNumber is String(50) on the newer page 51583 and on Issue's current page 7896: the current pages win
        "B2CInvoice/GetInvalid | MerchantID:string:true:10 RelateNumber:string:true:50 InvoiceNo:string:true:10 InvoiceDate:string:true:10",
        // seed 004: MerchantID String(10), InvoiceNumber String(10), InvoiceDate String(20), Remark String(200), all required
        "B2BInvoice/IssueConfirm | MerchantID:string:true:10 InvoiceNumber:string:true:10 InvoiceDate:string:true:20 Remark:string:true:200",
        // ecpay-protocol.md §5; GetIssue's RelateNumber is the one Issue took: String(50) (ECPay 7896)
        "B2CInvoice/Invalid | MerchantID:string:true:10 InvoiceNo:string:true:10 InvoiceDate:string:true:10 Reason:string:true:20",
        "B2CInvoice/GetIssue | MerchantID:string:true:10 RelateNumber:string:false:50 InvoiceNo:string:false:10 InvoiceDate:string:false:10",
    })
    void seedFieldsAreExactlyAsPublished(String operation, String fields) {
        Operation op = CATALOG.get(operation);
        String actual = op.fields().stream()
                .map(f -> f.name() + ":" + f.type() + ":" + f.required() + ":" + (f.maxLength() == null ? "-" : f.maxLength()))
                .collect(Collectors.joining(" "));
        assertEquals(fields, actual);
    }

    @Test
    void seedValueRules() {
        assertEquals(List.of("0", "1", "2"), CATALOG.get("B2CInvoice/UpdateInvoiceWordStatus").field("InvoiceStatus").allowed());
        assertEquals(List.of("2"), CATALOG.get("B2CInvoice/TriggerIssue").field("PayType").allowed());
        assertEquals(List.of("yyyy-MM-dd", "yyyy/MM/dd"), CATALOG.get("B2CInvoice/GetInvalid").field("InvoiceDate").dateFormats());
        assertEquals(List.of("yyyy-MM-dd", "yyyy/MM/dd"), CATALOG.get("B2BInvoice/IssueConfirm").field("InvoiceDate").dateFormats());
        FieldRule remark = CATALOG.get("B2BInvoice/IssueConfirm").field("Remark");
        assertTrue(remark.required() && remark.allowEmpty(), "Remark is required but the seed's own example sends \"\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // operation | idempotent | success | already done | duplicate key | business key
        "B2CInvoice/UpdateInvoiceWordStatus | true  | 1               | -       | -               | TrackID InvoiceStatus",
        "B2CInvoice/CancelDelayIssue        | false | 1               | -       | 4000001 5070305 | Tsr",
        "B2CInvoice/TriggerIssue            | false | 4000003 4000004 | -       | 4000001 5070305 | Tsr",
        "B2CInvoice/GetInvalid              | true  | 1               | -       | -               | InvoiceNo",
        "B2BInvoice/IssueConfirm            | false | 1               | -       | -               | InvoiceNumber",
        "B2CInvoice/Issue                   | false | 1               | -       | 5070357         | RelateNumber",
        "B2CInvoice/Invalid                 | false | 1               | 5070453 | -               | InvoiceNo",
        "B2CInvoice/GetIssue                | true  | 1               | -       | -               | RelateNumber",
        // issue 12: ECPay's pages and the public sources named in docs/operations.md
        "B2CInvoice/AllowanceInvalid        | false | 1               | 2000063 | -               | AllowanceNo",
        "B2CInvoice/AllowanceInvalidByCollegiate | false | 1          | -       | -               | AllowanceNo",
        "B2CInvoice/AddInvoiceWordSetting   | false | 1               | -       | -               | InvoiceYear InvoiceTerm InvoiceHeader InvoiceStart",
        "B2CInvoice/VoidWithReIssue         | false | 1               | -       | -               | VoidModel.InvoiceNo IssueModel.RelateNumber",
        "B2CInvoice/EditDelayIssue          | true  | 1               | -       | -               | Tsr",
        "B2CInvoice/GetCompanyNameByTaxID   | true  | 1 7             | -       | -               | UnifiedBusinessNo",
        "B2CInvoice/GetAllowanceList        | true  | 1               | -       | -               | SearchType AllowanceNo",
        "B2CInvoice/InvoicePrint            | true  | 1               | -       | -               | InvoiceNo PrintStyle",
    })
    void resultCodesAndResendSafety(String operation, boolean idempotent, String success, String done, String duplicate, String key) {
        Operation op = CATALOG.get(operation);
        assertEquals(idempotent, op.idempotent(), "idempotent");
        assertEquals(codes(success), op.successCodes(), "success codes");
        assertEquals(codes(done), op.alreadyDoneCodes(), "already-done codes");
        assertEquals(codes(duplicate), op.duplicateKeyCodes(), "duplicate-key codes");
        assertEquals(List.of(key.split(" ")), op.businessKey(), "business key");
    }

    /** An allowance has no key at ECPay: no default id, never sent again by itself, and a lookup to check with instead. */
    @Test
    void allowancesHaveNoKeyAndAreNeverResent() {
        for (String name : List.of("B2CInvoice/Allowance", "B2CInvoice/AllowanceByCollegiate")) {
            Operation op = CATALOG.get(name);
            assertTrue(op.noResendKey(), name);
            assertFalse(op.idempotent(), name);
            assertEquals(List.of(), op.businessKey(), name);
            assertEquals(Set.of(), op.duplicateKeyCodes(), name);
        }
        assertEquals("B2CInvoice/GetAllowanceList", CATALOG.get("B2CInvoice/Allowance").adoptWith().operation());
        assertNull(CATALOG.get("B2CInvoice/AllowanceByCollegiate").adoptWith(), "a pending online allowance is shown by no query");
        assertFalse(CATALOG.all().stream().filter(op -> !op.name().contains("Allowance")).anyMatch(Operation::noResendKey));
    }

    @Test
    void onlyGetIssueListAnswersPlainData() {
        assertEquals(List.of("B2CInvoice/GetIssueList"), CATALOG.all().stream().filter(Operation::plainReply).map(Operation::name).toList());
    }

    @Test
    void everyLookupIsAQueryAndEveryOperationWithACodeToReconcileHasOneOrSaysWhyNot() {
        for (Operation op : CATALOG.all()) {
            if (op.adoptWith() != null) {
                assertTrue(CATALOG.get(op.adoptWith().operation()).idempotent(), op.name() + " looks up with a query");
            }
        }
        // duplicate-key or already-done codes without a lookup: the answer itself is what they rest on (docs/operations.md)
        assertEquals(List.of("B2CInvoice/DelayIssue", "B2BInvoice/MaintainMerchantCustomerData"), CATALOG.all().stream()
                .filter(op -> op.adoptWith() == null && !(op.duplicateKeyCodes().isEmpty() && op.alreadyDoneCodes().isEmpty()))
                .map(Operation::name).toList());
    }

    /** TriggerIssue and CancelDelayIssue carry only a Tsr: the invoice is looked up by their DelayIssue's RelateNumber. */
    @Test
    void aTsrIsLookedUpByTheRelateNumberOfItsDelayIssue() {
        for (String name : List.of("B2CInvoice/TriggerIssue", "B2CInvoice/CancelDelayIssue")) {
            Operation.Adopt adopt = CATALOG.get(name).adoptWith();
            assertEquals(new Operation.Via("B2CInvoice/DelayIssue", List.of("Tsr")), adopt.via(), name);
            assertEquals(List.of("RelateNumber"), adopt.fields(), name);
            assertEquals("B2CInvoice/GetIssue", adopt.operation(), name);
            assertNotNull(CATALOG.get(adopt.via().operation()).field("RelateNumber"), name + ": the DelayIssue holds the key");
        }
        assertTrue(CATALOG.get("B2CInvoice/CancelDelayIssue").adoptWith().absent(), "a cancelled staging is never issued");
        assertFalse(CATALOG.get("B2CInvoice/TriggerIssue").adoptWith().absent());
        assertEquals("1", CATALOG.get("B2CInvoice/TriggerIssue").adoptWith().expect().get("IIS_Issue_Status"));
        assertEquals(Set.of(2, 1600003), CATALOG.get("B2CInvoice/GetIssue").notFoundCodes());
    }

    /** The B2B changes without a published "already done" answer are looked up before they are sent again. */
    @Test
    void changesWithoutAnAlreadyDoneAnswerAreLookedUpFirst() {
        assertEquals(Set.of("IssueConfirm", "Invalid", "Reject", "InvalidConfirm", "RejectConfirm", "AllowanceConfirm", "CancelAllowance",
                "CancelAllowanceConfirm").stream().map(n -> "B2BInvoice/" + n).collect(Collectors.toSet()),
                CATALOG.all().stream().filter(Operation::lookupFirst).map(Operation::name).collect(Collectors.toSet()));
        for (Operation op : CATALOG.all()) {
            if (op.lookupFirst()) {
                assertTrue(op.adoptWith() != null && !op.idempotent() && !op.noResendKey(), op.name());
                assertTrue(op.alreadyDoneCodes().isEmpty() && op.duplicateKeyCodes().isEmpty(),
                        op.name() + ": an operation with an answer to reconcile needs no lookup first");
            }
        }
    }

    @Test
    void triggerIssueDoesNotSucceedWithOne() {
        assertFalse(CATALOG.get("B2CInvoice/TriggerIssue").successCodes().contains(1));
    }

    @Test
    void issueAdoptsAnEarlierResultThroughGetIssueByRelateNumber() {
        Operation issue = CATALOG.get("B2CInvoice/Issue");
        assertEquals("B2CInvoice/GetIssue", issue.adoptWith().operation());
        assertEquals(List.of("RelateNumber"), issue.adoptWith().fields());
        assertEquals("IIS_Sales_Amount", issue.adoptWith().compare().get("SalesAmount"));
        assertEquals(List.of("InvoiceNo", "InvoiceDate", "RandomNumber"), issue.replyFields());
        assertEquals("/B2CInvoice/Issue", issue.path());
        assertFalse(issue.isB2B());
        assertTrue(CATALOG.get("B2BInvoice/IssueConfirm").isB2B());
    }

    @Test
    void delayIssueTakesIssuesFieldsAndAddsItsOwn() {
        Operation delay = CATALOG.get("B2CInvoice/DelayIssue");
        List<String> names = delay.fields().stream().map(FieldRule::name).toList();
        for (String f : new String[] {"MerchantID", "RelateNumber", "Print", "Donation", "TaxType", "SalesAmount", "InvType", "Items",
            "DelayFlag", "DelayDay", "Tsr", "PayType", "PayAct", "NotifyURL"}) {
            assertTrue(names.contains(f), f);
        }
        assertEquals(names.size(), Set.copyOf(names).size(), "no field twice");
        assertEquals(30, delay.field("Tsr").maxLength());
        assertEquals(List.of("1", "2"), delay.field("DelayFlag").allowed());
        assertEquals(0L, delay.field("DelayDay").min());
        assertEquals(15L, delay.field("DelayDay").max());
        assertEquals(List.of("ECPAY"), delay.field("PayAct").allowed());
        assertEquals(CATALOG.get("B2CInvoice/Issue").requireOneOf(), delay.requireOneOf());
        assertEquals(Set.of(1), delay.successCodes());
        assertNull(delay.fieldsFrom(), "resolved at load time");
    }

    @Test
    void issueKeepsInvTypeAsTextWithItsLeadingZero() {
        FieldRule invType = CATALOG.get("B2CInvoice/Issue").field("InvType");
        assertEquals("string", invType.type());
        assertEquals(List.of("07", "08"), invType.allowed());
    }

    @Test
    void findForgivesLeadingSlashAndCaseButGetNamesTheKnownOperations() {
        Operation trigger = CATALOG.get("B2CInvoice/TriggerIssue");
        assertSame(trigger, CATALOG.find("/B2CInvoice/TriggerIssue"));
        assertSame(trigger, CATALOG.find(" b2cinvoice/triggerissue "));
        assertNull(CATALOG.find("B2CInvoice/Trigger"));
        assertNull(CATALOG.find(null));
        UnknownOperationException e = assertThrows(UnknownOperationException.class, () -> CATALOG.get("B2CInvoice/DoSomething"));
        assertTrue(e.getMessage().contains("'B2CInvoice/DoSomething'"), e.getMessage());
        for (Operation op : CATALOG.all()) {
            assertTrue(e.getMessage().contains(op.name()), e.getMessage());
        }
    }

    @Test
    void aBrokenCatalogIsRefusedWithTheReason() {
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> load(
                "{\"operations\":[{\"name\":\"B2CInvoice/X\"},{\"name\":\"B2CInvoice/X\"}]}"));
        assertTrue(twice.getMessage().contains("B2CInvoice/X twice"), twice.getMessage());
        IllegalStateException parent = assertThrows(IllegalStateException.class, () -> load(
                "{\"operations\":[{\"name\":\"B2CInvoice/Y\",\"fieldsFrom\":\"B2CInvoice/Nope\"}]}"));
        assertTrue(parent.getMessage().contains("B2CInvoice/Nope"), parent.getMessage());
        IllegalStateException via = assertThrows(IllegalStateException.class, () -> load("{\"operations\":[{\"name\":\"B2CInvoice/Q\","
                + "\"idempotent\":true},{\"name\":\"B2CInvoice/Y\",\"adoptWith\":{\"operation\":\"B2CInvoice/Q\","
                + "\"via\":{\"operation\":\"B2CInvoice/Nope\",\"match\":[\"Tsr\"]}}}]}"));
        assertTrue(via.getMessage().contains("B2CInvoice/Y adopts via B2CInvoice/Nope"), via.getMessage());
        IllegalStateException absent = assertThrows(IllegalStateException.class, () -> load("{\"operations\":[{\"name\":\"B2CInvoice/Q\","
                + "\"idempotent\":true},{\"name\":\"B2CInvoice/Y\",\"adoptWith\":{\"operation\":\"B2CInvoice/Q\",\"absent\":true}}]}"));
        assertTrue(absent.getMessage().contains("B2CInvoice/Q finding nothing, but that operation names no notFoundCodes"), absent.getMessage());
        IllegalStateException first = assertThrows(IllegalStateException.class, () -> load(
                "{\"operations\":[{\"name\":\"B2CInvoice/Y\",\"lookupFirst\":true}]}"));
        assertTrue(first.getMessage().contains("B2CInvoice/Y is lookupFirst: it needs an adoptWith lookup"), first.getMessage());
        assertThrows(RuntimeException.class, () -> load("{not json"));
        assertThrows(IllegalStateException.class, () -> OperationCatalog.load(null));
    }

    @Test
    void defaultsOfASparseEntry() {
        Operation op = load("{\"operations\":[{\"name\":\"B2CInvoice/X\"}]}").get("B2CInvoice/X");
        assertEquals(Set.of(1), op.successCodes());
        assertTrue(op.fields().isEmpty());
        assertFalse(op.idempotent(), "unsafe unless the catalog says otherwise");
    }

    private static OperationCatalog load(String json) {
        return OperationCatalog.load(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static Set<Integer> codes(String list) {
        return "-".equals(list) ? Set.of() : java.util.Arrays.stream(list.split(" ")).map(Integer::valueOf).collect(Collectors.toSet());
    }
}
