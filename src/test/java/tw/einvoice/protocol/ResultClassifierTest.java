package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The result table of ecpay-protocol.md §6, row by row, and user overrides of it. */
class ResultClassifierTest {

    static final OperationCatalog CATALOG = OperationCatalog.standard();
    static final ResultClassifier DEFAULTS = new ResultClassifier(ResultTable.defaults());

    static final String ISSUE = "B2CInvoice/Issue";
    static final String GET_INVALID = "B2CInvoice/GetInvalid";
    static final String TRIGGER = "B2CInvoice/TriggerIssue";
    static final String INVALID = "B2CInvoice/Invalid";

    static Outcome classify(String operation, CallResult r) {
        return DEFAULTS.classify(CATALOG.get(operation), r, false);
    }

    static CallResult http(int status) {
        return new CallResult(null, status, null, null, null, null);
    }

    static CallResult trans(int status, int transCode, String transMsg) {
        return new CallResult(null, status, transCode, transMsg, null, null);
    }

    static CallResult rtn(int rtnCode, String rtnMsg) {
        return new CallResult(null, 200, 1, "Success", rtnCode, rtnMsg);
    }

    static void assertOutcome(Outcome o, Verdict verdict, Duration after, boolean pause, boolean alert) {
        assertEquals(verdict, o.verdict(), o.reason());
        assertEquals(after, o.retryAfter(), o.reason());
        assertEquals(pause, o.pauseMerchant(), "pause: " + o.reason());
        assertEquals(alert, o.alert(), "alert: " + o.reason());
        assertFalse(o.reason().isBlank());
    }

    // ---- TransCode layer ----

    @Test
    void transCode104IsRetriedWithAFreshTimestampAndAlerts() {
        Outcome o = classify(ISSUE, trans(200, 104, "Timestamp is over 10 minutes than it just produced."));
        assertOutcome(o, Verdict.RETRY, Duration.ZERO, false, true);
        assertTrue(o.reason().contains("clock"), o.reason());
        assertTrue(o.reason().contains("TransCode 104: Timestamp is over 10 minutes"), o.reason());
    }

    @Test
    void transCode110WithHttp500IsAWrongKeyDeadLetter() {
        Outcome o = classify(ISSUE, trans(500, 110, "Data decrypt failed"));
        assertOutcome(o, Verdict.DEAD, Duration.ZERO, false, true);
        assertTrue(o.reason().contains("HashKey/HashIV"), o.reason());
        assertOutcome(classify(GET_INVALID, trans(500, 110, "")), Verdict.DEAD, Duration.ZERO, false, true);
    }

    @Test
    void transCode115IsADeadLetter() {
        Outcome o = classify(TRIGGER, trans(200, 115, ""));
        assertOutcome(o, Verdict.DEAD, Duration.ZERO, false, true);
        assertTrue(o.reason().contains("not enabled"), o.reason());
        assertTrue(o.reason().contains("(no message)"), o.reason());
    }

    @Test
    void anUnlistedTransCodeIsADeadLetterWithEcpaysMessage() {
        Outcome o = classify(ISSUE, trans(200, 120, "MerchantID error"));
        assertOutcome(o, Verdict.DEAD, Duration.ZERO, false, false);
        assertEquals("TransCode 120: MerchantID error", o.reason());
    }

    // ---- RtnCode layer ----

    @Test
    void rtnCode9000001IsRetriedLater() {
        Outcome o = classify(ISSUE, rtn(9000001, "財政部平台異常"));
        assertOutcome(o, Verdict.RETRY, Duration.ofMinutes(5), false, false);
        assertTrue(o.reason().contains("Ministry of Finance") && o.reason().contains("RtnCode 9000001: 財政部平台異常"), o.reason());
    }

    @Test
    void rtnCode9999999IsRetriedLater() {
        assertOutcome(classify(TRIGGER, rtn(9999999, "系統錯誤")), Verdict.RETRY, Duration.ofMinutes(1), false, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"系統忙碌", "系統忙碌，請稍後再試", "請稍後再試", "發票開立失敗\r\n系統忙碌"})
    void systemBusyInRtnMsgIsRetriedWhateverTheCode(String message) {
        Outcome o = classify(ISSUE, rtn(10000099, message));
        assertOutcome(o, Verdict.RETRY, Duration.ofMinutes(1), false, false);
        assertFalse(o.reason().contains("\r\n"), "multi-line RtnMsg is joined: " + o.reason());
    }

    @Test
    void trackNumbersUsedUpIsADeadLetterWithAnAlert() {
        Outcome o = classify(ISSUE, rtn(1100040, "字軌號碼已用完"));
        assertOutcome(o, Verdict.DEAD, Duration.ZERO, false, true);
        assertTrue(o.reason().contains("track"), o.reason());
    }

    @Test
    void aReusedRelateNumberIsLookedUpWhetherOrNotAnEarlierAttemptIsOnRecord() {
        CallResult dup = rtn(5070357, "B2C開立發票 自訂編號重覆，請重新設定");
        Outcome fresh = DEFAULTS.classify(CATALOG.get(ISSUE), dup, false);
        assertOutcome(fresh, Verdict.ALREADY_DONE, Duration.ZERO, false, false);
        assertTrue(fresh.reason().contains("no earlier attempt of this command is on record") && fresh.reason().contains("自訂編號重覆"),
                fresh.reason());
        // an operation without a lookup cannot check: a key refused before any attempt of ours stays a dead letter
        Outcome staged = DEFAULTS.classify(CATALOG.get("B2CInvoice/DelayIssue"), rtn(4000002, "交易單號重覆"), false);
        assertOutcome(staged, Verdict.DEAD, Duration.ZERO, false, false);
        Outcome again = DEFAULTS.classify(CATALOG.get(ISSUE), dup, true);
        assertOutcome(again, Verdict.ALREADY_DONE, Duration.ZERO, false, false);
        assertTrue(again.verdict().isDone());
    }

    @Test
    void anAlreadyVoidedInvoiceIsDone() {
        assertOutcome(classify(INVALID, rtn(5070453, "發票已作廢過")), Verdict.ALREADY_DONE, Duration.ZERO, false, false);
        assertOutcome(DEFAULTS.classify(CATALOG.get(INVALID), rtn(5070453, "發票已作廢過"), true),
                Verdict.ALREADY_DONE, Duration.ZERO, false, false);
        // the same code means nothing special to another operation
        assertOutcome(classify(ISSUE, rtn(5070453, "?")), Verdict.DEAD, Duration.ZERO, false, false);
    }

    @Test
    void triggerIssueSucceedsWith4000003Or4000004AndNotWith1() {
        assertOutcome(classify(TRIGGER, rtn(4000003, "延後開立成功")), Verdict.SUCCESS, Duration.ZERO, false, false);
        assertOutcome(classify(TRIGGER, rtn(4000004, "開立發票成功")), Verdict.SUCCESS, Duration.ZERO, false, false);
        assertEquals(Verdict.DEAD, classify(TRIGGER, rtn(1, "成功")).verdict());
        assertEquals(Verdict.SUCCESS, classify(ISSUE, rtn(1, "開立發票成功")).verdict());
        assertEquals(Verdict.DEAD, classify(ISSUE, rtn(4000004, "?")).verdict());
    }

    /** 4000001 is also "no such Tsr": never done by itself, always looked up (the dispatcher decides on the lookup). */
    @Test
    void anUnknownOrUsedTsrIsLookedUpWhetherOrNotAnEarlierAttemptMayHaveTriggeredIt() {
        CallResult used = rtn(4000001, "查無此交易單號或已開立");
        Outcome fresh = DEFAULTS.classify(CATALOG.get(TRIGGER), used, false);
        assertOutcome(fresh, Verdict.ALREADY_DONE, Duration.ZERO, false, false);
        assertTrue(fresh.reason().contains("looking up what ECPay holds under Tsr"), fresh.reason());
        assertOutcome(DEFAULTS.classify(CATALOG.get(TRIGGER), used, true), Verdict.ALREADY_DONE, Duration.ZERO, false, false);
        assertEquals(Verdict.ALREADY_DONE, DEFAULTS.classify(CATALOG.get("B2CInvoice/CancelDelayIssue"), rtn(5070305, "?"), true).verdict());
        for (String name : List.of(TRIGGER, "B2CInvoice/CancelDelayIssue")) {
            assertNotNull(CATALOG.get(name).adoptWith(), name + " is proven by a lookup");
        }
    }

    @Test
    void otherBusinessErrorsAreDeadLettersCarryingRtnMsg() {
        Outcome o = classify(ISSUE, rtn(5000022, "發票金額計算錯誤\r\n請確認"));
        assertOutcome(o, Verdict.DEAD, Duration.ZERO, false, false);
        assertEquals("RtnCode 5000022: 發票金額計算錯誤 / 請確認", o.reason());
    }

    @Test
    void envelopeAcceptedButNoRtnCodeMightHaveBeenDone() {
        CallResult noRtn = new CallResult(null, 200, 1, "Success", null, null);
        assertEquals(Verdict.UNKNOWN, classify(ISSUE, noRtn).verdict());
        assertEquals(Verdict.RETRY, classify(GET_INVALID, noRtn).verdict());
    }

    // ---- HTTP layer ----

    @Test
    void http403PausesTheMerchantForThirtyMinutes() {
        Outcome o = classify(ISSUE, http(403));
        assertOutcome(o, Verdict.RETRY, Duration.ofMinutes(30), true, true);
        assertTrue(o.reason().contains("403"), o.reason());
        // also when a 403 carries an accepted envelope
        assertOutcome(classify(ISSUE, new CallResult(null, 403, 1, "", 1, "")), Verdict.RETRY, Duration.ofMinutes(30), true, true);
    }

    @Test
    void http503IsRetriedEvenForIssue() {
        assertOutcome(classify(ISSUE, http(503)), Verdict.RETRY, Duration.ofMinutes(1), false, false);
        assertOutcome(classify(GET_INVALID, http(503)), Verdict.RETRY, Duration.ofMinutes(1), false, false);
    }

    @ParameterizedTest
    @CsvSource({"500, UNKNOWN, RETRY", "502, UNKNOWN, RETRY", "504, UNKNOWN, RETRY", "599, UNKNOWN, RETRY", "200, UNKNOWN, RETRY"})
    void serverErrorsWithoutAnEnvelopeDependOnWhetherResendingIsSafe(int status, Verdict forIssue, Verdict forQuery) {
        assertEquals(forIssue, classify(ISSUE, http(status)).verdict());
        assertEquals(forIssue, classify(TRIGGER, http(status)).verdict());
        assertEquals(forQuery, classify(GET_INVALID, http(status)).verdict());
        assertEquals(forQuery, classify("B2CInvoice/UpdateInvoiceWordStatus", http(status)).verdict());
    }

    @Test
    void aWrongAddressIsAConfigurationProblem() {
        Outcome o = classify(ISSUE, http(404));
        assertOutcome(o, Verdict.DEAD, Duration.ZERO, false, true);
        assertEquals("HTTP 404 Not Found: no ECPay API at this address; check ecpay.base-url and the operation path", o.reason());
    }

    /** Issue 11: a 413 was reported as "check the base URL and operation path"; each status says what it is. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "400 | DEAD  | true  | HTTP 400 Bad Request: ",
        "401 | DEAD  | true  | HTTP 401 Unauthorized: ",
        "405 | DEAD  | true  | HTTP 405 Method Not Allowed: ",
        "408 | RETRY | false | HTTP 408 Request Timeout: ",
        "413 | DEAD  | false | HTTP 413 Payload Too Large: the request is bigger than ECPay takes",
        "414 | DEAD  | true  | HTTP 414 URI Too Long: ",
        "415 | DEAD  | true  | HTTP 415 Unsupported Media Type: ",
        "418 | DEAD  | true  | HTTP 418 client error: ",
        "451 | DEAD  | true  | HTTP 451 client error: ",
        "500 | UNKNOWN | false | HTTP 500 server error without an ECPay reply",
        "502 | UNKNOWN | false | HTTP 502 Bad Gateway: ",
        "503 | RETRY | false | HTTP 503 Service Unavailable: ",
    })
    void everyHttpStatusIsReportedAsWhatItIs(int status, Verdict verdict, boolean alert, String reasonStart) {
        Outcome o = classify(ISSUE, http(status));
        assertEquals(verdict, o.verdict(), o.reason());
        assertEquals(alert, o.alert(), o.reason());
        assertTrue(o.reason().startsWith(reasonStart), o.reason());
        if (status != 404) {
            assertFalse(o.reason().contains("operation path"), "only a 404 points at the address: " + o.reason());
        }
    }

    // ---- transport failures ----

    @Test
    void aRefusedConnectionNeverReachedEcpay() {
        for (String op : new String[] {ISSUE, TRIGGER, GET_INVALID}) {
            assertEquals(Verdict.RETRY, classify(op, CallResult.failed(new ConnectException("Connection refused"))).verdict(), op);
            assertEquals(Verdict.RETRY, classify(op, CallResult.failed(new UnknownHostException("einvoice.example"))).verdict(), op);
            // as a client library wraps it
            assertEquals(Verdict.RETRY, classify(op, CallResult.failed(new IOException("call failed",
                    new ConnectException("Connection refused")))).verdict(), op);
        }
        assertTrue(classify(ISSUE, CallResult.failed(new ConnectException("Connection refused"))).reason().contains("could not connect"));
    }

    @Test
    void aConnectTimeoutNeverReachedEcpay() {
        class ConnectTimeoutException extends SocketTimeoutException {
        }
        assertEquals(Verdict.RETRY, classify(ISSUE, CallResult.failed(new ConnectTimeoutException())).verdict());
    }

    @Test
    void aReadTimeoutMayHaveIssuedTheInvoice() {
        CallResult timeout = CallResult.failed(new SocketTimeoutException("Read timed out"));
        Outcome issue = classify(ISSUE, timeout);
        assertOutcome(issue, Verdict.UNKNOWN, Duration.ZERO, false, false);
        assertTrue(issue.reason().contains("may have been processed") && issue.reason().contains("Read timed out"), issue.reason());
        assertEquals(Verdict.UNKNOWN, classify(TRIGGER, timeout).verdict());
        assertEquals(Verdict.UNKNOWN, classify(INVALID, timeout).verdict());
        assertEquals(Verdict.RETRY, classify(GET_INVALID, timeout).verdict());
        assertEquals(Verdict.RETRY, classify("B2CInvoice/GetIssue", timeout).verdict());
    }

    @Test
    void aResetConnectionIsAmbiguousToo() {
        CallResult reset = CallResult.failed(new SocketException("Connection reset"));
        assertEquals(Verdict.UNKNOWN, classify(ISSUE, reset).verdict());
        assertEquals(Verdict.RETRY, classify(GET_INVALID, reset).verdict());
    }

    @Test
    void aSelfCausedExceptionDoesNotLoop() {
        Exception weird = new Exception("odd") {
            @Override
            public synchronized Throwable getCause() {
                return this;
            }
        };
        assertEquals(Verdict.UNKNOWN, classify(ISSUE, CallResult.failed(weird)).verdict());
    }

    // ---- overrides ----

    static ResultClassifier withOverrides(String properties) {
        return new ResultClassifier(ResultTable.defaults().withOverrides(new StringReader(properties), "test.properties"));
    }

    @Test
    void usersCanOverrideAndExtendTheTable() {
        ResultClassifier custom = withOverrides("""
                # a business error the ERP wants retried
                rtncode.5000022 = RETRY after=PT10M alert | amounts are recalculated overnight
                rtncode.9000001 = RETRY after=PT15M | Ministry platform down
                http.403 = retry after=PT1H pause-merchant | rate limited
                rtncode.2020001.B2CInvoice/Issue = DEAD alert | love code rejected
                rtnmsg.維護中 = RETRY after=PT2H | ECPay maintenance
                """);
        Operation issue = CATALOG.get(ISSUE);
        Outcome amounts = custom.classify(issue, rtn(5000022, "發票金額計算錯誤"), false);
        assertOutcome(amounts, Verdict.RETRY, Duration.ofMinutes(10), false, true);
        assertEquals("amounts are recalculated overnight (RtnCode 5000022: 發票金額計算錯誤)", amounts.reason());
        assertOutcome(custom.classify(issue, rtn(9000001, ""), false), Verdict.RETRY, Duration.ofMinutes(15), false, false);
        assertOutcome(custom.classify(issue, http(403), false), Verdict.RETRY, Duration.ofHours(1), true, false);
        assertOutcome(custom.classify(issue, rtn(2020001, "愛心碼錯誤"), false), Verdict.DEAD, Duration.ZERO, false, true);
        assertOutcome(custom.classify(CATALOG.get(INVALID), rtn(2020001, "愛心碼錯誤"), false), Verdict.DEAD, Duration.ZERO, false, false);
        assertOutcome(custom.classify(issue, rtn(10000001, "系統維護中"), false), Verdict.RETRY, Duration.ofHours(2), false, false);
        // what is not overridden keeps its default
        assertOutcome(custom.classify(issue, http(503), false), Verdict.RETRY, Duration.ofMinutes(1), false, false);
        // and the defaults themselves are untouched
        assertOutcome(DEFAULTS.classify(issue, rtn(5000022, "x"), false), Verdict.DEAD, Duration.ZERO, false, false);
    }

    @Test
    void theMostSpecificRtnMsgFragmentWins() {
        ResultClassifier custom = withOverrides("rtnmsg.請稍後 = DEAD | never retry this one\nrtnmsg.請稍後再開立 = RETRY after=PT3M | later\n");
        assertEquals(Duration.ofMinutes(3), custom.classify(CATALOG.get(ISSUE), rtn(10000001, "請稍後再開立"), false).retryAfter());
        assertEquals(Verdict.DEAD, custom.classify(CATALOG.get(ISSUE), rtn(10000001, "請稍後"), false).verdict());
    }

    @Test
    void catalogCodesComeBeforeTheTable() {
        // a table entry cannot turn TriggerIssue's success into something else by accident
        ResultClassifier custom = withOverrides("rtncode.4000004 = DEAD | nonsense\n");
        assertEquals(Verdict.SUCCESS, custom.classify(CATALOG.get(TRIGGER), rtn(4000004, ""), false).verdict());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rtncode.5000022 = MAYBE | rtncode.5000022 | 'MAYBE' is not one of",
        "rtncode.5000022 =       | rtncode.5000022 | is not one of",
        "rtncode.5000022 = RETRY after=10m | rtncode.5000022 | not an ISO-8601 duration",
        "rtncode.5000022 = RETRY soon | rtncode.5000022 | unknown word 'soon'",
        "rtncod.5000022 = RETRY | rtncod.5000022 | not a known kind of key",
        "rtncode.abc = RETRY | rtncode.abc | not a known kind of key",
        "http.40 = RETRY | http.40 | not a known kind of key",
        "rtncode.1.Issue = RETRY | rtncode.1.Issue | not a known kind of key",
        "retry everything | retry | not a known kind of key",
    })
    void aMalformedOverrideLineIsRefusedNamingItsKey(String line, String key, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withOverrides("# mine\n" + line + "\n"));
        assertTrue(e.getMessage().startsWith("result-code table test.properties, key " + key + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void theShippedOverrideFileIsValid() throws IOException {
        Path shipped = Path.of("config/result-codes.properties");
        assertTrue(Files.isReadable(shipped), shipped.toAbsolutePath().toString());
        try (Reader reader = Files.newBufferedReader(shipped, StandardCharsets.UTF_8)) {
            assertNotNull(ResultTable.defaults().withOverrides(reader, shipped.toString()));
        }
        // and so are its commented examples, once switched on
        String examples = Files.readAllLines(shipped, StandardCharsets.UTF_8).stream()
                .filter(l -> l.matches("#\\s*(http|transcode|rtncode|rtnmsg)\\..*=.*"))
                .map(l -> l.replaceFirst("#\\s*", ""))
                .reduce("", (a, b) -> a + b + "\n");
        assertFalse(examples.isEmpty());
        withOverrides(examples);
    }
}
