package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The outer request and reply JSON: timestamps, merchant ids, lenient reply parsing. */
class EnvelopeTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final OperationCatalog CATALOG = OperationCatalog.standard();

    /** 2026-08-15 23:29:10 in Taipei, the moment of the recorded live reply. */
    static final Instant LIVE_MOMENT = Instant.parse("2026-08-15T15:29:10Z");
    static final long LIVE_EPOCH_SECONDS = 1786807750L;

    static final Credentials STAGE = Credentials.PUBLIC_STAGE;

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    static ObjectNode triggerData() throws Exception {
        return (ObjectNode) json("{\"MerchantID\":\"2000132\",\"Tsr\":\"T20260815A\",\"PayType\":\"2\"}");
    }

    // ---- request ----

    @Test
    void timestampIsPlainEpochSecondsWhateverTheClocksZone() throws Exception {
        for (String zone : new String[] {"Asia/Taipei", "UTC", "America/Los_Angeles"}) {
            Envelope envelope = new Envelope(Clock.fixed(LIVE_MOMENT, ZoneId.of(zone)));
            JsonNode request = json(envelope.request(STAGE, CATALOG.get("B2CInvoice/TriggerIssue"), triggerData()));
            long ts = request.path("RqHeader").path("Timestamp").asLong();
            assertTrue(request.path("RqHeader").path("Timestamp").isIntegralNumber(), "a JSON number, not text");
            assertEquals(LIVE_EPOCH_SECONDS, ts, zone);
            assertNotEquals(LIVE_EPOCH_SECONDS + 8 * 3600, ts, "no +8 h for GMT+8");
        }
    }

    @Test
    void everyBuildTakesAFreshTimestampFromTheClock() throws Exception {
        Operation op = CATALOG.get("B2CInvoice/TriggerIssue");
        Clock first = Clock.fixed(LIVE_MOMENT, ZoneId.of("Asia/Taipei"));
        Clock later = Clock.offset(first, Duration.ofMinutes(11));
        long t1 = json(new Envelope(first).request(STAGE, op, triggerData())).path("RqHeader").path("Timestamp").asLong();
        long t2 = json(new Envelope(later).request(STAGE, op, triggerData())).path("RqHeader").path("Timestamp").asLong();
        assertEquals(11 * 60, t2 - t1);
    }

    @Test
    void merchantIdIsOutsideAndInsideDataAndDataDecryptsBackToTheCommandData() throws Exception {
        Envelope envelope = new Envelope(Clock.fixed(LIVE_MOMENT, ZoneId.of("UTC")));
        Command command = Command.parse("{\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"Tsr\":\"T20260815A\",\"PayType\":\"2\"}}",
                CATALOG, "2000132");
        JsonNode request = json(envelope.request(STAGE, CATALOG.get(command.operation()), command.data()));

        assertEquals("2000132", request.path("MerchantID").asText());
        assertTrue(request.path("MerchantID").isTextual(), "MerchantID is a String(10)");
        JsonNode data = json(new EcpayCipher(STAGE).decrypt(request.path("Data").asText()));
        assertEquals(command.data(), data);
        assertEquals("2000132", data.path("MerchantID").asText());
        assertEquals("T20260815A", data.path("Tsr").asText());
    }

    @Test
    void merchantIdMissingFromDataIsFilledFromTheCredentialsWithoutTouchingTheCaller() throws Exception {
        Envelope envelope = new Envelope(Clock.systemUTC());
        ObjectNode data = (ObjectNode) json("{\"Tsr\":\"T1\",\"PayType\":\"2\"}");
        JsonNode request = json(envelope.request(STAGE, CATALOG.get("B2CInvoice/TriggerIssue"), data));
        JsonNode sent = json(new EcpayCipher(STAGE).decrypt(request.path("Data").asText()));
        assertEquals("2000132", sent.path("MerchantID").asText());
        assertFalse(data.has("MerchantID"), "the command's own Data is not modified");
    }

    @Test
    void platformIdIsEmptyUnlessConfigured() throws Exception {
        Envelope envelope = new Envelope(Clock.systemUTC());
        Operation op = CATALOG.get("B2CInvoice/TriggerIssue");
        JsonNode plain = json(envelope.request(STAGE, op, triggerData()));
        assertEquals("", plain.path("PlatformID").asText("missing"));

        Credentials platform = new Credentials("2000132", STAGE.hashKey(), STAGE.hashIv(), " 3085340 ");
        JsonNode withPlatform = json(envelope.request(platform, op, triggerData()));
        assertEquals("3085340", withPlatform.path("PlatformID").asText());
        assertEquals("2000132", withPlatform.path("MerchantID").asText());
    }

    @Test
    void b2bRequestsCarryARequestIdAndTheB2bRevision() throws Exception {
        Envelope envelope = new Envelope(Clock.systemUTC());
        ObjectNode data = (ObjectNode) json("{\"MerchantID\":\"2000132\",\"InvoiceNumber\":\"VG11000002\","
                + "\"InvoiceDate\":\"2019/09/22\",\"Remark\":\"\"}");
        Operation op = CATALOG.get("B2BInvoice/IssueConfirm");
        JsonNode a = json(envelope.request(STAGE, op, data)).path("RqHeader");
        JsonNode b = json(envelope.request(STAGE, op, data)).path("RqHeader");
        assertEquals("1.0.0", a.path("Revision").asText());
        assertEquals(36, a.path("RqID").asText().length());
        assertNotEquals(a.path("RqID").asText(), b.path("RqID").asText());
        assertEquals("3.0.0", json(envelope.request(STAGE, CATALOG.get("B2CInvoice/TriggerIssue"), triggerData()))
                .path("RqHeader").path("Revision").asText());
    }

    @Test
    void theServerSideParsesWhatTheClientBuilds() throws Exception {
        Envelope envelope = new Envelope(Clock.fixed(LIVE_MOMENT, ZoneId.of("UTC")));
        Envelope.Request request = Envelope.parseRequest(envelope.request(STAGE, CATALOG.get("B2CInvoice/TriggerIssue"), triggerData()));
        assertEquals("2000132", request.merchantId());
        assertEquals("", request.platformId());
        assertEquals(LIVE_EPOCH_SECONDS, request.timestamp());
        assertEquals(triggerData(), json(new EcpayCipher(STAGE).decrypt(request.data())));
    }

    @Test
    void serverSideTimestampMayArriveAsTextOrBeMissing() {
        assertEquals(1525168923L, Envelope.parseRequest("{\"MerchantID\":\"2000132\",\"RqHeader\":{\"Timestamp\":\"1525168923\"},\"Data\":\"x\"}").timestamp());
        assertNull(Envelope.parseRequest("{\"MerchantID\":\"2000132\",\"RqHeader\":{\"Timestamp\":\"soon\"},\"Data\":\"x\"}").timestamp());
        assertNull(Envelope.parseRequest("{\"MerchantID\":2000132,\"Data\":\"x\"}").timestamp());
        assertEquals("2000132", Envelope.parseRequest("{\"MerchantID\":2000132,\"Data\":\"x\"}").merchantId());
    }

    // ---- reply ----

    @Test
    void parsesALiveReplyWithNumericMerchantAndPlatform() {
        Envelope.Reply reply = Envelope.parseReply("{\"PlatformID\":0,\"MerchantID\":2000132,\"RpHeader\":{\"Timestamp\":1786807751},"
                + "\"TransCode\":1,\"TransMsg\":\"Success\",\"Data\":\"" + EcpayCipherTest.LIVE_REPLY + "\"}");
        assertEquals("0", reply.platformId());
        assertEquals("2000132", reply.merchantId());
        assertEquals(1786807751L, reply.timestamp());
        assertEquals(1, reply.transCode());
        assertEquals("Success", reply.transMsg());
        assertEquals(EcpayCipherTest.LIVE_REPLY_JSON, new EcpayCipher(STAGE).decrypt(reply.data().asText()));
    }

    @Test
    void parsesAnErrorReplyWithNullDataAndEmptyOrMissingTransMsg() {
        Envelope.Reply nullData = Envelope.parseReply("{\"PlatformID\":null,\"MerchantID\":\"2000132\",\"RpHeader\":{\"Timestamp\":1},"
                + "\"TransCode\":110,\"TransMsg\":\"\",\"Data\":null}");
        assertEquals(110, nullData.transCode());
        assertEquals("", nullData.transMsg());
        assertEquals("", nullData.platformId());
        assertNull(nullData.data());

        Envelope.Reply bare = Envelope.parseReply("{\"MerchantID\":2000132,\"TransCode\":104}");
        assertEquals(104, bare.transCode());
        assertEquals("", bare.transMsg());
        assertNull(bare.data());
        assertNull(bare.timestamp());
    }

    @Test
    void transCodeMayArriveAsText() {
        assertEquals(1, Envelope.parseReply("{\"TransCode\":\"1\",\"TransMsg\":\"Success\",\"Data\":\"x\"}").transCode());
        assertEquals(115, Envelope.parseReply("{\"TransCode\":\" 115 \"}").transCode());
    }

    @Test
    void aReplyWithoutTransCodeIsNotAnEcpayVerdict() {
        // e.g. a gateway's own JSON error page: the classifier then goes by the HTTP status
        assertNull(Envelope.parseReply("{\"error\":\"Bad Gateway\"}").transCode());
    }

    @Test
    void plainDataObjectsArePassedThrough() {
        Envelope.Reply reply = Envelope.parseReply("{\"TransCode\":1,\"Data\":{\"RtnCode\":1,\"InvoiceData\":[]}}");
        assertTrue(reply.data().isObject());
        assertEquals(1, reply.data().path("RtnCode").asInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "not json", "<html><body>503 Service Unavailable</body></html>", "[1,2,3]", "\"text\"",
        "null", "42", "{\"TransCode\":1,", "{\"TransCode\":\"OK\"}", "{\"TransCode\":1.5}", "{\"TransCode\":{\"code\":1}}"})
    void malformedRepliesAreRejectedSpecifically(String body) {
        Envelope.MalformedEnvelopeException e = assertThrows(Envelope.MalformedEnvelopeException.class, () -> Envelope.parseReply(body));
        assertTrue(e.getMessage().startsWith("reply "), e.getMessage());
    }

    @Test
    void nullReplyIsMalformed() {
        assertThrows(Envelope.MalformedEnvelopeException.class, () -> Envelope.parseReply(null));
    }

    @Test
    void theSandboxReplyBuilderRoundTrips() {
        Envelope envelope = new Envelope(Clock.fixed(LIVE_MOMENT, ZoneId.of("UTC")));
        Envelope.Reply reply = Envelope.parseReply(envelope.reply("", "2000132", 110, "Data decrypt failed", null));
        assertEquals(110, reply.transCode());
        assertEquals("Data decrypt failed", reply.transMsg());
        assertEquals(LIVE_EPOCH_SECONDS, reply.timestamp());
        assertNull(reply.data());
        Envelope.Reply ok = Envelope.parseReply(envelope.reply(null, "2000132", 1, "Success", "abc="));
        assertEquals("abc=", ok.data().asText());
    }
}
