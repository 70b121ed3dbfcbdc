package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The catalog shapes issue 12's operations need, on a small catalog of their own: object fields that take another
 * operation's fields and rules (VoidWithReIssue's IssueModel), lookups with fixed values, renamed and nested fields, a list
 * of candidates and expected values (GetAllowanceList, GetIssue after Invalid), and operations ECPay cannot recognise when
 * sent twice (Allowance).
 */
class CatalogShapesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static final String CATALOG_JSON = """
        {"operations": [
          {"name": "B2CInvoice/Sell", "source": "ECPay 1",
           "fields": [
             {"name": "MerchantID", "type": "string", "required": true, "maxLength": 10},
             {"name": "Ref", "type": "string", "required": true, "maxLength": 5},
             {"name": "Total", "type": "int", "required": true},
             {"name": "Mail", "type": "string"}, {"name": "Phone", "type": "string"},
             {"name": "Items", "type": "array", "required": true, "items": [{"name": "Amount", "type": "number", "required": true}]}],
           "requireOneOf": [["Mail"], ["Phone"]],
           "rules": [{"id": "total-is-sum", "check": "sum", "field": "Total", "of": ["Items[].Amount"], "source": "ECPay 1", "why": "the total"}]},
          {"name": "B2CInvoice/Find", "source": "ECPay 2", "idempotent": true,
           "fields": [{"name": "MerchantID", "type": "string"}, {"name": "Kind", "type": "string"}, {"name": "Ref", "type": "string"},
                      {"name": "Day", "type": "string", "dateFormats": ["yyyy-MM-dd"]}]},
          {"name": "B2CInvoice/Redo", "source": "ECPay 3", "businessKey": ["Old.No"],
           "adoptWith": {"operation": "B2CInvoice/Find", "fields": ["New.Ref"], "rename": {"Day": "Old.When"}, "set": {"Kind": "1"},
                         "within": "Found", "compare": {"New.Total": "Sum"}, "expect": {"Void": "0"}},
           "noResendKey": true,
           "fields": [
             {"name": "MerchantID", "type": "string", "required": true},
             {"name": "Old", "type": "object", "required": true, "items": [
               {"name": "No", "type": "string", "required": true, "pattern": "^[A-Z]{2}[0-9]{8}$"},
               {"name": "When", "type": "string", "required": true, "dateFormats": ["yyyy-MM-dd HH:mm:ss"]}]},
             {"name": "New", "type": "object", "required": true, "fieldsFrom": "B2CInvoice/Sell",
              "items": [{"name": "MerchantID", "type": "string", "maxLength": 10}],
              "rules": [{"id": "small", "range": {"Total": [1, 1000]}, "source": "ECPay 3"}]}]}
        ]}""";

    static final OperationCatalog CATALOG = OperationCatalog.load(new ByteArrayInputStream(CATALOG_JSON.getBytes(StandardCharsets.UTF_8)));
    static final Operation REDO = CATALOG.get("B2CInvoice/Redo");

    static final String REDO_DATA = """
        {"MerchantID":"2000132","Old":{"No":"AB12345678","When":"2026-08-15 23:29:10"},
         "New":{"Ref":"R1","Total":150,"Mail":"a@b.tw","Items":[{"Amount":100},{"Amount":50}]}}""";

    // ------------------------------------------------------------------ object fields

    @Test
    void anObjectFieldTakesTheFieldsOfAnotherOperationItsOwnReplacingThoseOfTheSameName() {
        FieldRule created = REDO.field("New");
        assertEquals(List.of("MerchantID", "Ref", "Total", "Mail", "Phone", "Items"), created.items().stream().map(FieldRule::name).toList());
        assertTrue(!created.item("MerchantID").required(), "the object's own MerchantID replaces Sell's required one");
        assertEquals(List.of("total-is-sum", "small"), created.rules().stream().map(CrossRule::id).toList());
        assertEquals(List.of(List.of("Mail"), List.of("Phone")), created.requireOneOf());
        assertEquals("small", REDO.rule("small").id());
        assertEquals(created.item("Ref"), REDO.fieldAt("New.Ref"));
        assertNull(REDO.fieldAt("Old.Nope"));
    }

    @Test
    void anObjectIsValidatedAsAnOperationWithItsPathInFront() {
        assertEquals(List.of(), validate(REDO_DATA));
        assertEquals(List.of("New.Total total-is-sum", "Old.No pattern"),
                fieldsAndRules(validate(REDO_DATA.replace("AB12345678", "X1").replace("\"Total\":150", "\"Total\":151"))));
        assertEquals(List.of("New.Mail|Phone requireOneOf", "New.Ref maxLength", "New.Total small", "Old.When dateFormat"),
                fieldsAndRules(validate(REDO_DATA.replace("\"Mail\":\"a@b.tw\",", "").replace("\"R1\"", "\"R123456\"")
                        .replace("\"Total\":150", "\"Total\":1500").replace("\"Amount\":100", "\"Amount\":1450")
                        .replace("23:29:10", "23:29"))));
        List<Violation> v = validate(REDO_DATA.replace("\"Ref\":\"R1\"", "\"Ref\":\"R1\",\"Extra\":1"));
        assertEquals("B2CInvoice/Redo: New.Extra is not a Data field ECPay defines for B2CInvoice/Redo: remove it (docs/validation.md "
                + "lists the fields)", v.get(0).toString());
        assertEquals(List.of("Old type"), fieldsAndRules(validate(REDO_DATA.replaceFirst("\\{\"No\".*?},", "\"AB12345678\","))));
        assertEquals(List.of("New required"), fieldsAndRules(validate("{\"MerchantID\":\"1\",\"Old\":{\"No\":\"AB12345678\","
                + "\"When\":\"2026-08-15 23:29:10\"}}")));
    }

    @Test
    void aBusinessKeyMayNameAFieldOfAnObject() {
        assertEquals("B2CInvoice/Redo:2000132:AB12345678", Command.businessKey(REDO, obj(REDO_DATA)));
    }

    @Test
    void anObjectTakingFieldsFromAnUnknownOperationStopsTheCatalog() {
        String broken = CATALOG_JSON.replace("\"fieldsFrom\": \"B2CInvoice/Sell\"", "\"fieldsFrom\": \"B2CInvoice/Nope\"");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OperationCatalog.load(new ByteArrayInputStream(broken.getBytes(StandardCharsets.UTF_8))));
        assertEquals("B2CInvoice/Redo field New takes fields from unknown operation B2CInvoice/Nope", e.getMessage());
        String badRule = CATALOG_JSON.replace("\"range\": {\"Total\"", "\"range\": {\"Nope\"");
        e = assertThrows(IllegalStateException.class,
                () -> OperationCatalog.load(new ByteArrayInputStream(badRule.getBytes(StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().contains("Nope is not a field"), e.getMessage());
    }

    // ------------------------------------------------------------------ lookups

    @Test
    void theLookupTakesFixedRenamedAndNestedFieldsAndCutsADateAndTimeToItsDate() {
        assertEquals(obj("{\"MerchantID\":\"2000132\",\"Kind\":\"1\",\"Ref\":\"R1\",\"Day\":\"2026-08-15\"}"),
                CATALOG.lookupQuery(REDO, obj(REDO_DATA), "2000132"));
        assertNull(CATALOG.lookupQuery(CATALOG.get("B2CInvoice/Find"), obj("{}"), "2000132"));
    }

    @Test
    void withinAList_oneEntryMustAgreeAndShowWhatIsExpected() {
        Operation.Adopt adopt = REDO.adoptWith();
        JsonNode command = obj(REDO_DATA);
        JsonNode found = obj("{\"RtnCode\":1,\"Found\":[{\"Sum\":90,\"Void\":\"0\"},{\"Sum\":\"150\",\"Void\":\"0\",\"No\":\"x\"}]}");
        assertEquals(List.of(), LookupComparison.differences(adopt, command, found));
        assertEquals("x", LookupComparison.match(adopt, command, found).path("No").asText());
        JsonNode voided = obj("{\"Found\":[{\"Sum\":150,\"Void\":\"1\"}]}");
        assertEquals(List.of("none of the 1 Found entries at ECPay agrees (the first: Void 1 at ECPay, 0 expected)"),
                LookupComparison.differences(adopt, command, voided));
        assertNull(LookupComparison.match(adopt, command, voided));
        assertEquals(List.of("no Found entry at ECPay"), LookupComparison.differences(adopt, command, obj("{\"Found\":[]}")));
        assertEquals(List.of("none of the 1 Found entries at ECPay agrees (the first: Void not shown at ECPay, 0 expected)"),
                LookupComparison.differences(adopt, command, obj("{\"Found\":[{\"Sum\":150}]}")));
    }

    // ------------------------------------------------------------------ no resend key

    @Test
    void anAttemptThatMayHaveReachedEcpayIsNeverSentAgainWhenEcpayCannotRecogniseIt() {
        ResultClassifier classifier = new ResultClassifier(ResultTable.defaults());
        Outcome timeout = classifier.classify(REDO, CallResult.failed(new SocketTimeoutException("Read timed out")), false);
        assertEquals(Verdict.DEAD, timeout.verdict());
        assertTrue(timeout.alert(), "a person must look");
        assertTrue(timeout.reason().startsWith("no reply from ECPay, the request may have been processed: "), timeout.reason());
        assertTrue(timeout.reason().endsWith("ECPay has no key by which it would recognise B2CInvoice/Redo sent again, so it is not sent "
                + "again by itself: check with B2CInvoice/Find whether it was done, and send it again under a new id only if it was not"),
                timeout.reason());
        assertEquals(Verdict.DEAD, classifier.classify(REDO, new CallResult(null, 502, null, null, null, null), false).verdict());
        // what did not reach ECPay, or was answered, is classified as usual
        assertEquals(Verdict.RETRY, classifier.classify(REDO, new CallResult(null, 503, null, null, null, null), false).verdict());
        assertEquals(Verdict.SUCCESS, classifier.classify(REDO, new CallResult(null, 200, 1, "Success", 1, "ok"), false).verdict());
    }

    // ------------------------------------------------------------------ helpers

    static List<Violation> validate(String data) {
        return DataValidator.validate(REDO, obj(data));
    }

    static List<String> fieldsAndRules(List<Violation> found) {
        return found.stream().map(v -> v.field() + " " + v.rule()).sorted().toList();
    }

    static ObjectNode obj(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }
}
