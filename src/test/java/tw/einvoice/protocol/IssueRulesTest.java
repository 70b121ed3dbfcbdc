package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The field and cross-field rules of Issue, DelayIssue and the B2C operations of issue 12, one case per line: the source the rule follows, the change
 * made to a valid invoice ({@code null} removes a field, {@code Items[1]} changes one item), and the violations
 * expected ({@code field rule; ...}, or {@code -} for "valid"). Every rule in the catalog must be broken by a case here.
 * Sources: ECPay page ids (7896 Issue, 15369 DelayIssue, 7886 CheckBarcode; 7896's current field table as ECPay's own
 * ECPay/ECPay-API-Skill guides/04 quotes it), paid-tw/einvoice (rules confirmed on live stage), odoo l10n_tw_edi_ecpay
 * (a production connector), ECPay/Invoice_Net 2022 models (.NET2022), production PHP connectors (discount lines).
 */
class IssueRulesTest {

    static final OperationCatalog CATALOG = OperationCatalog.standard();
    static final Set<String> BROKEN_RULES = ConcurrentHashMap.newKeySet();

    @ParameterizedTest(name = "{0}: {2} -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        # ---- field rules
        ECPay 7896 RelateNumber String(50)             | Issue | {"RelateNumber":"R23456789012345678901234567890123456789012345678901"} | RelateNumber maxLength
        ECPay 7896 RelateNumber String(50)             | Issue | {"RelateNumber":"R2345678901234567890123456789012345678901234567890"}  | -
        ECPay 7896 RelateNumber no symbols             | Issue | {"RelateNumber":"ORD 001"}                                   | RelateNumber pattern
        ECPay 7896 RelateNumber no symbols             | Issue | {"RelateNumber":"ORD#001"}                                   | RelateNumber pattern
        odoo l10n_tw_edi_ecpay urlsafe RelateNumber    | Issue | {"RelateNumber":"q-8Zr_1xYk0aB3c-D_eF"}                      | -
        ECPay 7896 CustomerEmail regex                 | Issue | {"CustomerEmail":"not-an-email"}                             | CustomerEmail pattern
        ECPay 7896 CustomerEmail one address           | Issue | {"CustomerEmail":"a@example.com;b@example.com"}              | CustomerEmail pattern
        ECPay 7896 CustomerEmail regex                 | Issue | {"CustomerEmail":"buyer@example"}                            | CustomerEmail pattern
        ECPay 7896 CustomerEmail regex                 | Issue | {"CustomerEmail":"first.last+tag@mail.example.com.tw"}       | -
        ECPay 7896 CustomerEmail String(80)            | Issue | {"CustomerEmail":"b@eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.com"} | CustomerEmail maxLength
        .NET2022 CustomerPhone digits; odoo            | Issue | {"CustomerPhone":"09-1234-5678"}                             | CustomerPhone pattern
        .NET2022 CustomerPhone digits; odoo            | Issue | {"CustomerPhone":"+886912345678"}                            | CustomerPhone pattern
        ECPay 7896 CustomerPhone String(20)            | Issue | {"CustomerPhone":"091234567890123456789"}                    | CustomerPhone maxLength
        ECPay 7896 CustomerPhone                       | Issue | {"CustomerEmail":null,"CustomerPhone":"0912345678"}          | -
        ECPay 7896 CustomerID letters digits _         | Issue | {"CustomerID":"member-01"}                                   | CustomerID pattern
        ECPay 7896 CustomerID letters digits _         | Issue | {"CustomerID":"member_01"}                                   | -
        paid-tw LoveCode 3-7 digits; ECPay 7891        | Issue | {"Donation":"1","LoveCode":"12"}                             | LoveCode pattern
        paid-tw LoveCode 3-7 digits; ECPay 7891        | Issue | {"Donation":"1","LoveCode":"X1234"}                          | LoveCode pattern
        paid-tw LoveCode 3-7 digits; ECPay 7891        | Issue | {"Donation":"1","LoveCode":"1234567"}                        | -
        ECPay 7896 CarrierType 1-5                     | Issue | {"CarrierType":"6"}                                          | CarrierType allowed
        ECPay 7896 SalesAmount positive integer        | Issue | {"SalesAmount":0,"Items":[{"ItemName":"gift","ItemCount":1,"ItemWord":"pc","ItemPrice":0,"ItemAmount":0}]} | SalesAmount min
        paid-tw ItemCount positive                     | Issue | {"Items[0]":{"ItemCount":-1,"ItemAmount":-100},"SalesAmount":-50} | SalesAmount min; Items[0].ItemCount exclusiveMin
        paid-tw ItemCount positive                     | Issue | {"Items[0]":{"ItemCount":0}}                                 | Items[0].ItemCount exclusiveMin
        ECPay 7896 ItemCount 8+7 digits                | Issue | {"Items[0]":{"ItemCount":123456789}}                         | Items[0].ItemCount integerDigits
        ECPay 7896 ItemPrice 10+7 digits               | Issue | {"Items[0]":{"ItemPrice":0.12345678}}                        | Items[0].ItemPrice fractionDigits
        ECPay 7896 ItemAmount 12+7 digits              | Issue | {"Items[0]":{"ItemAmount":1234567890123}}                    | Items[0].ItemAmount integerDigits
        ECPay 7896 ItemName String(500)                | Issue | {"Items[0]":{"ItemName":"%501"}}                             | Items[0].ItemName maxLength
        ECPay 7896 ItemName String(500)                | Issue | {"Items[0]":{"ItemName":"%500"}}                             | -
        ECPay 7896 ItemRemark String(120)              | Issue | {"Items[0]":{"ItemRemark":"%121"}}                           | Items[0].ItemRemark maxLength
        ECPay 7896 ItemSeq 1-999                       | Issue | {"Items[0]":{"ItemSeq":1000}}                                | Items[0].ItemSeq max
        ECPay 7896 ZeroTaxRateReason 71-79             | Issue | {"TaxType":"2","ClearanceMark":"1","ZeroTaxRateReason":"70"} | ZeroTaxRateReason allowed
        ECPay 7896 defines the fields (issue 11)       | Issue | {"Padding":"%2000"}                                          | Padding unknown
        ECPay 7896 defines the fields (issue 11)       | Issue | {"Items[1]":{"Discount":5}}                                  | Items[1].Discount unknown
        ECPay 7896 current fields                      | Issue | {"TaxAmount":0,"ChannelPartner":"1","ProductServiceID":"P01","CarrierType":"4","CarrierNum":"A1","CarrierNum2":"B2"} | -
        # ---- Print, Donation, carrier and buyer tax id
        ECPay 7896 use case 1                          | Issue | {"Donation":"1","LoveCode":"168001","Print":"1","CustomerName":"A","CustomerAddr":"B"} | Print donation-not-printed
        ECPay 7896 use cases 1 and 2                   | Issue | {"Donation":"1","LoveCode":"168001","CustomerIdentifier":"53212539","CarrierType":"1"} | CustomerIdentifier donation-without-tax-id
        ECPay 7896 use case 1 carrier then donated     | Issue | {"Donation":"1","LoveCode":"168001","CarrierType":"1"}       | -
        ECPay 7896 LoveCode only when donated          | Issue | {"LoveCode":"168001"}                                        | LoveCode love-code-only-donated
        ECPay 7896 use case 2; paid-tw 5000028         | Issue | {"CustomerIdentifier":"53212539"}                            | Print tax-id-without-carrier-printed
        ECPay 7896 use case 2                          | Issue | {"CustomerIdentifier":"53212539","Print":"1","CustomerName":"A","CustomerAddr":"B"} | -
        ECPay 7896 use cases 2 and 3                   | Issue | {"CustomerIdentifier":"53212539","CarrierType":"1","Print":"1","CustomerName":"A","CustomerAddr":"B"} | Print tax-id-carrier-not-printed
        ECPay 7896 use case 3                          | Issue | {"CustomerIdentifier":"53212539","CarrierType":"5","CarrierNum":"A1","CarrierNum2":"B2","Print":"1","CustomerName":"A","CustomerAddr":"B"} | Print tax-id-carrier-not-printed
        ECPay 7896 use case 2 mobile barcode printed   | Issue | {"CustomerIdentifier":"53212539","CarrierType":"3","CarrierNum":"/ABC+123","Print":"1","CustomerName":"A","CustomerAddr":"B"} | -
        paid-tw live: tax id with ECPay carrier        | Issue | {"CustomerIdentifier":"53212539","CarrierType":"1"}          | -
        paid-tw live 5000015                           | Issue | {"CarrierType":"1","Print":"1","CustomerName":"A","CustomerAddr":"B"} | Print carrier-not-printed
        ECPay 7896 CarrierNum for types 2-5            | Issue | {"CarrierType":"3"}                                          | CarrierNum carrier-number-required
        ECPay 7896 ECPay carrier needs no number       | Issue | {"CarrierType":"1"}                                          | -
        ECPay 7896 certificate 16 chars; odoo          | Issue | {"CarrierType":"2","CarrierNum":"AB1234567890123"}           | CarrierNum citizen-certificate-number
        ECPay 7896 certificate 16 chars; odoo          | Issue | {"CarrierType":"2","CarrierNum":"AB12345678901234"}          | -
        ECPay 7896 / 7886 mobile barcode; paid-tw      | Issue | {"CarrierType":"3","CarrierNum":"ABC+1234"}                  | CarrierNum mobile-barcode-number
        ECPay 7896 / 7886 mobile barcode; paid-tw      | Issue | {"CarrierType":"3","CarrierNum":"/abc+123"}                  | CarrierNum mobile-barcode-number
        ECPay 7896 / 7886 mobile barcode; paid-tw      | Issue | {"CarrierType":"3","CarrierNum":"/A.B-+90"}                  | -
        ECPay 7896 CarrierNum2; odoo                   | Issue | {"CarrierType":"4","CarrierNum":"1234567890"}                | CarrierNum2 card-visible-number
        # ---- tax types
        ECPay 7896 ClearanceMark; paid-tw 5000007      | Issue | {"TaxType":"2","ZeroTaxRateReason":"71"}                     | ClearanceMark clearance-mark-zero-rated
        ECPay 7896 ZeroTaxRateReason from 2026         | Issue | {"TaxType":"2","ClearanceMark":"1"}                          | ZeroTaxRateReason zero-tax-rate-reason
        ECPay 7896 zero-rated                          | Issue | {"TaxType":"2","ClearanceMark":"2","ZeroTaxRateReason":"71"} | -
        ECPay 7896 mixed with zero-rated; odoo         | Issue | {"TaxType":"9","ClearanceMark":"1","Items[0]":{"ItemTaxType":"1"},"Items[1]":{"ItemTaxType":"2"}} | ZeroTaxRateReason zero-tax-rate-reason-mixed
        ECPay 7896 mixed taxable and tax-free          | Issue | {"TaxType":"9","ClearanceMark":"1","Items[0]":{"ItemTaxType":"1"},"Items[1]":{"ItemTaxType":"3"}} | -
        ECPay 7896 ItemTaxType for TaxType 9; paid-tw  | Issue | {"TaxType":"9","ClearanceMark":"1"}                          | Items[0].ItemTaxType mixed-item-tax-type; Items[1].ItemTaxType mixed-item-tax-type
        ECPay 7896 mixed: never zero and free; odoo    | Issue | {"TaxType":"9","ClearanceMark":"1","ZeroTaxRateReason":"71","Items[0]":{"ItemTaxType":"2"},"Items[1]":{"ItemTaxType":"3"}} | Items[1].ItemTaxType mixed-zero-rated-and-tax-free
        ECPay 7896 SpecialTaxType for TaxType 4        | Issue | {"TaxType":"4","InvType":"08"}                               | SpecialTaxType special-tax-type-required
        ECPay 7896 SpecialTaxType 1-8 for TaxType 4    | Issue | {"TaxType":"4","InvType":"08","SpecialTaxType":0}            | SpecialTaxType special-tax-type-rate
        ECPay 7896 SpecialTaxType 1-8 for TaxType 4    | Issue | {"TaxType":"4","InvType":"08","SpecialTaxType":"1"}          | -
        ECPay 7896 SpecialTaxType 8 for TaxType 3      | Issue | {"TaxType":"3","SpecialTaxType":5}                           | SpecialTaxType special-tax-type-tax-free
        odoo tax-free 07 without SpecialTaxType        | Issue | {"TaxType":"3"}                                              | -
        odoo tax-free 08 with SpecialTaxType 8         | Issue | {"TaxType":"3","InvType":"08","SpecialTaxType":8}            | -
        odoo tax-free 08 names SpecialTaxType          | Issue | {"TaxType":"3","InvType":"08"}                               | SpecialTaxType special-tax-type-08
        odoo SpecialTaxType 0 for other tax types      | Issue | {"SpecialTaxType":3}                                         | SpecialTaxType special-tax-type-none
        odoo SpecialTaxType 0 for other tax types      | Issue | {"SpecialTaxType":0}                                         | -
        ECPay 7896 TaxType 4 with InvType 08; odoo     | Issue | {"TaxType":"4","SpecialTaxType":1}                           | TaxType inv-type-07-tax-types
        odoo InvType 08 takes TaxType 3 or 4           | Issue | {"InvType":"08"}                                             | TaxType inv-type-08-tax-types
        # ---- amounts
        ECPay 7896 SalesAmount = items; ECPay 5000022  | Issue | {"SalesAmount":151}                                          | SalesAmount sales-amount-is-items-total
        ECPay 7896 SalesAmount rounded half up         | Issue | {"Items[0]":{"ItemPrice":100.4,"ItemAmount":100.4}}          | -
        ECPay 7896 SalesAmount rounded half up         | Issue | {"Items[0]":{"ItemPrice":100.5,"ItemAmount":100.5}}          | SalesAmount sales-amount-is-items-total
        ECPay 7896 SalesAmount rounded half up         | Issue | {"Items[0]":{"ItemPrice":100.5,"ItemAmount":100.5},"SalesAmount":151} | -
        ECPay-API-Skill ItemAmount = count x price     | Issue | {"Items[1]":{"ItemAmount":60},"SalesAmount":160}             | Items[1].ItemAmount item-amount-is-price-times-count
        hostile probe: a negative ItemAmount           | Issue | {"Items[0]":{"ItemAmount":-100}}                             | SalesAmount sales-amount-is-items-total; Items[0].ItemAmount item-amount-is-price-times-count
        odoo prices rounded to cents                   | Issue | {"Items[1]":{"ItemCount":3,"ItemPrice":16.67,"ItemAmount":50}} | -
        PHP connectors: discount line; .NET2022 ranges | Issue | {"SalesAmount":80,"Items[1]":{"ItemName":"discount","ItemCount":1,"ItemPrice":-20,"ItemAmount":-20}} | -
        ECPay 7896 ItemSeq not repeated                | Issue | {"Items[1]":{"ItemSeq":1}}                                   | Items[1].ItemSeq item-seq-unique
        # ---- Allowance, AllowanceByCollegiate (ECPay 7901, 15391)
        ECPay 7901 a valid allowance                   | Allowance | {}                                                     | -
        odoo sends the invoice's date and time         | Allowance | {"InvoiceDate":"2026-08-15 23:29:10"}                   | -
        ECPay 7901 InvoiceDate a date                  | Allowance | {"InvoiceDate":"2026-08-15T23:29:10"}                   | InvoiceDate dateFormat
        ECPay 7901 AllowanceNotify S/E/A/N             | Allowance | {"AllowanceNotify":"X"}                                 | AllowanceNotify allowed
        .NET2022 AllowanceAmount 1 and up              | Allowance | {"AllowanceAmount":0,"Items[0]":{"ItemPrice":0,"ItemAmount":0}} | AllowanceAmount min
        .NET2022 NotifyMail addresses separated by ;   | Allowance | {"NotifyMail":"a@example.com;b@example.com"}            | -
        .NET2022 NotifyMail addresses                  | Allowance | {"NotifyMail":"a@example.com,b@example.com"}            | NotifyMail pattern
        .NET2022 Reason String(50)                     | Allowance | {"Reason":"%51"}                                        | Reason maxLength
        ECPay 7901 E needs NotifyMail; odoo            | Allowance | {"NotifyMail":null}                                     | NotifyMail allowance-notify-mail
        ECPay 7901 S needs NotifyPhone; odoo           | Allowance | {"AllowanceNotify":"S","NotifyMail":null}               | NotifyPhone allowance-notify-phone
        ECPay 7901 A needs both                        | Allowance | {"AllowanceNotify":"A","NotifyPhone":"0912345678"}      | -
        ECPay 7901 N needs neither                     | Allowance | {"AllowanceNotify":"N","NotifyMail":null}               | -
        ECPay 7901 AllowanceAmount = items; odoo       | Allowance | {"AllowanceAmount":60}                                  | AllowanceAmount allowance-amount-is-items-total
        ECPay-API-Skill ItemAmount = count x price     | Allowance | {"Items[0]":{"ItemAmount":40},"AllowanceAmount":40}     | Items[0].ItemAmount item-amount-is-price-times-count
        ECPay 7896 ItemSeq not repeated                | Allowance | {"Items":[{"ItemSeq":1,"ItemName":"a","ItemCount":1,"ItemWord":"個","ItemPrice":25,"ItemAmount":25},{"ItemSeq":1,"ItemName":"b","ItemCount":1,"ItemWord":"個","ItemPrice":25,"ItemAmount":25}]} | Items[1].ItemSeq item-seq-unique
        ECPay 15391 the agreement goes by e-mail       | AllowanceByCollegiate | {"AllowanceNotify":"S","NotifyMail":null,"NotifyPhone":"0912345678"} | NotifyMail online-allowance-mail
        ECPay 15391 Allowance's fields and ReturnURL   | AllowanceByCollegiate | {"ReturnURL":"%201"}                        | ReturnURL maxLength
        # ---- GetAllowanceList (ECPay 7928)
        ECPay 7928 SearchType 0 by AllowanceNo         | GetAllowanceList | {"SearchType":"0","AllowanceNo":"2026081500000001"} | -
        ECPay 7928 AllowanceNo for SearchType 0        | GetAllowanceList | {"SearchType":"0"}                               | AllowanceNo requiredWhen
        ECPay 7928 SearchType 1 InvoiceNo + date       | GetAllowanceList | {"SearchType":"1","InvoiceNo":"AB12345678"}      | Date allowance-search-by-invoice
        ECPay 7928 SearchType 2 InvoiceNo + date       | GetAllowanceList | {"SearchType":"2","Date":"2026-08-15"}           | InvoiceNo allowance-search-by-invoice
        ECPay 7928 SearchType 1 InvoiceNo + date       | GetAllowanceList | {"SearchType":"1","InvoiceNo":"AB12345678","Date":"2026-08-15"} | -
        # ---- InvoiceNotify (ECPay 7938)
        ECPay 7938 a valid notice                      | InvoiceNotify | {}                                                 | -
        paid-tw e-mail or phone                        | InvoiceNotify | {"NotifyMail":null,"Phone":"0912345678","Notify":"S"} | -
        ECPay 7938 InvoiceTag I/II/A/AI/AW/OA          | InvoiceNotify | {"InvoiceTag":"X"}                                 | InvoiceTag allowed
        ECPay 7938 AllowanceNo for A, AI, OA; paid-tw  | InvoiceNotify | {"InvoiceTag":"AI"}                                | AllowanceNo notify-allowance-number
        ECPay 7938 OA by e-mail to the buyer; paid-tw  | InvoiceNotify | {"InvoiceTag":"OA","AllowanceNo":"2026081500000001","Notified":"M"} | Notified notify-online-allowance
        ECPay 7938 OA by e-mail to the buyer; paid-tw  | InvoiceNotify | {"InvoiceTag":"OA","AllowanceNo":"2026081500000001"} | -
        .NET2022 NotifyMail String(80)                 | InvoiceNotify | {"NotifyMail":"b@eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.com"} | NotifyMail maxLength
        # ---- VoidWithReIssue (ECPay 7918): VoidModel, and IssueModel checked as an Issue
        ECPay 7918 a valid reissue                     | VoidWithReIssue | {}                                               | -
        ECPay 7918 VoidReason String(20)               | VoidWithReIssue | {"VoidModel":{"InvoiceNo":"AB12345678","VoidReason":"%21"}} | VoidModel.VoidReason maxLength
        ECPay 7918 VoidModel and IssueModel required   | VoidWithReIssue | {"IssueModel":null}                              | IssueModel required
        ECPay 7918 IssueModel is an object             | VoidWithReIssue | {"IssueModel":"AB12345678"}                      | IssueModel type
        paid-tw the original issue time                | VoidWithReIssue | {"IssueModel":{"InvoiceDate":"2026-08-15"}}      | IssueModel.InvoiceDate dateFormat
        ECPay 7896 via 7918: SalesAmount = items       | VoidWithReIssue | {"IssueModel":{"SalesAmount":151}}               | IssueModel.SalesAmount sales-amount-is-items-total
        ECPay 7896 via 7918: donation not printed      | VoidWithReIssue | {"IssueModel":{"Donation":"1","LoveCode":"168001","Print":"1","CustomerName":"A","CustomerAddr":"B"}} | IssueModel.Print donation-not-printed
        ECPay SDK_PHP: MerchantID inside both models   | VoidWithReIssue | {"VoidModel":{"MerchantID":"2000132","InvoiceNo":"AB12345678","VoidReason":"x"},"IssueModel":{"MerchantID":"2000132"}} | -
        # ---- EditDelayIssue (ECPay 47979): Issue's fields and rules, and the Tsr
        ECPay 47979 Tsr required                       | EditDelayIssue | {"Tsr":null}                                      | Tsr required
        ECPay 47979 takes Issue's rules                | EditDelayIssue | {"SalesAmount":149}                               | SalesAmount sales-amount-is-items-total
        ECPay 47979 no DelayFlag to edit               | EditDelayIssue | {"DelayFlag":"1"}                                 | DelayFlag unknown
        # ---- the others' field rules
        ECPay 7870 books of 50                         | AddInvoiceWordSetting | {"InvoiceEnd":"10000450"}                  | InvoiceEnd pattern
        ECPay 7870 InvoiceTerm 1-6                     | AddInvoiceWordSetting | {"InvoiceTerm":0}                          | InvoiceTerm min
        ECPay 7870 a valid track                       | AddInvoiceWordSetting | {}                                         | -
        paid-tw GetIssueList NumPerPage 1-200          | GetIssueList | {"NumPerPage":201}                                  | NumPerPage max
        paid-tw GetIssueList DataType 1 (JSON)         | GetIssueList | {"DataType":"2"}                                    | DataType allowed
        ECPay 17229 a valid page                       | GetIssueList | {}                                                  | -
        paid-tw PrintStyle 1-5                         | InvoicePrint | {"PrintStyle":6}                                    | PrintStyle max
        odoo prints by the date and time               | InvoicePrint | {"InvoiceDate":"2026-08-15 23:29:10"}               | -
        # ---- DelayIssue: its own rule and Issue's
        ECPay 15369 DelayDay 1-15 for DelayFlag 1      | DelayIssue | {"DelayFlag":"1","DelayDay":0}                          | DelayDay delay-day-automatic
        ECPay 15369 DelayDay 1-15 for DelayFlag 1      | DelayIssue | {"DelayFlag":"1","DelayDay":15}                         | -
        ECPay 15369 DelayDay 0-15 for DelayFlag 2      | DelayIssue | {"DelayFlag":"2","DelayDay":0}                          | -
        ECPay 15369 takes Issue's rules                | DelayIssue | {"CustomerEmail":"not-an-email","SalesAmount":149}     | CustomerEmail pattern; SalesAmount sales-amount-is-items-total
        """)
    void rule(String source, String operation, String change, String expected) {
        Operation op = CATALOG.get("B2CInvoice/" + operation);
        ObjectNode data = DataValidatorTest.obj(base(operation));
        apply(data, DataValidatorTest.obj(change));
        List<Violation> found = DataValidator.validate(op, data);
        List<String> actual = found.stream().map(v -> v.field() + " " + v.rule()).sorted().toList();
        List<String> wanted = expected.equals("-") ? List.of()
                : Arrays.stream(expected.split(";")).map(String::strip).sorted().toList();
        assertEquals(wanted, actual, source + ": " + found);
        for (Violation v : found) {
            assertTrue(v.toString().startsWith(op.name() + ": " + v.field() + " "), v.toString());
            CrossRule rule = op.rule(v.rule());
            if (rule != null) {
                BROKEN_RULES.add(op.name() + " " + rule.id());
                assertTrue(v.message().contains(rule.why()), "the message says why: " + v.message());
            }
        }
    }

    /** paid-tw (sendNotification): a notice goes by e-mail or text message, so one of them is needed. */
    @Test
    void invoiceNotifyNeedsAnEmailOrAPhone() {
        ObjectNode data = DataValidatorTest.obj(base("InvoiceNotify"));
        data.remove("NotifyMail");
        List<Violation> found = DataValidator.validate(CATALOG.get("B2CInvoice/InvoiceNotify"), data);
        assertEquals(List.of("B2CInvoice/InvoiceNotify: NotifyMail|Phone is required: give at least one of NotifyMail or Phone"),
                found.stream().map(Violation::toString).toList());
    }

    /** A rule nobody breaks in a test is a rule nobody checked against its source. */
    @AfterAll
    static void everyRuleOfTheCatalogIsBrokenByACase() {
        Set<String> all = new TreeSet<>();
        CATALOG.all().forEach(op -> op.rules().forEach(r -> all.add(op.name() + " " + r.id())));
        all.removeAll(BROKEN_RULES);
        // an operation that takes another's fields inherits its rules: broken through that operation is enough
        java.util.Map<String, String> parents = java.util.Map.of("DelayIssue", "Issue", "EditDelayIssue", "Issue",
                "AllowanceByCollegiate", "Allowance");
        all.removeIf(r -> parents.entrySet().stream().anyMatch(p -> r.startsWith("B2CInvoice/" + p.getKey() + " ")
                && BROKEN_RULES.contains(r.replace("/" + p.getKey() + " ", "/" + p.getValue() + " "))));
        all.removeIf(r -> r.startsWith("B2BInvoice/")); // B2BRulesTest breaks those
        assertEquals(Set.of(), all, "rules without a failing case in IssueRulesTest");
    }

    @Test
    void messagesNameTheConditionAndTheReason() {
        Operation op = CATALOG.get("B2CInvoice/Issue");
        ObjectNode data = DataValidatorTest.obj(DataValidatorTest.issue());
        apply(data, DataValidatorTest.obj("{\"CustomerIdentifier\":\"53212539\",\"CarrierType\":\"1\",\"Print\":\"1\","
                + "\"CustomerName\":\"A\",\"CustomerAddr\":\"B\"}"));
        Violation v = DataValidator.validate(op, data).get(0);
        assertEquals("B2CInvoice/Issue: Print is '1', allowed when CustomerIdentifier is given and CarrierType is 1 or 2 or 4 or 5: 0: "
                + "with a tax id only a mobile barcode (CarrierType 3) may go with a printed invoice", v.toString());

        data = DataValidatorTest.obj(DataValidatorTest.issue());
        apply(data, DataValidatorTest.obj("{\"Items[1]\":{\"ItemAmount\":60},\"SalesAmount\":161}"));
        List<String> messages = DataValidator.validate(op, data).stream().map(Violation::toString).toList();
        assertEquals(List.of("B2CInvoice/Issue: SalesAmount is 161, but the Items[].ItemAmount values add up to 160: SalesAmount is the "
                        + "items' total, rounded half up",
                "B2CInvoice/Issue: Items[1].ItemAmount is 60, but ItemPrice x ItemCount is 25 x 2 = 50: the difference allowed is 1, "
                        + "or 0.01 per unit counted when that is more (prices rounded to cents)"), messages);
    }

    @Test
    void anUnknownFieldIsNamedShortlyWithoutItsValue() {
        Operation op = CATALOG.get("B2CInvoice/Issue");
        ObjectNode data = DataValidatorTest.obj(DataValidatorTest.issue());
        data.put("x".repeat(1_000_000), "y".repeat(1_000_000)); // a 1 MB name and a 1 MB value
        data.put("relatenumber", "ERP1");
        List<Violation> found = DataValidator.validate(op, data);
        assertEquals(2, found.size(), found.toString());
        assertTrue(found.stream().allMatch(v -> v.rule().equals("unknown")));
        assertTrue(found.get(0).toString().length() < 300, "no megabyte in a message: " + found.get(0).toString().length());
        assertTrue(found.get(0).field().endsWith("(1000000 characters)"), found.get(0).field());
        assertEquals("B2CInvoice/Issue: relatenumber is not a Data field ECPay defines for B2CInvoice/Issue (did you mean RelateNumber?): "
                + "remove it (docs/validation.md lists the fields)", found.get(1).toString());
    }

    @Test
    void aValueWithControlCharactersIsShownWithoutThem() {
        List<Violation> found = DataValidatorTest.violations("B2CInvoice/Issue",
                DataValidatorTest.issue().replace("buyer@example.com", "x\\r\\nFORGED LOG LINE"));
        assertEquals(1, found.size(), found.toString());
        assertEquals("is 'x??FORGED LOG LINE', expected one e-mail address, such as buyer@example.com", found.get(0).message());
    }

    @Test
    void everyRuleSaysWhereItComesFrom() {
        for (Operation op : CATALOG.all()) {
            for (CrossRule r : op.rules()) {
                assertTrue(r.source().matches(".*(ECPay|odoo|paid-tw|\\.NET2022|ECPay-API-Skill|ecpay-protocol).*"), op.name() + " " + r.id());
            }
        }
    }

    @Test
    void docsValidationListsEveryRule() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("docs/validation.md"));
        for (Operation op : CATALOG.all()) {
            for (CrossRule r : op.rules()) {
                assertTrue(doc.contains("`" + r.id() + "`"), r.id() + " is missing from docs/validation.md");
            }
        }
    }

    @Test
    void aRuleNamingAFieldTheOperationLacksStopsTheCatalog() {
        String json = "{\"operations\":[{\"name\":\"B2CInvoice/X\",\"fields\":[{\"name\":\"A\"}],"
                + "\"rules\":[{\"id\":\"r\",\"when\":{\"A\":\"1\"},\"require\":[\"B\"],\"source\":\"ECPay 1\"}]}]}";
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> OperationCatalog.load(new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        assertEquals("B2CInvoice/X rule r: B is not a field of B2CInvoice/X", e.getMessage());
        String twoActions = json.replace("\"require\":[\"B\"]", "\"require\":[\"A\"],\"forbid\":[\"A\"]");
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> OperationCatalog.load(new java.io.ByteArrayInputStream(twoActions.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().contains("exactly one of"), e.getMessage());
    }

    // ---- helpers

    /** A valid command of each operation the cases change. */
    static String base(String operation) {
        return switch (operation) {
            case "DelayIssue" -> delayIssue();
            case "Allowance" -> allowance();
            case "AllowanceByCollegiate" -> allowance().replace("{\"MerchantID\"", "{\"ReturnURL\":\"https://erp.example.com/allowance\","
                    + "\"MerchantID\"");
            case "GetAllowanceList" -> "{\"MerchantID\":\"2000132\"}";
            case "InvoiceNotify" -> "{\"MerchantID\":\"2000132\",\"InvoiceNo\":\"AB12345678\",\"NotifyMail\":\"buyer@example.com\","
                    + "\"Notify\":\"E\",\"InvoiceTag\":\"I\",\"Notified\":\"C\"}";
            case "VoidWithReIssue" -> "{\"MerchantID\":\"2000132\",\"VoidModel\":{\"InvoiceNo\":\"AB12345678\",\"VoidReason\":\"金額錯誤\"},"
                    + "\"IssueModel\":" + DataValidatorTest.issue().replace("{\"MerchantID\":\"2000132\",", "{\"InvoiceDate\":\"2026-08-15 23:29:10\",") + "}";
            case "EditDelayIssue" -> DataValidatorTest.issue().replace("{\"MerchantID\"", "{\"Tsr\":\"TSR20260815A1\",\"MerchantID\"");
            case "AddInvoiceWordSetting" -> "{\"MerchantID\":\"2000132\",\"InvoiceYear\":\"115\",\"InvoiceTerm\":4,\"InvType\":\"07\","
                    + "\"InvoiceCategory\":1,\"InvoiceHeader\":\"AB\",\"InvoiceStart\":\"10000000\",\"InvoiceEnd\":\"10000049\"}";
            case "GetIssueList" -> "{\"MerchantID\":\"2000132\",\"BeginDate\":\"2026-08-01\",\"EndDate\":\"2026-08-31\",\"NumPerPage\":30,"
                    + "\"ShowingPage\":1,\"DataType\":\"1\"}";
            case "InvoicePrint" -> "{\"MerchantID\":\"2000132\",\"InvoiceNo\":\"AB12345678\",\"InvoiceDate\":\"2026-08-15\"}";
            default -> DataValidatorTest.issue();
        };
    }

    static String allowance() {
        return "{\"MerchantID\":\"2000132\",\"InvoiceNo\":\"AB12345678\",\"InvoiceDate\":\"2026-08-15\",\"AllowanceNotify\":\"E\","
                + "\"NotifyMail\":\"buyer@example.com\",\"AllowanceAmount\":50,\"Reason\":\"退貨\","
                + "\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"濾紙\",\"ItemCount\":2,\"ItemWord\":\"盒\",\"ItemPrice\":25,\"ItemAmount\":50}]}";
    }

    static String delayIssue() {
        return DataValidatorTest.issue().replace("{\"MerchantID\"", "{\"DelayFlag\":\"2\",\"DelayDay\":0,\"Tsr\":\"TSR20260815A1\","
                + "\"PayType\":\"2\",\"PayAct\":\"ECPAY\",\"MerchantID\"");
    }

    private static final Pattern ITEM = Pattern.compile("(\\w+)\\[(\\d+)]");
    private static final Pattern REPEAT = Pattern.compile("%(\\d+)");

    /** Top-level fields are set (null removes), {@code Items[i]} (or {@code Details[i]}) fields are set on line i, an object's fields in it; "%N" is N characters. */
    static void apply(ObjectNode data, ObjectNode change) {
        change.fields().forEachRemaining(e -> {
            Matcher item = ITEM.matcher(e.getKey());
            if (item.matches()) {
                apply((ObjectNode) ((ArrayNode) data.get(item.group(1))).get(Integer.parseInt(item.group(2))), (ObjectNode) e.getValue());
            } else if (e.getValue().isNull()) {
                data.remove(e.getKey());
            } else if (e.getValue().isObject() && data.path(e.getKey()).isObject()) {
                apply((ObjectNode) data.get(e.getKey()), (ObjectNode) e.getValue()); // an object field: its fields changed
            } else {
                data.set(e.getKey(), expand(e.getValue()));
            }
        });
    }

    private static JsonNode expand(JsonNode v) {
        Matcher m = v.isTextual() ? REPEAT.matcher(v.asText()) : null;
        return m != null && m.matches() ? DataValidatorTest.JSON.getNodeFactory().textNode("字".repeat(Integer.parseInt(m.group(1)))) : v;
    }
}
