package tw.einvoice.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.UUID;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tw.einvoice.protocol.LookupComparison;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.FaultRule;

/**
 * The B2C operations of issue 12 through the real {@code ecpay-call} route, the real beans and the real
 * {@code config/application.properties}, against the local sandbox: each operation's request is built, encrypted,
 * answered and classified as in production.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml",
                "journal.url=jdbc:h2:mem:b2c-operations-route;DB_CLOSE_DELAY=-1",
                "camel.component.http.response-timeout=1500", "camel.component.http.so-timeout=1500"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class B2COperationsRouteTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String STAGE = "2000132";
    // started before the Camel context is built, which reads ecpay.base-url from this system property
    static final EcpaySandbox SANDBOX = EcpaySandbox.builder().start();

    static {
        System.setProperty("ecpay.base-url", SANDBOX.baseUrl());
    }

    @BeanInject
    CamelContext context;

    ProducerTemplate template;

    @BeforeEach
    void setUp() {
        if (template == null) {
            template = context.createProducerTemplate();
        }
    }

    @AfterAll
    static void stopSandbox() {
        System.clearProperty("ecpay.base-url");
        SANDBOX.close();
    }

    // ------------------------------------------------------------------ data checks

    @Test
    void checkBarcodeAnswersWhetherTheBarcodeIsRegistered() throws Exception {
        Exchange known = call("B2CInvoice/CheckBarcode", "{\"BarCode\":\"/ABC+123\"}");
        assertOutcome(known, "SUCCESS", 1);
        assertEquals("Y", body(known).path("IsExist").asText());
        assertEquals("N", body(call("B2CInvoice/CheckBarcode", "{\"BarCode\":\"/ZZZ9999\"}")).path("IsExist").asText());
    }

    @Test
    void checkLoveCodeNamesTheOrganisation() throws Exception {
        Exchange known = call("B2CInvoice/CheckLoveCode", "{\"LoveCode\":\"168001\"}");
        assertOutcome(known, "SUCCESS", 1);
        assertEquals("Y", body(known).path("IsExist").asText());
        assertEquals("沙盒愛心基金會 168001", body(known).path("OrganName").asText());
        Exchange unknown = call("B2CInvoice/CheckLoveCode", "{\"LoveCode\":\"9999999\"}");
        assertOutcome(unknown, "SUCCESS", 1);
        assertEquals("N", body(unknown).path("IsExist").asText());
    }

    /** paid-tw live stage: 97025978 is ECPay's company, 00000000 has no data (7), 12345678 fails the check digit (1200125). */
    @Test
    void getCompanyNameByTaxIdAnswersTheNameNoDataOrABadCheckDigit() throws Exception {
        Exchange ecpay = call("B2CInvoice/GetCompanyNameByTaxID", "{\"UnifiedBusinessNo\":\"97025978\"}");
        assertOutcome(ecpay, "SUCCESS", 1);
        assertEquals("綠界科技股份有限公司", body(ecpay).path("CompanyName").asText());
        assertOutcome(call("B2CInvoice/GetCompanyNameByTaxID", "{\"UnifiedBusinessNo\":\"00000000\"}"), "SUCCESS", 7);
        assertOutcome(call("B2CInvoice/GetCompanyNameByTaxID", "{\"UnifiedBusinessNo\":\"12345678\"}"), "DEAD", 1200125);
    }

    // ------------------------------------------------------------------ editing, reissuing, listing, notifying, printing

    static String issueData(String relate, int amount, String extra) {
        return """
            {"RelateNumber":"%s","CustomerEmail":"buyer@example.com","Print":"0","Donation":"0","TaxType":"1","SalesAmount":%d,
             "InvType":"07"%s,"Items":[{"ItemSeq":1,"ItemName":"茶葉","ItemCount":1,"ItemWord":"包","ItemPrice":%d,"ItemAmount":%d}]}"""
                .formatted(relate, amount, extra, amount, amount);
    }

    /** ECPay 47979: a staged invoice takes new Data until it is issued; an unknown Tsr is 4000001 (paid-tw, live). */
    @Test
    void editDelayIssueReplacesAStagedInvoiceUntilItIsIssued() throws Exception {
        String relate = unique("R");
        String tsr = unique("T");
        String delay = issueData(relate, 100, ",\"DelayFlag\":\"2\",\"DelayDay\":0,\"Tsr\":\"" + tsr + "\",\"PayType\":\"2\",\"PayAct\":\"ECPAY\"");
        assertOutcome(call("B2CInvoice/DelayIssue", delay), "SUCCESS", 1);
        Exchange edited = call("B2CInvoice/EditDelayIssue", issueData(relate, 250, ",\"Tsr\":\"" + tsr + "\""));
        assertOutcome(edited, "SUCCESS", 1);
        assertTrue(body(edited).path("OrderNumber").asText().startsWith("SBX"));
        assertOutcome(call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"" + tsr + "\",\"PayType\":\"2\"}"), "SUCCESS", 4000004);
        assertEquals(250, body(call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"" + relate + "\"}")).path("IIS_Sales_Amount").asInt());
        assertOutcome(call("B2CInvoice/EditDelayIssue", issueData(relate, 300, ",\"Tsr\":\"" + tsr + "\"")), "DEAD", 4000006);
        assertOutcome(call("B2CInvoice/EditDelayIssue", issueData(unique("R"), 300, ",\"Tsr\":\"NOPE" + unique("") + "\"")), "DEAD", 4000001);
    }

    /** ECPay 7918; paid-tw live: the number, RelateNumber and time stay, the content and random number change. */
    @Test
    void voidWithReIssueKeepsTheNumberAndTakesTheNewContent() throws Exception {
        String relate = unique("R");
        Exchange issued = call("B2CInvoice/Issue", issueData(relate, 100, ""));
        String number = body(issued).path("InvoiceNo").asText();
        String time = body(issued).path("InvoiceDate").asText();
        String reissue = "{\"VoidModel\":{\"InvoiceNo\":\"" + number + "\",\"VoidReason\":\"金額錯誤\"},\"IssueModel\":"
                + issueData(relate, 80, ",\"InvoiceDate\":\"" + time + "\"") + "}";
        Exchange done = call("B2CInvoice/VoidWithReIssue", reissue);
        assertOutcome(done, "SUCCESS", 1);
        assertEquals(number, body(done).path("InvoiceNo").asText());
        assertEquals(time, body(done).path("InvoiceDate").asText());
        assertEquals(1, SANDBOX.ledger().reissues(STAGE, number));
        JsonNode now = body(call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"" + relate + "\"}"));
        assertEquals(80, now.path("IIS_Sales_Amount").asInt());
        assertEquals("0", now.path("IIS_Invalid_Status").asText());
        assertEquals(body(done).path("RandomNumber").asText(), now.path("IIS_Random_Number").asText());
        // the catalog's lookup finds the reissued content
        Operation op = OperationCatalog.standard().get("B2CInvoice/VoidWithReIssue");
        ObjectNode data = (ObjectNode) JSON.readTree(reissue);
        Exchange lookup = call(op.adoptWith().operation(), OperationCatalog.standard().lookupQuery(op, data, STAGE).toString());
        assertEquals(List.of(), LookupComparison.differences(op.adoptWith(), data, body(lookup)));
        assertEquals(List.of("IssueModel.SalesAmount 70 here, 80 at ECPay", "IssueModel.Items[1].ItemPrice 70 here, 80 at ECPay",
                "IssueModel.Items[1].ItemAmount 70 here, 80 at ECPay"), LookupComparison.differences(op.adoptWith(),
                JSON.readTree(reissue.replace(":80", ":70")), body(lookup)));

        assertOutcome(call("B2CInvoice/VoidWithReIssue", reissue), "DEAD", 5070461);
        assertOutcome(call("B2CInvoice/VoidWithReIssue", reissue.replace(relate, unique("R"))), "DEAD", 5070460);
        // IssueModel is checked as an Issue is, before anything is sent
        assertEquals("B2CInvoice/VoidWithReIssue: IssueModel.SalesAmount is 81, but the Items[].ItemAmount values add up to 80: "
                + "SalesAmount is the items' total, rounded half up",
                refused("B2CInvoice/VoidWithReIssue", reissue.replace("\"SalesAmount\":80", "\"SalesAmount\":81")));
    }

    /** ECPay 17229; paid-tw live: GetIssueList answers Data as plain JSON, which the call reads as it is. */
    @Test
    void getIssueListPagesThroughTheDaysInvoicesFromItsPlainReply() throws Exception {
        String first = body(call("B2CInvoice/Issue", issueData(unique("R"), 100, ""))).path("InvoiceNo").asText();
        String second = body(call("B2CInvoice/Issue", issueData(unique("R"), 100, ""))).path("InvoiceNo").asText();
        String today = java.time.LocalDate.now(java.time.ZoneId.of("Asia/Taipei")).toString();
        Exchange page = call("B2CInvoice/GetIssueList", "{\"BeginDate\":\"" + today + "\",\"EndDate\":\"" + today
                + "\",\"NumPerPage\":200,\"ShowingPage\":1,\"DataType\":\"1\"}");
        assertOutcome(page, "SUCCESS", 1);
        List<String> numbers = new java.util.ArrayList<>();
        body(page).path("InvoiceData").forEach(r -> numbers.add(r.path("IIS_Number").asText()));
        assertTrue(numbers.indexOf(second) < numbers.indexOf(first) && numbers.indexOf(second) >= 0, "newest first: " + numbers);
        assertTrue(body(page).path("TotalCount").asInt() >= 2);
        Exchange one = call("B2CInvoice/GetIssueList", "{\"BeginDate\":\"" + today + "\",\"EndDate\":\"" + today
                + "\",\"NumPerPage\":1,\"ShowingPage\":2,\"DataType\":\"1\"}");
        assertEquals(1, body(one).path("InvoiceData").size());
        assertEquals(2, body(one).path("ShowingPage").asInt());
    }

    /** ECPay 7938; paid-tw: the notice needs what it announces (a void, an allowance); an online allowance's goes by e-mail. */
    @Test
    void invoiceNotifyAnnouncesWhatTheInvoiceHas() throws Exception {
        String[] invoice = issue();
        String notify = "{\"InvoiceNo\":\"" + invoice[0] + "\",\"NotifyMail\":\"buyer@example.com\",\"Notify\":\"E\",\"Notified\":\"C\","
                + "\"InvoiceTag\":\"%s\"%s}";
        assertOutcome(call("B2CInvoice/InvoiceNotify", notify.formatted("I", "")), "SUCCESS", 1);
        assertEquals(1, SANDBOX.ledger().notifications(STAGE, invoice[0], "I"));
        assertOutcome(call("B2CInvoice/InvoiceNotify", notify.formatted("II", "")), "DEAD", 1600005);
        assertOutcome(call("B2CInvoice/InvoiceNotify", notify.formatted("AW", "")), "DEAD", 1600005);
        String allowanceNo = body(call("B2CInvoice/Allowance", allowance(invoice, 10))).path("IA_Allow_No").asText();
        assertOutcome(call("B2CInvoice/InvoiceNotify", notify.formatted("A", ",\"AllowanceNo\":\"" + allowanceNo + "\"")), "SUCCESS", 1);
        assertEquals("B2CInvoice/InvoiceNotify: Notify is 'S', allowed when InvoiceTag is OA: E: an online allowance's notice goes to the "
                + "buyer by e-mail", refused("B2CInvoice/InvoiceNotify", notify.replace("\"Notify\":\"E\"",
                "\"Notify\":\"S\",\"Phone\":\"0912345678\"").formatted("OA", ",\"AllowanceNo\":\"" + allowanceNo + "\"")));
    }

    /** ECPay 7949; paid-tw live: a printed invoice has a print page; a carrier invoice is not printed. */
    @Test
    void invoicePrintLinksToThePrintPageOfAPrintedInvoice() throws Exception {
        Exchange printed = call("B2CInvoice/Issue", issueData(unique("R"), 100, ",\"CustomerName\":\"王小明\",\"CustomerAddr\":\"台北市\"")
                .replace("\"Print\":\"0\"", "\"Print\":\"1\""));
        String number = body(printed).path("InvoiceNo").asText();
        String date = body(printed).path("InvoiceDate").asText();
        Exchange link = call("B2CInvoice/InvoicePrint", "{\"InvoiceNo\":\"" + number + "\",\"InvoiceDate\":\"" + date
                + "\",\"PrintStyle\":2,\"IsShowingDetail\":1}");
        assertOutcome(link, "SUCCESS", 1);
        String url = body(link).path("InvoiceHtml").asText();
        assertEquals(SANDBOX.baseUrl() + "/print/" + number + "?style=2", url);
        java.net.http.HttpResponse<String> page = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains(number.substring(2)), page.body());
        assertOutcome(call("B2CInvoice/InvoicePrint", "{\"InvoiceNo\":\"" + number + "\",\"InvoiceDate\":\"" + date.substring(0, 10)
                + "\",\"PrintStyle\":4}"), "DEAD", 1000005);
        String carrier = body(call("B2CInvoice/Issue", issueData(unique("R"), 100, ",\"CarrierType\":\"1\""))).path("InvoiceNo").asText();
        assertOutcome(call("B2CInvoice/InvoicePrint", "{\"InvoiceNo\":\"" + carrier + "\",\"InvoiceDate\":\"" + date.substring(0, 10)
                + "\"}"), "DEAD", 1600003);
    }

    // ------------------------------------------------------------------ allowances (折讓)

    /** Issues a 100 invoice (two items of 50) and returns {InvoiceNo, InvoiceDate (date only), RelateNumber}. */
    String[] issue() throws Exception {
        String relate = unique("R");
        Exchange e = call("B2CInvoice/Issue", """
            {"RelateNumber":"%s","CustomerEmail":"buyer@example.com","Print":"0","Donation":"0","TaxType":"1","SalesAmount":100,
             "InvType":"07","Items":[{"ItemSeq":1,"ItemName":"茶葉","ItemCount":1,"ItemWord":"包","ItemPrice":50,"ItemAmount":50},
             {"ItemSeq":2,"ItemName":"茶杯","ItemCount":2,"ItemWord":"個","ItemPrice":25,"ItemAmount":50}]}""".formatted(relate));
        assertOutcome(e, "SUCCESS", 1);
        return new String[] {body(e).path("InvoiceNo").asText(), body(e).path("InvoiceDate").asText().substring(0, 10), relate};
    }

    static String allowance(String[] invoice, int amount) {
        return """
            {"InvoiceNo":"%s","InvoiceDate":"%s","AllowanceNotify":"E","NotifyMail":"buyer@example.com","AllowanceAmount":%d,
             "Reason":"退貨","Items":[{"ItemSeq":1,"ItemName":"茶杯","ItemCount":1,"ItemWord":"個","ItemPrice":%d,"ItemAmount":%d}]}"""
                .formatted(invoice[0], invoice[1], amount, amount, amount);
    }

    /** An allowance reduces what is left of the invoice; more than is left is refused; the invoice cannot be voided meanwhile. */
    @Test
    void anAllowanceTakesFromTheInvoiceUntilItIsVoidedAndBlocksVoidingTheInvoice() throws Exception {
        String[] invoice = issue();
        Exchange made = call("B2CInvoice/Allowance", allowance(invoice, 30));
        assertOutcome(made, "SUCCESS", 1);
        String allowanceNo = body(made).path("IA_Allow_No").asText();
        assertTrue(allowanceNo.matches("[0-9]{16}"), allowanceNo);
        assertEquals(70, body(made).path("IA_Remain_Allowance_Amt").asInt());
        assertEquals(70L, SANDBOX.ledger().remainingAllowance(STAGE, invoice[0]).orElseThrow());

        Exchange over = call("B2CInvoice/Allowance", allowance(invoice, 80));
        assertOutcome(over, "DEAD", 2000041);
        assertTrue(over.getMessage().getHeader(EcpayHeaders.REASON, String.class).contains("70"), "names what is left");
        Exchange byNumber = call("B2CInvoice/GetAllowanceList", "{\"SearchType\":\"0\",\"AllowanceNo\":\"" + allowanceNo + "\"}");
        assertOutcome(byNumber, "SUCCESS", 1);
        JsonNode row = body(byNumber).path("AllowanceInfo").get(0);
        assertEquals(invoice[0], row.path("IA_Invoice_No").asText());
        assertEquals(30, row.path("IA_Total_Tax_Amount").asInt());
        assertEquals("0", row.path("IA_Invalid_Status").asText());
        JsonNode byInvoice = body(call("B2CInvoice/GetAllowanceList",
                "{\"SearchType\":\"1\",\"InvoiceNo\":\"" + invoice[0] + "\",\"Date\":\"" + invoice[1] + "\"}"));
        assertEquals(allowanceNo, byInvoice.path("AllowanceInfo").get(0).path("IA_Allow_No").asText());

        String invalid = "{\"InvoiceNo\":\"" + invoice[0] + "\",\"InvoiceDate\":\"" + invoice[1] + "\",\"Reason\":\"取消\"}";
        assertOutcome(call("B2CInvoice/Invalid", invalid), "DEAD", 5070450);

        String allowanceInvalid = "{\"InvoiceNo\":\"" + invoice[0] + "\",\"AllowanceNo\":\"" + allowanceNo + "\",\"Reason\":\"金額錯誤\"}";
        assertOutcome(call("B2CInvoice/AllowanceInvalid", allowanceInvalid), "SUCCESS", 1);
        assertEquals(100L, SANDBOX.ledger().remainingAllowance(STAGE, invoice[0]).orElseThrow(), "restored");
        assertOutcome(call("B2CInvoice/AllowanceInvalid", allowanceInvalid), "ALREADY_DONE", 2000063);
        Exchange voided = call("B2CInvoice/GetAllowanceInvalid", "{\"InvoiceNo\":\"" + invoice[0] + "\",\"AllowanceNo\":\"" + allowanceNo + "\"}");
        assertOutcome(voided, "SUCCESS", 1);
        assertEquals("金額錯誤", body(voided).path("Reason").asText());
        assertEquals("1", body(call("B2CInvoice/GetAllowanceList", "{\"SearchType\":\"0\",\"AllowanceNo\":\"" + allowanceNo + "\"}"))
                .path("AllowanceInfo").get(0).path("IA_Invalid_Status").asText());

        assertOutcome(call("B2CInvoice/Invalid", invalid), "SUCCESS", 1);
        assertOutcome(call("B2CInvoice/Allowance", allowance(invoice, 10)), "DEAD", 2000040);
        assertOutcome(call("B2CInvoice/AllowanceInvalid", allowanceInvalid.replace(allowanceNo, "2000000000000000")), "DEAD", 2000039);
    }

    /** ECPay 15391 / 7913 / 7928: an online allowance holds its amount while the buyer decides; it can be cancelled until agreed. */
    @Test
    void anOnlineAllowanceWaitsForTheBuyerAndCanBeCancelledUntilAgreed() throws Exception {
        String[] invoice = issue();
        String online = allowance(invoice, 40).replaceFirst("\\{", "{\"ReturnURL\":\"https://erp.example.com/allowance\",");
        Exchange pending = call("B2CInvoice/AllowanceByCollegiate", online);
        assertOutcome(pending, "SUCCESS", 1);
        String first = body(pending).path("IA_Allow_No").asText();
        assertTrue(body(pending).path("IA_TempExpireDate").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"));
        assertEquals(60L, SANDBOX.ledger().remainingAllowance(STAGE, invoice[0]).orElseThrow(), "held while the buyer decides");
        String list = "{\"SearchType\":\"1\",\"InvoiceNo\":\"" + invoice[0] + "\",\"Date\":\"" + invoice[1] + "\"}";
        assertEquals(0, body(call("B2CInvoice/GetAllowanceList", list)).path("AllowanceInfo").size(), "not shown until agreed");
        String byNo = "{\"InvoiceNo\":\"" + invoice[0] + "\",\"AllowanceNo\":\"%s\",\"Reason\":\"買方未同意\"}";
        assertOutcome(call("B2CInvoice/AllowanceInvalid", byNo.formatted(first)), "DEAD", 2000042);
        assertOutcome(call("B2CInvoice/AllowanceInvalidByCollegiate", byNo.formatted(first)), "SUCCESS", 1);
        assertEquals("CANCELLED", SANDBOX.ledger().allowance(STAGE, first).orElseThrow().state());
        assertEquals(100L, SANDBOX.ledger().remainingAllowance(STAGE, invoice[0]).orElseThrow());

        String second = body(call("B2CInvoice/AllowanceByCollegiate", online)).path("IA_Allow_No").asText();
        assertTrue(SANDBOX.agreeOnlineAllowance(STAGE, second));
        assertEquals(1, body(call("B2CInvoice/GetAllowanceList", list)).path("AllowanceInfo").size());
        assertOutcome(call("B2CInvoice/AllowanceInvalidByCollegiate", byNo.formatted(second)), "DEAD", 5070250);
        Exchange paper = call("B2CInvoice/Allowance", allowance(invoice, 10));
        assertOutcome(call("B2CInvoice/AllowanceInvalidByCollegiate", byNo.formatted(body(paper).path("IA_Allow_No").asText())), "DEAD", 2000043);
    }

    /** An Allowance that may have reached ECPay is never sent again: ECPay would make a second one. */
    @Test
    void anAllowanceThatMayHaveBeenSentIsNotSentAgainAndTheLookupShowsWhetherItWasDone() throws Exception {
        String[] invoice = issue();
        long before = SANDBOX.ledger().requests("B2CInvoice/Allowance");
        String command = "{\"id\":\"" + unique("cmd") + "\",\"operation\":\"B2CInvoice/Allowance\",\"data\":" + allowance(invoice, 20) + "}";
        Exchange again = template.request("direct:ecpay-call", e -> {
            e.getMessage().setBody(command);
            e.getMessage().setHeader(EcpayHeaders.MAYBE_SENT_BEFORE, true);
        });
        assertTrue(again.getException() instanceof tw.einvoice.protocol.InvalidCommandException, String.valueOf(again.getException()));
        assertTrue(again.getException().getMessage().contains("check with B2CInvoice/GetAllowanceList"), again.getException().getMessage());
        assertEquals(before, SANDBOX.ledger().requests("B2CInvoice/Allowance"), "nothing was sent");

        // no reply: DEAD, naming the lookup
        SANDBOX.addFault(FaultRule.always("B2CInvoice/Allowance", FaultRule.Kind.WORK_DONE_DROP));
        Exchange lost;
        try {
            lost = call("B2CInvoice/Allowance", allowance(invoice, 20));
        } finally {
            SANDBOX.clearFaults();
        }
        assertEquals("DEAD", lost.getMessage().getHeader(EcpayHeaders.OUTCOME, String.class));
        assertTrue(lost.getMessage().getHeader(EcpayHeaders.REASON, String.class).contains("check with B2CInvoice/GetAllowanceList"));
        assertEquals(80L, SANDBOX.ledger().remainingAllowance(STAGE, invoice[0]).orElseThrow(), "ECPay did it although no reply came");
        // the catalog's lookup finds it: the same amount and items, not voided
        Operation op = OperationCatalog.standard().get("B2CInvoice/Allowance");
        ObjectNode data = (ObjectNode) JSON.readTree(allowance(invoice, 20));
        Exchange found = call(op.adoptWith().operation(), OperationCatalog.standard().lookupQuery(op, data, STAGE).toString());
        assertOutcome(found, "SUCCESS", 1);
        assertEquals(List.of(), LookupComparison.differences(op.adoptWith(), data, body(found)));
        assertEquals(20, LookupComparison.match(op.adoptWith(), data, body(found)).path("IA_Total_Tax_Amount").asInt());
        data = (ObjectNode) JSON.readTree(allowance(invoice, 25));
        assertEquals(1, LookupComparison.differences(op.adoptWith(), data, body(found)).size(), "another amount is not it");
    }

    /** The lookups that prove Invalid and AllowanceInvalid after their "already done" answers. */
    @Test
    void theLookupsBehindAlreadyDoneShowTheVoid() throws Exception {
        OperationCatalog catalog = OperationCatalog.standard();
        String[] invoice = issue();
        ObjectNode made = (ObjectNode) body(call("B2CInvoice/Allowance", allowance(invoice, 10)));
        ObjectNode allowanceInvalid = (ObjectNode) JSON.readTree("{\"InvoiceNo\":\"" + invoice[0] + "\",\"AllowanceNo\":\""
                + made.path("IA_Allow_No").asText() + "\",\"Reason\":\"錯誤\"}");
        Operation ai = catalog.get("B2CInvoice/AllowanceInvalid");
        assertOutcome(call("B2CInvoice/AllowanceInvalid", allowanceInvalid.toString()), "SUCCESS", 1);
        Exchange aiLookup = call(ai.adoptWith().operation(), catalog.lookupQuery(ai, allowanceInvalid, STAGE).toString());
        assertEquals(List.of(), LookupComparison.differences(ai.adoptWith(), allowanceInvalid, body(aiLookup)));

        ObjectNode invalid = (ObjectNode) JSON.readTree("{\"InvoiceNo\":\"" + invoice[0] + "\",\"InvoiceDate\":\"" + invoice[1]
                + "\",\"Reason\":\"取消\"}");
        Operation inv = catalog.get("B2CInvoice/Invalid");
        Exchange notYet = call(inv.adoptWith().operation(), catalog.lookupQuery(inv, invalid, STAGE).toString());
        assertEquals(List.of("IIS_Invalid_Status 0 at ECPay, 1 expected"), LookupComparison.differences(inv.adoptWith(), invalid, body(notYet)));
        assertOutcome(call("B2CInvoice/Invalid", invalid.toString()), "SUCCESS", 1);
        Exchange done = call(inv.adoptWith().operation(), catalog.lookupQuery(inv, invalid, STAGE).toString());
        assertEquals(List.of(), LookupComparison.differences(inv.adoptWith(), invalid, body(done)));
    }

    // ------------------------------------------------------------------ word settings (字軌)

    static String rocYear(int offset) {
        return Integer.toString(java.time.LocalDate.now(java.time.ZoneId.of("Asia/Taipei")).getYear() - 1911 + offset);
    }

    @Test
    void getGovInvoiceWordSettingListsThisYearsAllotmentAndRefusesOtherYears() throws Exception {
        Exchange e = call("B2CInvoice/GetGovInvoiceWordSetting", "{\"InvoiceYear\":\"" + rocYear(0) + "\"}");
        assertOutcome(e, "SUCCESS", 1);
        JsonNode info = body(e).path("InvoiceInfo");
        assertEquals(6, info.size());
        assertEquals("GA", info.get(0).path("InvoiceHeader").asText());
        assertEquals(10, info.get(0).path("Number").asInt());
        assertOutcome(call("B2CInvoice/GetGovInvoiceWordSetting", "{\"InvoiceYear\":\"" + rocYear(1) + "\"}"), "DEAD", 7);
        assertOutcome(call("B2CInvoice/GetGovInvoiceWordSetting", "{\"InvoiceYear\":\"" + rocYear(-5) + "\"}"), "DEAD", 1100042);
    }

    /** ECPay 7870: a new track is approved but not enabled; UpdateInvoiceWordStatus enables it; its range cannot be added twice. */
    @Test
    void anAddedTrackIsListedNotEnabledUntilItsStatusIsSetAndCannotBeAddedTwice() throws Exception {
        String header = "W" + (char) ('A' + new java.util.Random().nextInt(26));
        String add = "{\"InvoiceYear\":\"" + rocYear(0) + "\",\"InvoiceTerm\":3,\"InvType\":\"07\",\"InvoiceCategory\":1,"
                + "\"InvoiceHeader\":\"" + header + "\",\"InvoiceStart\":\"10000050\",\"InvoiceEnd\":\"10000149\"}";
        Exchange added = call("B2CInvoice/AddInvoiceWordSetting", add);
        assertOutcome(added, "SUCCESS", 1);
        String trackId = body(added).path("TrackID").asText();
        String list = "{\"InvoiceYear\":\"" + rocYear(0) + "\",\"InvoiceTerm\":3,\"UseStatus\":0,\"InvoiceCategory\":1,"
                + "\"InvoiceHeader\":\"" + header + "\"}";
        JsonNode track = body(call("B2CInvoice/GetInvoiceWordSetting", list)).path("InvoiceInfo").get(0);
        assertEquals(trackId, track.path("TrackID").asText());
        assertEquals("10000050", track.path("InvoiceStart").asText());
        assertEquals(1, track.path("UseStatus").asInt(), "approved, not enabled");

        assertOutcome(call("B2CInvoice/UpdateInvoiceWordStatus", "{\"TrackID\":\"" + trackId + "\",\"InvoiceStatus\":2}"), "SUCCESS", 1);
        assertEquals(2, body(call("B2CInvoice/GetInvoiceWordSetting", list)).path("InvoiceInfo").get(0).path("UseStatus").asInt());

        assertOutcome(call("B2CInvoice/AddInvoiceWordSetting", add.replace("10000149", "10000199")), "DEAD", 1100043);
        // the lookup the catalog names for AddInvoiceWordSetting finds the track added
        tw.einvoice.protocol.Operation op = OperationCatalog.standard().get("B2CInvoice/AddInvoiceWordSetting");
        com.fasterxml.jackson.databind.node.ObjectNode data = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(add);
        Exchange lookup = call(op.adoptWith().operation(), OperationCatalog.standard().lookupQuery(op, data, "2000132").toString());
        assertOutcome(lookup, "SUCCESS", 1);
        assertEquals(trackId, LookupComparison.match(op.adoptWith(), data, body(lookup)).path("TrackID").asText());
        data.put("InvoiceEnd", "10000199");
        assertEquals(1, LookupComparison.differences(op.adoptWith(), data, body(lookup)).size());
    }

    // ------------------------------------------------------------------ helpers

    static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    Exchange call(String operation, String data) {
        return call(operation, data, false);
    }

    Exchange call(String operation, String data, boolean maybeSentBefore) {
        String command = "{\"id\":\"" + unique("cmd") + "\",\"operation\":\"" + operation + "\",\"data\":" + data + "}";
        Exchange out = template.request("direct:ecpay-call", e -> {
            e.getMessage().setBody(command);
            if (maybeSentBefore) {
                e.getMessage().setHeader(EcpayHeaders.MAYBE_SENT_BEFORE, true);
            }
        });
        assertNull(out.getException(), "the route reports outcomes in headers, it does not throw");
        return out;
    }

    /** A command the product refuses before sending it: the refusal's message, and nothing reached the sandbox. */
    String refused(String operation, String data) {
        long before = SANDBOX.ledger().requests(operation);
        String command = "{\"id\":\"" + unique("cmd") + "\",\"operation\":\"" + operation + "\",\"data\":" + data + "}";
        Exchange out = template.request("direct:ecpay-call", e -> e.getMessage().setBody(command));
        assertTrue(out.getException() instanceof tw.einvoice.protocol.InvalidCommandException, String.valueOf(out.getException()));
        assertEquals(before, SANDBOX.ledger().requests(operation));
        return out.getException().getMessage();
    }

    static JsonNode body(Exchange e) throws Exception {
        return JSON.readTree(e.getMessage().getBody(String.class));
    }

    static void assertOutcome(Exchange e, String verdict, Integer rtnCode) {
        String said = e.getMessage().getHeaders().toString();
        assertEquals(verdict, e.getMessage().getHeader(EcpayHeaders.OUTCOME, String.class), said);
        assertEquals(200, e.getMessage().getHeader(EcpayHeaders.HTTP_STATUS, Integer.class), said);
        assertEquals(1, e.getMessage().getHeader(EcpayHeaders.TRANS_CODE, Integer.class), said);
        assertEquals(rtnCode, e.getMessage().getHeader(EcpayHeaders.RTN_CODE, Integer.class), said);
    }
}
