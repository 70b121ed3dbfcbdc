package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Data validation per operation: each violation names the operation, the field path and the rule; types are normalised. */
class DataValidatorTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final OperationCatalog CATALOG = OperationCatalog.standard();

    // ---- the seed pages' own examples are valid ----

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "B2CInvoice/UpdateInvoiceWordStatus | {\"MerchantID\":\"2000132\",\"TrackID\":\"1123456\",\"InvoiceStatus\":1}",
        "B2CInvoice/CancelDelayIssue        | {\"MerchantID\":\"2000132\",\"Tsr\":\"201909170001\"}",
        "B2CInvoice/TriggerIssue            | {\"MerchantID\":\"2000132\",\"Tsr\":\"201909170001\",\"PayType\":\"2\"}",
        // the seed writes MerchantID as a number here
        "B2CInvoice/GetInvalid              | {\"MerchantID\":2000132,\"RelateNumber\":\"123456789\",\"InvoiceNo\":\"UV11100016\",\"InvoiceDate\":\"2018-10-28\"}",
        // the seed writes InvoiceNumber with a leading blank
        "B2BInvoice/IssueConfirm            | {\"MerchantID\":\"2000132\",\"InvoiceNumber\":\" VG11000002\",\"InvoiceDate\":\"2019/09/22\",\"Remark\":\"\"}",
    })
    void theSeedExamplesPass(String operation, String data) {
        assertEquals(List.of(), violations(operation, data));
    }

    @Test
    void normalisesTheSeedExamplesForSending() {
        ObjectNode getInvalid = obj("{\"MerchantID\":2000132,\"RelateNumber\":\"123456789\",\"InvoiceNo\":\"UV11100016\",\"InvoiceDate\":\"2018-10-28\"}");
        DataValidator.validate(CATALOG.get("B2CInvoice/GetInvalid"), getInvalid);
        assertTrue(getInvalid.get("MerchantID").isTextual(), "MerchantID is String(10): sent as text");
        assertEquals("2000132", getInvalid.get("MerchantID").asText());

        ObjectNode confirm = obj("{\"MerchantID\":\"2000132\",\"InvoiceNumber\":\" VG11000002\",\"InvoiceDate\":\"2019/09/22\",\"Remark\":\"\"}");
        DataValidator.validate(CATALOG.get("B2BInvoice/IssueConfirm"), confirm);
        assertEquals("VG11000002", confirm.get("InvoiceNumber").asText());
        assertEquals("", confirm.get("Remark").asText());
    }

    // ---- UpdateInvoiceWordStatus ----

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "2", "\"0\"", "\"2\"", "\" 1 \"", "2.0"})
    void invoiceStatusIsAnIntZeroOneOrTwo(String status) {
        ObjectNode data = obj("{\"MerchantID\":\"2000132\",\"TrackID\":\"1123456\",\"InvoiceStatus\":" + status + "}");
        assertEquals(List.of(), DataValidator.validate(CATALOG.get("B2CInvoice/UpdateInvoiceWordStatus"), data));
        assertTrue(data.get("InvoiceStatus").isIntegralNumber(), "sent as a JSON number: " + data);
    }

    @Test
    void invoiceStatusViolations() {
        String op = "B2CInvoice/UpdateInvoiceWordStatus";
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"TrackID\":\"1\",\"InvoiceStatus\":3}"), op, "InvoiceStatus", "allowed");
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"TrackID\":\"1\",\"InvoiceStatus\":\"on\"}"), op, "InvoiceStatus", "type");
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"TrackID\":\"1\",\"InvoiceStatus\":1.5}"), op, "InvoiceStatus", "type");
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"TrackID\":\"1\",\"InvoiceStatus\":true}"), op, "InvoiceStatus", "type");
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"TrackID\":\"1\"}"), op, "InvoiceStatus", "required");
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"TrackID\":\"1\",\"InvoiceStatus\":\"\"}"), op, "InvoiceStatus", "required");
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"TrackID\":\"12345678901\",\"InvoiceStatus\":2}"), op, "TrackID", "maxLength");
        assertOnly(violations(op, "{\"MerchantID\":\"20001320000\",\"TrackID\":\"1\",\"InvoiceStatus\":2}"), op, "MerchantID", "maxLength");
        Violation v = violations(op, "{\"MerchantID\":\"2000132\",\"TrackID\":\"1\",\"InvoiceStatus\":3}").get(0);
        assertEquals("is 3, allowed: 0, 1, 2", v.message());
        assertEquals("B2CInvoice/UpdateInvoiceWordStatus: InvoiceStatus is 3, allowed: 0, 1, 2", v.toString());
    }

    // ---- CancelDelayIssue / TriggerIssue ----

    @Test
    void tsrIsRequiredAndAtMostThirtyCharacters() {
        for (String op : new String[] {"B2CInvoice/CancelDelayIssue", "B2CInvoice/TriggerIssue"}) {
            String payType = op.endsWith("TriggerIssue") ? ",\"PayType\":\"2\"" : "";
            assertEquals(List.of(), violations(op, "{\"MerchantID\":\"2000132\",\"Tsr\":\"" + "T".repeat(30) + "\"" + payType + "}"));
            assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"Tsr\":\"" + "T".repeat(31) + "\"" + payType + "}"), op, "Tsr", "maxLength");
            assertOnly(violations(op, "{\"MerchantID\":\"2000132\"" + payType + "}"), op, "Tsr", "required");
            assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"Tsr\":\"\"" + payType + "}"), op, "Tsr", "required");
        }
    }

    @Test
    void payTypeIsFixedTwo() {
        String op = "B2CInvoice/TriggerIssue";
        ObjectNode numeric = obj("{\"MerchantID\":\"2000132\",\"Tsr\":\"T1\",\"PayType\":2}");
        assertEquals(List.of(), DataValidator.validate(CATALOG.get(op), numeric));
        assertEquals("\"2\"", numeric.get("PayType").toString(), "a number becomes the text ECPay documents");
        for (String bad : new String[] {"\"1\"", "\"22\"", "\"3\""}) {
            List<Violation> found = violations(op, "{\"MerchantID\":\"2000132\",\"Tsr\":\"T1\",\"PayType\":" + bad + "}");
            assertTrue(found.stream().anyMatch(v -> v.field().equals("PayType") && v.rule().equals("allowed")), found.toString());
        }
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"Tsr\":\"T1\"}"), op, "PayType", "required");
    }

    // ---- GetInvalid ----

    @ParameterizedTest
    @ValueSource(strings = {"2018-10-28", "2018/10/28", "2024-02-29", " 2018-10-28 "})
    void getInvalidDatesInEitherPublishedForm(String date) {
        assertEquals(List.of(), violations("B2CInvoice/GetInvalid", getInvalid(date)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2018.10.28", "20181028", "2018-02-30", "2023-02-29", "28/10/2018", "2018-1-28", "2018-1028", "yesterday"})
    void getInvalidRejectsOtherDates(String date) {
        List<Violation> found = violations("B2CInvoice/GetInvalid", getInvalid(date));
        assertOnly(found, "B2CInvoice/GetInvalid", "InvoiceDate", "dateFormat");
        assertTrue(found.get(0).message().contains("yyyy-MM-dd or yyyy/MM/dd"), found.get(0).message());
    }

    @Test
    void getInvalidDateWithATimeIsTooLongAndNotADate() {
        List<Violation> found = violations("B2CInvoice/GetInvalid", getInvalid("2018-10-28 10:00:00"));
        assertEquals(List.of("InvoiceDate maxLength", "InvoiceDate dateFormat"), fieldsAndRules(found));
    }

    @Test
    void getInvalidRelateNumberMayNotHoldSymbols() {
        String op = "B2CInvoice/GetInvalid";
        String data = "{\"MerchantID\":\"2000132\",\"RelateNumber\":\"ORD/001\",\"InvoiceNo\":\"UV11100016\",\"InvoiceDate\":\"2018-10-28\"}";
        List<Violation> found = violations(op, data);
        assertOnly(found, op, "RelateNumber", "pattern");
        assertTrue(found.get(0).message().contains("letters, digits, '-' and '_'"), found.get(0).message());
        // ECPay 7896 says String(50), "no symbols"; odoo l10n_tw_edi_ecpay sends URL-safe Base64 (with '-' and '_') in production
        assertEquals(List.of(), violations(op, data.replace("ORD/001", "ORD-001_a")));
        assertEquals(List.of(), violations(op, data.replace("ORD/001", "X".repeat(50))));
        assertOnly(violations(op, data.replace("ORD/001", "X".repeat(51))), op, "RelateNumber", "maxLength");
        assertOnly(violations(op, data.replace("\"RelateNumber\":\"ORD/001\",", "")), op, "RelateNumber", "required");
        assertOnly(violations(op, data.replace("ORD/001", "A1").replace("UV11100016", "uv11100016")), op, "InvoiceNo", "pattern");
    }

    // ---- B2B IssueConfirm ----

    @Test
    void issueConfirmRemarkIsRequiredButMayBeEmpty() {
        String op = "B2BInvoice/IssueConfirm";
        String base = "{\"MerchantID\":\"2000132\",\"InvoiceNumber\":\"VG11000002\",\"InvoiceDate\":\"2019-09-22\"";
        assertEquals(List.of(), violations(op, base + ",\"Remark\":\"\"}"));
        assertEquals(List.of(), violations(op, base + ",\"Remark\":\"確認 confirmed\"}"));
        assertOnly(violations(op, base + "}"), op, "Remark", "required");
        assertOnly(violations(op, base + ",\"Remark\":null}"), op, "Remark", "required");
        assertOnly(violations(op, base + ",\"Remark\":\"" + "備".repeat(201) + "\"}"), op, "Remark", "maxLength");
        assertEquals(List.of(), violations(op, base + ",\"Remark\":\"" + "備".repeat(200) + "\"}"), "200 characters, not bytes");
    }

    @Test
    void issueConfirmNamesTheNumberInvoiceNumber() {
        String op = "B2BInvoice/IssueConfirm";
        List<Violation> found = violations(op, "{\"MerchantID\":\"2000132\",\"InvoiceNo\":\"VG11000002\",\"InvoiceDate\":\"2019-09-22\",\"Remark\":\"\"}");
        assertEquals(List.of("InvoiceNo unknown", "InvoiceNumber required"), fieldsAndRules(found), "B2C's name is refused, not sent");
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"InvoiceNumber\":\"VG1100000\",\"InvoiceDate\":\"2019-09-22\",\"Remark\":\"\"}"),
                op, "InvoiceNumber", "pattern");
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"InvoiceNumber\":\"VG11000002\",\"InvoiceDate\":\"2019-13-22\",\"Remark\":\"\"}"),
                op, "InvoiceDate", "dateFormat");
    }

    // ---- B2C Issue ----

    static String issue() {
        return "{\"MerchantID\":\"2000132\",\"RelateNumber\":\"ERP20260815A1\",\"CustomerEmail\":\"buyer@example.com\","
                + "\"Print\":\"0\",\"Donation\":\"0\",\"TaxType\":\"1\",\"SalesAmount\":150,\"InvType\":\"07\",\"vat\":\"1\","
                + "\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"咖啡豆\",\"ItemCount\":1,\"ItemWord\":\"包\",\"ItemPrice\":100,\"ItemAmount\":100},"
                + "{\"ItemSeq\":2,\"ItemName\":\"濾紙\",\"ItemCount\":2,\"ItemWord\":\"盒\",\"ItemPrice\":25,\"ItemAmount\":50}]}";
    }

    @Test
    void aCompleteIssuePasses() {
        assertEquals(List.of(), violations("B2CInvoice/Issue", issue()));
    }

    @Test
    void itemViolationsNameTheItemsIndex() {
        String op = "B2CInvoice/Issue";
        List<Violation> found = violations(op, issue().replace("\"ItemName\":\"濾紙\",", "").replace("\"ItemWord\":\"包\"", "\"ItemWord\":\"1234567\""));
        assertEquals(List.of("Items[0].ItemWord maxLength", "Items[1].ItemName required"), fieldsAndRules(found));
        found.forEach(v -> assertEquals(op, v.operation()));
        assertOnly(violations(op, issue().replace("\"ItemCount\":2", "\"ItemCount\":\"two\"")), op, "Items[1].ItemCount", "type");
        assertOnly(violations(op, issue().replace("\"ItemSeq\":2", "\"ItemSeq\":0")), op, "Items[1].ItemSeq", "min");
        assertOnly(violations(op, issue().replaceFirst("\\{\"ItemSeq\":1[^}]*},", "\"not an item\",")), op, "Items[0]", "type");
    }

    @Test
    void itemsMustBeANonEmptyList() {
        String op = "B2CInvoice/Issue";
        String noItems = issue().substring(0, issue().indexOf(",\"Items\"")) + ",\"Items\":[]}";
        assertOnly(violations(op, noItems), op, "Items", "minItems");
        assertOnly(violations(op, noItems.replace("[]", "{}")), op, "Items", "type");
        assertOnly(violations(op, noItems.replace(",\"Items\":[]", "")), op, "Items", "required");
    }

    @Test
    void printedAndDonatedInvoicesNeedTheirConditionalFields() {
        String op = "B2CInvoice/Issue";
        List<Violation> printed = violations(op, issue().replace("\"Print\":\"0\"", "\"Print\":\"1\""));
        assertEquals(List.of("CustomerName requiredWhen", "CustomerAddr requiredWhen"), fieldsAndRules(printed));
        assertEquals("is required when Print is 1", printed.get(0).message());
        // a number for Print still triggers the condition
        assertEquals(2, violations(op, issue().replace("\"Print\":\"0\"", "\"Print\":1")).size());
        List<Violation> donated = violations(op, issue().replace("\"Donation\":\"0\"", "\"Donation\":\"1\""));
        assertOnly(donated, op, "LoveCode", "requiredWhen");
        assertEquals(List.of(), violations(op, issue().replace("\"Donation\":\"0\"", "\"Donation\":\"1\",\"LoveCode\":\"168001\"")));
        assertOnly(violations(op, issue().replace("\"Donation\":\"0\"", "\"Donation\":\"1\",\"LoveCode\":\"\"")), op, "LoveCode", "requiredWhen");
    }

    /** ECPay 7896 (via ECPay-API-Skill guides/04): CustomerPhone or CustomerEmail, at least one, whatever else is given. */
    @Test
    void anInvoiceNeedsThePhoneOrTheEmailOfItsBuyer() {
        String op = "B2CInvoice/Issue";
        List<Violation> found = violations(op, issue().replace("\"CustomerEmail\":\"buyer@example.com\"",
                "\"CarrierType\":\"3\",\"CarrierNum\":\"/ABC+123\""));
        assertOnly(found, op, "CustomerEmail|CustomerPhone", "requireOneOf");
        assertEquals("is required: give at least one of CustomerEmail or CustomerPhone", found.get(0).message());
        assertEquals(List.of(), violations(op, issue().replace("\"CustomerEmail\":\"buyer@example.com\"", "\"CustomerPhone\":\"0912345678\"")));
    }

    @Test
    void issueValueRules() {
        String op = "B2CInvoice/Issue";
        assertOnly(violations(op, issue().replace("\"InvType\":\"07\"", "\"InvType\":7")), op, "InvType", "allowed");
        assertOnly(violations(op, issue().replace("\"TaxType\":\"1\"", "\"TaxType\":\"5\"")), op, "TaxType", "allowed");
        assertOnly(violations(op, issue().replace("\"SalesAmount\":150", "\"SalesAmount\":-1")), op, "SalesAmount", "min");
        assertOnly(violations(op, issue().replace("ERP20260815A1", "ERP#2026")), op, "RelateNumber", "pattern");
        assertEquals(List.of(), violations(op, issue().replace("ERP20260815A1", "ERP_2026-08-15")));
        assertOnly(violations(op, issue().replace("\"vat\":\"1\"", "\"CustomerIdentifier\":\"1234567\"")), op, "CustomerIdentifier", "pattern");
        assertOnly(violations(op, issue().replace("\"vat\":\"1\"", "\"ClearanceMark\":\"3\"")), op, "ClearanceMark", "allowed");
        // empty optional codes are left alone
        assertEquals(List.of(), violations(op, issue().replace("\"vat\":\"1\"", "\"ClearanceMark\":\"\",\"CarrierType\":\"\",\"CustomerIdentifier\":\"\"")));
    }

    @Test
    void textSourcesAreNormalisedToTheTypesEcpayExpects() {
        // as a CSV or database row would give them
        ObjectNode data = obj(issue().replace("\"SalesAmount\":150", "\"SalesAmount\":\"150\"")
                .replace("\"ItemCount\":2", "\"ItemCount\":\"2.5\"").replace("\"ItemPrice\":25", "\"ItemPrice\":\"20\"").replace("\"ItemSeq\":1", "\"ItemSeq\":\"1\"")
                .replace("\"Print\":\"0\"", "\"Print\":0").replace("\"TaxType\":\"1\"", "\"TaxType\":1")
                .replace("\"vat\":\"1\"", "\"SpecialTaxType\":\"\""));
        assertEquals(List.of(), DataValidator.validate(CATALOG.get("B2CInvoice/Issue"), data));
        assertEquals("150", data.get("SalesAmount").toString(), "sent as a JSON number");
        assertEquals("2.5", data.get("Items").get(1).get("ItemCount").decimalValue().toPlainString());
        assertTrue(data.get("Items").get(1).get("ItemCount").isNumber());
        assertEquals("1", data.get("Items").get(0).get("ItemSeq").toString());
        assertEquals(JSON.valueToTree("0"), data.get("Print"));
        assertEquals(JSON.valueToTree("1"), data.get("TaxType"));
        assertFalse(data.has("SpecialTaxType"), "an empty optional number is left out, not sent as \"\"");
    }

    @Test
    void emptyRequiredNumbersAreMissingNotMistyped() {
        String op = "B2CInvoice/Issue";
        assertOnly(violations(op, issue().replace("\"SalesAmount\":150", "\"SalesAmount\":\" \"")), op, "SalesAmount", "required");
        assertOnly(violations(op, issue().replace("\"ItemPrice\":25", "\"ItemPrice\":\"\"")), op, "Items[1].ItemPrice", "required");
        assertOnly(violations(op, issue().replace("\"ItemPrice\":25", "\"ItemPrice\":true")), op, "Items[1].ItemPrice", "type");
    }

    @Test
    void freeTextKeepsItsBlanks() {
        ObjectNode data = obj(issue().replace("\"vat\":\"1\"", "\"InvoiceRemark\":\"  two  spaces \""));
        assertEquals(List.of(), DataValidator.validate(CATALOG.get("B2CInvoice/Issue"), data));
        assertEquals("  two  spaces ", data.get("InvoiceRemark").asText());
    }

    @Test
    void aStringFieldGivenAnObjectIsATypeError() {
        String op = "B2CInvoice/TriggerIssue";
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"Tsr\":{\"id\":1},\"PayType\":\"2\"}"), op, "Tsr", "type");
    }

    // ---- DelayIssue, Invalid, GetIssue ----

    @Test
    void delayIssueChecksItsOwnAndIssuesFields() {
        String op = "B2CInvoice/DelayIssue";
        String delay = issue().replace("{\"MerchantID\"", "{\"DelayFlag\":\"2\",\"DelayDay\":0,\"Tsr\":\"TSR20260815A1\",\"PayType\":\"2\","
                + "\"PayAct\":\"ECPAY\",\"MerchantID\"");
        assertEquals(List.of(), violations(op, delay));
        assertOnly(violations(op, delay.replace("\"DelayDay\":0", "\"DelayDay\":16")), op, "DelayDay", "max");
        assertOnly(violations(op, delay.replace("\"DelayFlag\":\"2\"", "\"DelayFlag\":\"3\"")), op, "DelayFlag", "allowed");
        assertOnly(violations(op, delay.replace("\"PayAct\":\"ECPAY\"", "\"PayAct\":\"OTHER\"")), op, "PayAct", "allowed");
        assertOnly(violations(op, delay.replace("\"Tsr\":\"TSR20260815A1\",", "")), op, "Tsr", "required");
        assertOnly(violations(op, delay.replace("\"ItemWord\":\"包\",", "")), op, "Items[0].ItemWord", "required");
    }

    @Test
    void invalidNeedsAShortReason() {
        String op = "B2CInvoice/Invalid";
        String base = "{\"MerchantID\":\"2000132\",\"InvoiceNo\":\"LA25008605\",\"InvoiceDate\":\"2026-08-15\",\"Reason\":\"";
        assertEquals(List.of(), violations(op, base + "退貨\"}"));
        assertOnly(violations(op, base + "R".repeat(21) + "\"}"), op, "Reason", "maxLength");
        assertOnly(violations(op, base + "\"}"), op, "Reason", "required");
    }

    @Test
    void getIssueByRelateNumberOrByNumberAndDate() {
        String op = "B2CInvoice/GetIssue";
        assertEquals(List.of(), violations(op, "{\"MerchantID\":\"2000132\",\"RelateNumber\":\"ERP20260815A1\"}"));
        assertEquals(List.of(), violations(op, "{\"MerchantID\":\"2000132\",\"InvoiceNo\":\"LA25008605\",\"InvoiceDate\":\"2026-08-15\"}"));
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"InvoiceNo\":\"LA25008605\"}"), op, "RelateNumber|InvoiceNo+InvoiceDate", "requireOneOf");
        assertOnly(violations(op, "{\"MerchantID\":\"2000132\",\"RelateNumber\":\"\"}"), op, "RelateNumber|InvoiceNo+InvoiceDate", "requireOneOf");
    }

    @Test
    void everyViolationIsComplete() {
        List<Violation> found = violations("B2CInvoice/Issue", "{\"Print\":\"2\",\"Items\":[{}]}");
        assertTrue(found.size() > 8, found.toString());
        for (Violation v : found) {
            assertEquals("B2CInvoice/Issue", v.operation());
            assertFalse(v.field().isBlank(), v.toString());
            assertTrue(List.of("required", "requiredWhen", "maxLength", "allowed", "pattern", "dateFormat", "type", "min", "max",
                    "minItems", "maxItems", "requireOneOf").contains(v.rule()), v.toString());
            assertTrue(v.toString().startsWith("B2CInvoice/Issue: " + v.field() + " "), v.toString());
        }
    }

    // ---- helpers ----

    static ObjectNode obj(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return (ObjectNode) node;
        } catch (Exception e) {
            throw new IllegalArgumentException("test JSON is broken: " + json, e);
        }
    }

    static List<Violation> violations(String operation, String data) {
        return DataValidator.validate(CATALOG.get(operation), obj(data));
    }

    static String getInvalid(String date) {
        return "{\"MerchantID\":\"2000132\",\"RelateNumber\":\"123456789\",\"InvoiceNo\":\"UV11100016\",\"InvoiceDate\":\"" + date + "\"}";
    }

    static List<String> fieldsAndRules(List<Violation> found) {
        return found.stream().map(v -> v.field() + " " + v.rule()).collect(Collectors.toList());
    }

    static void assertOnly(List<Violation> found, String operation, String field, String rule) {
        if (found.size() != 1) {
            fail("expected exactly one violation " + field + " " + rule + ", got " + found);
        }
        Violation v = found.get(0);
        assertEquals(operation, v.operation(), v.toString());
        assertEquals(field, v.field(), v.toString());
        assertEquals(rule, v.rule(), v.toString());
        assertFalse(v.message().isBlank());
    }
}
