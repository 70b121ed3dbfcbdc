package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading one command line: ids, merchants, operations and the problems reported. */
class CommandTest {

    static final OperationCatalog CATALOG = OperationCatalog.standard();
    static final String DEFAULT_MERCHANT = "2000132";

    static Command parse(String json) {
        return Command.parse(json, CATALOG, DEFAULT_MERCHANT);
    }

    static InvalidCommandException invalid(String json) {
        return assertThrows(InvalidCommandException.class, () -> parse(json));
    }

    @Test
    void withoutAnIdTheBusinessKeyIsTheId() {
        Command c = parse("{\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"Tsr\":\"TSR0001\",\"PayType\":\"2\"}}");
        assertEquals("B2CInvoice/TriggerIssue:2000132:TSR0001", c.id());
        assertEquals("B2CInvoice/TriggerIssue", c.operation());
        assertEquals("B2CInvoice/UpdateInvoiceWordStatus:2000132:1123456:2", parse("{\"operation\":\"B2CInvoice/UpdateInvoiceWordStatus\","
                + "\"data\":{\"TrackID\":\"1123456\",\"InvoiceStatus\":\"2\"}}").id(), "built from the normalised values");
        assertEquals("B2BInvoice/IssueConfirm:2000132:VG11000002", parse("{\"operation\":\"B2BInvoice/IssueConfirm\",\"data\":"
                + "{\"InvoiceNumber\":\" VG11000002\",\"InvoiceDate\":\"2019/09/22\",\"Remark\":\"\"}}").id());
        assertEquals("B2CInvoice/TriggerIssue:2000132:T9", parse("{\"id\":null,\"operation\":\"B2CInvoice/TriggerIssue\","
                + "\"data\":{\"Tsr\":\"T9\",\"PayType\":\"2\"}}").id(), "a null id is no id");
        assertEquals("B2CInvoice/TriggerIssue:2000132:T9", parse("{\"id\":\"  \",\"operation\":\"B2CInvoice/TriggerIssue\","
                + "\"data\":{\"Tsr\":\"T9\",\"PayType\":\"2\"}}").id(), "a blank id is no id");
    }

    @Test
    void anExplicitIdWins() {
        Command c = parse("{\"id\":\" erp-42 \",\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"Tsr\":\"TSR0001\",\"PayType\":\"2\"}}");
        assertEquals("erp-42", c.id());
        assertEquals("7", parse("{\"id\":7,\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"Tsr\":\"T1\",\"PayType\":\"2\"}}").id());
    }

    @Test
    void theMerchantDefaultsAndLandsInData() {
        Command c = parse("{\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"TSR0001\"}}");
        assertEquals(DEFAULT_MERCHANT, c.merchantId());
        assertEquals(DEFAULT_MERCHANT, c.data().get("MerchantID").asText());

        Command named = parse("{\"merchantId\":3085340,\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"T1\"}}");
        assertEquals("3085340", named.merchantId());
        assertEquals("3085340", named.data().get("MerchantID").asText());

        Command inData = parse("{\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"MerchantID\":3085340,\"Tsr\":\"T1\"}}");
        assertEquals("3085340", inData.merchantId());
        assertTrue(inData.data().get("MerchantID").isTextual());

        Command same = parse("{\"merchantId\":\"3085340\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"MerchantID\":\"3085340\",\"Tsr\":\"T1\"}}");
        assertEquals("3085340", same.merchantId());
    }

    @Test
    void twoDifferentMerchantsInOneCommandAreRefusedNotGuessed() {
        InvalidCommandException e = invalid("{\"merchantId\":\"3085340\",\"operation\":\"B2CInvoice/CancelDelayIssue\","
                + "\"data\":{\"MerchantID\":\"2000132\",\"Tsr\":\"T1\"}}");
        assertEquals("MerchantID", e.field());
        assertEquals("conflict", e.violations().get(0).rule());
        assertTrue(e.getMessage().contains("3085340") && e.getMessage().contains("2000132"), e.getMessage());
    }

    @Test
    void noMerchantAnywhereIsReported() {
        InvalidCommandException e = assertThrows(InvalidCommandException.class,
                () -> Command.parse("{\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"T1\"}}", CATALOG, ""));
        assertEquals("MerchantID", e.field());
        assertEquals("required", e.violations().get(0).rule());
    }

    @Test
    void operationNamesAreForgivenToTheirCatalogSpelling() {
        Command c = parse("{\"operation\":\"/b2cinvoice/canceldelayissue\",\"data\":{\"Tsr\":\"T1\"}}");
        assertEquals("B2CInvoice/CancelDelayIssue", c.operation());
        assertEquals("B2CInvoice/CancelDelayIssue:2000132:T1", c.id());
    }

    @Test
    void anUnknownOperationListsTheKnownOnes() {
        InvalidCommandException e = invalid("{\"operation\":\"B2CInvoice/DoSomething\",\"data\":{}}");
        Violation v = e.violations().get(0);
        assertEquals("operation", v.field());
        assertEquals("unknown", v.rule());
        assertTrue(v.message().startsWith("'B2CInvoice/DoSomething' is not a known operation; known: "), v.message());
        for (Operation op : CATALOG.all()) {
            assertTrue(v.message().contains(op.name()), v.message());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"data\":{}}", "{\"operation\":\"\",\"data\":{}}", "{\"operation\":null,\"data\":{}}"})
    void theOperationIsRequired(String json) {
        InvalidCommandException e = invalid(json);
        assertEquals("operation", e.field());
        assertEquals("required", e.violations().get(0).rule());
    }

    @Test
    void dataMustBeAnObject() {
        InvalidCommandException missing = invalid("{\"operation\":\"B2CInvoice/TriggerIssue\"}");
        assertEquals("data", missing.field());
        assertEquals("B2CInvoice/TriggerIssue: data is required", missing.getMessage());
        InvalidCommandException text = invalid("{\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":\"Tsr=1\"}");
        assertEquals("B2CInvoice/TriggerIssue: data must be a JSON object", text.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{\"operation\":", "[{\"operation\":\"B2CInvoice/TriggerIssue\"}]", "null"})
    void brokenJsonIsOneClearViolation(String json) {
        InvalidCommandException e = invalid(json);
        assertEquals(1, e.violations().size());
        assertEquals("json", e.violations().get(0).rule());
        assertTrue(e.getMessage().contains("command"), e.getMessage());
        assertNull(e.commandId());
    }

    @Test
    void validationProblemsAreAllListedWithTheCommandId() {
        InvalidCommandException e = invalid("{\"id\":\"erp-9\",\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"Tsr\":\""
                + "T".repeat(31) + "\",\"PayType\":\"1\"}}");
        assertEquals("erp-9", e.commandId());
        assertEquals(List.of("Tsr maxLength", "PayType allowed"),
                e.violations().stream().map(v -> v.field() + " " + v.rule()).toList());
        assertTrue(e.getMessage().startsWith("B2CInvoice/TriggerIssue: Tsr is 31 characters"), e.getMessage());
    }

    @Test
    void idsAreLimitedInLength() {
        InvalidCommandException e = invalid("{\"id\":\"" + "x".repeat(101) + "\",\"operation\":\"B2CInvoice/TriggerIssue\","
                + "\"data\":{\"Tsr\":\"T1\",\"PayType\":\"2\"}}");
        assertEquals("id", e.field());
        assertEquals("maxLength", e.violations().get(0).rule());
        parse("{\"id\":\"" + "x".repeat(100) + "\",\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"Tsr\":\"T1\",\"PayType\":\"2\"}}");
    }

    @Test
    void aQueryByInvoiceNumberIsKeyedByItsAlternativeBusinessKey() {
        String byNumber = "\"operation\":\"B2CInvoice/GetIssue\",\"data\":{\"InvoiceNo\":\"LA25008605\",\"InvoiceDate\":\"2026-08-15\"}";
        assertEquals("B2CInvoice/GetIssue:2000132:LA25008605:2026-08-15", parse("{" + byNumber + "}").id());
        assertEquals("q-1", parse("{\"id\":\"q-1\"," + byNumber + "}").id());
    }

    @Test
    void aCommandSurvivesItsOwnJsonLine() {
        Command c = parse("{\"operation\":\"B2CInvoice/UpdateInvoiceWordStatus\",\"data\":{\"TrackID\":\"1123456\",\"InvoiceStatus\":\"0\"}}");
        String line = c.toJson();
        assertTrue(line.contains("\"InvoiceStatus\":0"), line);
        assertEquals(c, parse(line));
    }

    @Test
    void theCallersJsonIsNotModified() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("{\"operation\":\"B2CInvoice/UpdateInvoiceWordStatus\",\"data\":{\"TrackID\":\"1\",\"InvoiceStatus\":\"2\"}}");
        String before = root.toString();
        Command.from(root, CATALOG, DEFAULT_MERCHANT);
        assertEquals(before, root.toString());
    }

    @Test
    void twoMerchantsMayUseTheSameRelateNumberWithoutBeingTakenForDuplicates() {
        String data = "\"data\":{\"Tsr\":\"T1\",\"PayType\":\"2\"}}";
        Command a = parse("{\"operation\":\"B2CInvoice/TriggerIssue\",\"merchantId\":\"3000001\"," + data);
        Command b = parse("{\"operation\":\"B2CInvoice/TriggerIssue\",\"merchantId\":\"3000002\"," + data);
        assertEquals("B2CInvoice/TriggerIssue:3000001:T1", a.id());
        assertEquals("B2CInvoice/TriggerIssue:3000002:T1", b.id());
    }

    @Test
    void aNumberBeyondEveryDecimalIsATypeViolationNotACrash() {
        InvalidCommandException e = invalid("{\"operation\":\"B2CInvoice/UpdateInvoiceWordStatus\","
                + "\"data\":{\"TrackID\":\"1123456\",\"InvoiceStatus\":1e999}}");
        assertEquals("InvoiceStatus", e.field());
        assertEquals("type", e.violations().get(0).rule());
        assertTrue(e.getMessage().contains("not a finite number"), e.getMessage());
    }
}
