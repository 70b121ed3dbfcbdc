package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The field and cross-field rules of the B2B operations (exchange mode 交換, certificate mode 存證), one case per line: the
 * source the rule follows, the mode the Data is checked in ({@code -}: not known, as in the product's intake), the
 * operation, the change made to a valid command ({@code null} removes a field, {@code Items[0]} / {@code Details[0]}
 * changes one line, {@code %N} is N characters, as IssueRulesTest reads them) and the violations expected ({@code -} for "valid"). Every B2B rule of
 * the catalog must be broken by a case here. Sources: ECPay page ids (14850 Issue, 14923 Allowance, 14830
 * MaintainMerchantCustomerData ...), ECPay's own SDK_PHP B2B examples, ECPay/ECPay-API-Skill guides/05, ECPay/Invoice_Net
 * 2022 models (.NET2022).
 */
class B2BRulesTest {

    static final OperationCatalog CATALOG = OperationCatalog.standard();
    static final Set<String> BROKEN_RULES = ConcurrentHashMap.newKeySet();

    @ParameterizedTest(name = "{0} ({1}): {3} -> {4}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        # ---- Issue: the fields
        ECPay-API-Skill guides/05 valid invoice          | -           | Issue | {}                                          | -
        ECPay-API-Skill guides/05 buyer tax id required  | -           | Issue | {"CustomerIdentifier":null}                 | CustomerIdentifier required
        ECPay-API-Skill guides/05 tax id 8 digits        | -           | Issue | {"CustomerIdentifier":"5353885"}            | CustomerIdentifier pattern
        ECPay-API-Skill guides/05 tax id 8 digits        | -           | Issue | {"CustomerIdentifier":"5353885X"}           | CustomerIdentifier pattern
        ECPay-API-Skill guides/05 ItemSeq required       | -           | Issue | {"Items[0]":{"ItemSeq":null}}               | Items[0].ItemSeq required
        .NET2022 B2B IssueItem ItemSeq 1-999             | -           | Issue | {"Items[0]":{"ItemSeq":1000}}               | Items[0].ItemSeq max
        ECPay 14850 TaxAmount required                   | -           | Issue | {"TaxAmount":null}                          | TaxAmount required
        ECPay 14850 TotalAmount required                 | -           | Issue | {"TotalAmount":null}                        | TotalAmount required
        ECPay 14850 no carrier in B2B                    | -           | Issue | {"CarrierType":"3"}                         | CarrierType unknown
        # ---- Issue: RelateNumber 20 in exchange mode, 50 in certificate mode
        ECPay 24230 RelateNumber String(50)              | certificate | Issue | {"RelateNumber":"%50"}                      | -
        ECPay 24230 RelateNumber String(50)              | certificate | Issue | {"RelateNumber":"%51"}                      | RelateNumber maxLength
        ECPay 14850 RelateNumber String(20)              | exchange    | Issue | {"RelateNumber":"%20"}                      | -
        ECPay 14850 RelateNumber String(20)              | exchange    | Issue | {"RelateNumber":"%21"}                      | RelateNumber maxLength
        mode not known: the longer limit                 | -           | Issue | {"RelateNumber":"%21"}                      | -
        # ---- Issue: the amounts
        ECPay SDK_PHP B2B Issue.php Total = Sales + Tax  | -           | Issue | {"TotalAmount":1051}                        | TotalAmount b2b-total-is-sales-plus-tax
        ECPay-API-Skill guides/05 Sales = items' total   | -           | Issue | {"SalesAmount":999,"TotalAmount":1049}      | SalesAmount b2b-sales-amount-is-items-total
        ECPay SDK_PHP B2B Issue.php tax round(5%)        | -           | Issue | {"TaxAmount":49,"TotalAmount":1049}         | TaxAmount b2b-tax-amount-5-percent
        ECPay SDK_PHP B2B Issue.php tax round(5%)        | -           | Issue | {"TaxAmount":0,"TotalAmount":1000}          | TaxAmount b2b-tax-amount-5-percent
        ECPay SDK_PHP B2B Issue.php 50.5 rounds to 51    | -           | Issue | {"Items[0]":{"ItemPrice":101,"ItemAmount":1010},"SalesAmount":1010,"TaxAmount":51,"TotalAmount":1061} | -
        ECPay SDK_PHP B2B Issue.php 50.5 rounds to 51    | -           | Issue | {"Items[0]":{"ItemPrice":101,"ItemAmount":1010},"SalesAmount":1010,"TaxAmount":50,"TotalAmount":1060} | TaxAmount b2b-tax-amount-5-percent
        ECPay 14850 tax-free: no 5% rule                 | -           | Issue | {"TaxType":"3","TaxAmount":0,"TotalAmount":1000} | -
        ECPay SDK_PHP B2B Issue.php amount = price x count | -         | Issue | {"Items[0]":{"ItemCount":9}}                | Items[0].ItemAmount item-amount-is-price-times-count
        ECPay-API-Skill guides/05 ItemSeq unique         | -           | Issue | {"Items":[{"ItemSeq":1,"ItemName":"豆","ItemCount":5,"ItemPrice":100,"ItemAmount":500},{"ItemSeq":1,"ItemName":"壺","ItemCount":5,"ItemPrice":100,"ItemAmount":500}]} | Items[1].ItemSeq item-seq-unique
        # ---- Allowance
        ECPay SDK_PHP B2B Allowance.php valid            | -           | Allowance | {}                                      | -
        ECPay SDK_PHP B2B Allowance.php total            | -           | Allowance | {"TotalAmount":99}                      | TotalAmount b2b-allowance-total-is-details-total
        ECPay SDK_PHP B2B Allowance.php price x count    | -           | Allowance | {"Details[0]":{"ItemCount":2}}          | Details[0].ItemAmount b2b-allowance-amount-is-price-times-count
        ecpay-catalog OriginalSequenceNumber 1-999       | -           | Allowance | {"Details[0]":{"OriginalSequenceNumber":0}} | Details[0].OriginalSequenceNumber min
        .NET2022 AllowanceItem invoice number format     | -           | Allowance | {"Details[0]":{"OriginalInvoiceNumber":"AB1234567"}} | Details[0].OriginalInvoiceNumber pattern
        # ---- MaintainMerchantCustomerData
        ECPay SDK_PHP MaintainMerchantCustomerData.php   | -           | MaintainMerchantCustomerData | {}                   | -
        ECPay 14830 Add says the mode                    | -           | MaintainMerchantCustomerData | {"ExchangeMode":null} | ExchangeMode customer-add-mode
        ECPay 14830 Update keeps the mode                | -           | MaintainMerchantCustomerData | {"Action":"Update","ExchangeMode":null} | -
        ECPay 14830 type 1 buyer 2 seller 3 both         | -           | MaintainMerchantCustomerData | {"type":"4"}         | type allowed
        ECPay 14830 Identifier 8 digits                  | -           | MaintainMerchantCustomerData | {"Identifier":"1234"} | Identifier pattern
        # ---- the others
        .NET2022 RejectModel Reason String(20)           | exchange    | Reject | {"Reason":"%21"}                           | Reason maxLength
        .NET2022 B2B NotifyModel InvoiceTag 1-10         | -           | Notify | {"InvoiceTag":11}                          | InvoiceTag max
        ECPay SDK_PHP B2B GetIssue.php InvoiceCategory 0 | -           | GetIssue | {"InvoiceCategory":2}                    | InvoiceCategory allowed
        ECPay 14935 by RelateNumber instead              | -           | GetIssue | {"InvoiceNumber":null,"InvoiceDate":null,"RelateNumber":"B2B20260815001"} | -
        """)
    void rule(String source, String mode, String operation, String change, String expected) {
        Operation op = CATALOG.get("B2BInvoice/" + operation);
        if (!mode.equals("-")) {
            assertTrue(op.modes().contains(mode), op.name() + " belongs to " + mode + " mode");
            op = op.inMode(mode);
        }
        ObjectNode data = DataValidatorTest.obj(base(operation));
        IssueRulesTest.apply(data, DataValidatorTest.obj(change));
        List<Violation> found = DataValidator.validate(op, data);
        List<String> actual = found.stream().map(v -> v.field() + " " + v.rule()).sorted().toList();
        List<String> wanted = expected.equals("-") ? List.of() : Arrays.stream(expected.split(";")).map(String::strip).sorted().toList();
        assertEquals(wanted, actual, source + ": " + found);
        for (Violation v : found) {
            CrossRule rule = op.rule(v.rule());
            if (rule != null) {
                BROKEN_RULES.add(op.name() + " " + rule.id());
                assertTrue(v.message().contains(rule.why()), "the message says why: " + v.message());
            }
        }
    }

    /** A rule nobody breaks in a test is a rule nobody checked against its source. */
    @AfterAll
    static void everyB2BRuleIsBrokenByACase() {
        Set<String> all = new TreeSet<>();
        CATALOG.all().stream().filter(Operation::isB2B).forEach(op -> op.rules().forEach(r -> all.add(op.name() + " " + r.id())));
        all.removeAll(BROKEN_RULES);
        // VoidWithReIssue's IssueModel takes Issue's rules: broken through Issue is enough
        assertEquals(Set.of(), all, "B2B rules without a failing case in B2BRulesTest");
    }

    @Test
    void everyB2BOperationNamesItsModes() {
        Set<String> exchangeOnly = new TreeSet<>();
        for (Operation op : CATALOG.all()) {
            if (!op.isB2B()) {
                assertEquals(List.of(), op.modes(), op.name());
                continue;
            }
            assertTrue(!op.modes().isEmpty() && Set.of("exchange", "certificate").containsAll(op.modes()), op.name() + " " + op.modes());
            if (op.modes().equals(List.of("exchange"))) {
                exchangeOnly.add(op.name().substring("B2BInvoice/".length()));
            }
        }
        // ECPay-API-Skill guides/05: certificate mode has no Confirm and no Reject operations
        assertEquals(new TreeSet<>(List.of("IssueConfirm", "InvalidConfirm", "Reject", "RejectConfirm", "AllowanceConfirm",
                "CancelAllowanceConfirm", "GetIssueConfirm", "GetInvalidConfirm", "GetReject", "GetRejectConfirm", "GetAllowanceConfirm",
                "GetAllowanceInvalidConfirm")), exchangeOnly);
        assertEquals(List.of("certificate"), CATALOG.get("B2BInvoice/VoidWithReIssue").modes());
    }

    @Test
    void aModeOnlyReplacesTheFieldsItNames() {
        Operation issue = CATALOG.get("B2BInvoice/Issue");
        assertEquals(50, issue.field("RelateNumber").maxLength());
        assertEquals(20, issue.inMode("exchange").field("RelateNumber").maxLength());
        assertSame(issue, issue.inMode("certificate"));
        assertSame(issue, issue.inMode(null));
        assertEquals(issue.fields().size(), issue.inMode("exchange").fields().size());
        assertEquals(issue.rules(), issue.inMode("exchange").rules());
    }

    /** Everything that changes something at ECPay says how a lost answer is proven, or why it cannot be. */
    @Test
    void everyB2BChangeHasItsLookup() {
        for (Operation op : CATALOG.all()) {
            if (!op.isB2B() || op.idempotent()) {
                continue;
            }
            String name = op.name().substring("B2BInvoice/".length());
            switch (name) {
                case "Allowance" -> assertTrue(op.noResendKey() && op.adoptWith() == null, "no key to find a lost B2B allowance by");
                case "MaintainMerchantCustomerData" -> assertEquals(Set.of(6160052), op.duplicateKeyCodes());
                default -> {
                    assertNotNull(op.adoptWith(), name);
                    assertTrue(CATALOG.get(op.adoptWith().operation()).idempotent(), name);
                }
            }
        }
        assertEquals("B2BInvoice/GetIssue", CATALOG.get("B2BInvoice/Issue").adoptWith().operation());
        assertEquals("B2BInvoice/GetInvalid", CATALOG.get("B2BInvoice/Invalid").adoptWith().operation());
        assertEquals("B2BInvoice/GetReject", CATALOG.get("B2BInvoice/Reject").adoptWith().operation());
        assertEquals("B2BInvoice/GetAllowanceInvalid", CATALOG.get("B2BInvoice/CancelAllowance").adoptWith().operation());
        assertEquals("B2BInvoice/GetIssueConfirm", CATALOG.get("B2BInvoice/IssueConfirm").adoptWith().operation());
        assertEquals("B2BInvoice/GetAllowanceConfirm", CATALOG.get("B2BInvoice/AllowanceConfirm").adoptWith().operation());
        assertEquals("B2BInvoice/GetAllowanceInvalidConfirm", CATALOG.get("B2BInvoice/CancelAllowanceConfirm").adoptWith().operation());
    }

    /** B2B lookups answer one result under RtnData (.NET2022 GetIssueResult): it is compared as the one candidate. */
    @Test
    void aLookupAnsweringUnderRtnDataIsComparedThere() {
        Operation.Adopt adopt = CATALOG.get("B2BInvoice/Issue").adoptWith();
        ObjectNode command = DataValidatorTest.obj(base("Issue"));
        ObjectNode reply = DataValidatorTest.obj("{\"RtnCode\":1,\"RtnData\":{\"InvoiceNumber\":\"AB12345678\",\"RelateNumber\":\"B2B20260815001\","
                + "\"Buyer_Identifier\":\"53538851\",\"SalesAmount\":1000,\"TaxAmount\":50,\"TotalAmount\":1050,"
                + "\"items\":[{\"ItemName\":\"咖啡豆\",\"ItemCount\":10,\"ItemPrice\":100,\"ItemAmount\":1000}]}}");
        assertEquals(List.of(), LookupComparison.differences(adopt, command, reply));
        assertEquals("AB12345678", LookupComparison.match(adopt, command, reply).path("InvoiceNumber").asText());
        ((ObjectNode) reply.get("RtnData")).put("TotalAmount", 1051);
        assertEquals(List.of("TotalAmount 1050 here, 1051 at ECPay"), LookupComparison.differences(adopt, command, reply));
        assertEquals(null, LookupComparison.match(adopt, command, reply));
    }

    // ---- valid commands to change

    static String issue() {
        return "{\"MerchantID\":\"2000132\",\"RelateNumber\":\"B2B20260815001\",\"CustomerIdentifier\":\"53538851\","
                + "\"CustomerEmail\":\"ap@example.com\",\"InvType\":\"07\",\"TaxType\":\"1\",\"SalesAmount\":1000,\"TaxAmount\":50,"
                + "\"TotalAmount\":1050,\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"咖啡豆\",\"ItemCount\":10,\"ItemPrice\":100,"
                + "\"ItemTaxType\":\"1\",\"ItemAmount\":1000}]}";
    }

    static String base(String operation) {
        return switch (operation) {
            case "Issue" -> issue();
            case "Allowance" -> "{\"MerchantID\":\"2000132\",\"TaxAmount\":5,\"TotalAmount\":100,\"Details\":[{\"OriginalInvoiceNumber\":"
                    + "\"AB12345678\",\"OriginalInvoiceDate\":\"2026-08-15\",\"OriginalSequenceNumber\":1,\"ItemName\":\"咖啡豆\","
                    + "\"ItemCount\":1,\"ItemPrice\":100,\"ItemAmount\":100}]}";
            case "MaintainMerchantCustomerData" -> "{\"MerchantID\":\"2000132\",\"Action\":\"Add\",\"Identifier\":\"53538851\",\"type\":\"1\","
                    + "\"CompanyName\":\"綠界科技\",\"ExchangeMode\":\"1\",\"EmailAddress\":\"ap@example.com\"}";
            case "Reject" -> "{\"MerchantID\":\"2000132\",\"InvoiceNumber\":\"AB12345678\",\"InvoiceDate\":\"2026-08-15\",\"Reason\":\"品項不符\"}";
            case "Notify" -> "{\"MerchantID\":\"2000132\",\"InvoiceNumber\":\"AB12345678\",\"InvoiceDate\":\"2026-08-15\","
                    + "\"NotifyMail\":\"ap@example.com\",\"InvoiceTag\":1,\"Notified\":\"C\"}";
            case "GetIssue" -> "{\"MerchantID\":\"2000132\",\"InvoiceCategory\":0,\"InvoiceNumber\":\"AB12345678\",\"InvoiceDate\":\"2026-08-15\"}";
            default -> throw new IllegalArgumentException(operation);
        };
    }
}
