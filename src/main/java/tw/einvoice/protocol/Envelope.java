package tw.einvoice.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;

/**
 * ECPay's outer JSON: the request {@code {PlatformID, MerchantID, RqHeader:{Timestamp}, Data}} and the reply
 * {@code {PlatformID, MerchantID, RpHeader, TransCode, TransMsg, Data}}. Timestamps are plain Unix epoch seconds
 * from the injected clock, never shifted by 8 hours.
 */
public final class Envelope {

    static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;

    public Envelope(Clock clock) {
        this.clock = clock;
    }

    public long timestamp() {
        return clock.instant().getEpochSecond();
    }

    /**
     * Builds one request. Call it per attempt: the Timestamp is only valid for 10 minutes. MerchantID is filled into
     * Data when the command did not carry it.
     */
    public String request(Credentials credentials, Operation operation, ObjectNode data) {
        ObjectNode plain = dataAsSent(data, credentials.merchantId());
        ObjectNode root = JSON.createObjectNode();
        root.put("PlatformID", credentials.platformId());
        root.put("MerchantID", credentials.merchantId());
        ObjectNode header = root.putObject("RqHeader");
        header.put("Timestamp", timestamp());
        if (operation.isB2B()) {
            header.put("RqID", java.util.UUID.randomUUID().toString());
            header.put("Revision", "1.0.0");
        } else {
            header.put("Revision", "3.0.0");
        }
        root.put("Data", new EcpayCipher(credentials).encrypt(toJson(plain)));
        return toJson(root);
    }

    /** The Data a request carries before encryption: the command's, with MerchantID filled in when it was not set. */
    public static ObjectNode dataAsSent(ObjectNode data, String merchantId) {
        ObjectNode plain = data.deepCopy();
        if (!plain.hasNonNull("MerchantID") || plain.get("MerchantID").asText().isEmpty()) {
            plain.put("MerchantID", merchantId);
        }
        return plain;
    }

    /** Parses a reply leniently: numbers where strings were documented, a null or missing Data, an empty TransMsg. */
    public static Reply parseReply(String body) {
        JsonNode root = parse(body, "reply");
        JsonNode header = root.path("RpHeader");
        return new Reply(
                text(root.get("PlatformID")),
                text(root.get("MerchantID")),
                header.hasNonNull("Timestamp") ? header.get("Timestamp").asLong() : null,
                root.hasNonNull("TransCode") ? transCode(root.get("TransCode")) : null,
                text(root.get("TransMsg")),
                root.get("Data") == null || root.get("Data").isNull() ? null : root.get("Data"));
    }

    /** Parses a request as ECPay receives it (used by the local sandbox). */
    public static Request parseRequest(String body) {
        JsonNode root = parse(body, "request");
        JsonNode header = root.path("RqHeader");
        Long ts = header.hasNonNull("Timestamp") && header.get("Timestamp").canConvertToLong()
                ? header.get("Timestamp").asLong() : null;
        if (ts == null && header.hasNonNull("Timestamp") && header.get("Timestamp").isTextual()) {
            try {
                ts = Long.parseLong(header.get("Timestamp").asText().strip());
            } catch (NumberFormatException ignored) {
                // left null: reported as a missing timestamp
            }
        }
        return new Request(text(root.get("PlatformID")), text(root.get("MerchantID")), ts, text(root.get("Data")));
    }

    /** Builds a reply as ECPay sends it (used by the local sandbox). {@code data} is the encrypted Data or null. */
    public String reply(String platformId, String merchantId, int transCode, String transMsg, String data) {
        ObjectNode root = JSON.createObjectNode();
        root.put("PlatformID", platformId == null ? "" : platformId);
        root.put("MerchantID", merchantId == null ? "" : merchantId);
        root.putObject("RpHeader").put("Timestamp", timestamp());
        root.put("TransCode", transCode);
        root.put("TransMsg", transMsg);
        if (data == null) {
            root.putNull("Data");
        } else {
            root.put("Data", data);
        }
        return toJson(root);
    }

    /** A reply whose Data is a plain JSON object, as ECPay answers GetIssueList (used by the local sandbox). */
    public String replyPlain(String platformId, String merchantId, int transCode, String transMsg, JsonNode data) {
        ObjectNode root = (ObjectNode) parse(reply(platformId, merchantId, transCode, transMsg, null), "reply");
        root.set("Data", data);
        return toJson(root);
    }

    public static String toJson(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses JSON text that must be an object; the message says what was wrong without echoing secrets. */
    public static ObjectNode parseObject(String text, String what) {
        JsonNode node = parse(text, what);
        return (ObjectNode) node;
    }

    private static JsonNode parse(String body, String what) {
        if (body == null || body.isBlank()) {
            throw new MalformedEnvelopeException(what + " is empty");
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedEnvelopeException(what + " is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new MalformedEnvelopeException(what + " is not a JSON object");
        }
        return node;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? "" : node.asText();
    }

    /** A TransCode that is there but is not a whole number is a broken reply, not "no TransCode". */
    private static Integer transCode(JsonNode node) {
        if (node.isNumber() && node.canConvertToInt() && node.decimalValue().stripTrailingZeros().scale() <= 0) {
            return node.asInt();
        }
        if (node.isTextual()) {
            try {
                return Integer.parseInt(node.asText().strip());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        String shown = node.isValueNode() ? "'" + abbreviate(node.asText()) + "'" : "a JSON " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        throw new MalformedEnvelopeException("reply TransCode is " + shown + ", not a whole number");
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** A reply's outer fields. {@code data} is a text node (encrypted), an object (plain-Data operations) or null. */
    public record Reply(String platformId, String merchantId, Long timestamp, Integer transCode, String transMsg, JsonNode data) {
    }

    /** A request's outer fields, as the server sees them. */
    public record Request(String platformId, String merchantId, Long timestamp, String data) {
    }

    /** Text that should have been an ECPay envelope but is not. */
    public static class MalformedEnvelopeException extends IllegalArgumentException {
        public MalformedEnvelopeException(String message) {
            super(message);
        }
    }
}
