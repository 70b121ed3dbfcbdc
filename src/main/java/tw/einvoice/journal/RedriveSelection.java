package tw.einvoice.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which DEAD commands to send again. Every criterion given narrows the selection (AND); the values of one list
 * criterion are alternatives (OR). Only DEAD commands are ever selected.
 *
 * @param ids        command ids
 * @param transCodes last TransCode (e.g. 110: wrong HashKey/HashIV)
 * @param rtnCodes   last RtnCode (e.g. 1100040: no track numbers)
 * @param reason     text the last reason contains
 * @param source     the source name (a dropped file's archive name, or the name it was dropped under; a table)
 * @param operation  e.g. B2CInvoice/Issue
 * @param from       died at or after (UTC), or null
 * @param to         died before (UTC), or null
 * @param all        every DEAD command (needed when no other criterion is given)
 * @param limit      at most this many commands (oldest deaths first)
 */
public record RedriveSelection(List<String> ids, List<Integer> transCodes, List<Integer> rtnCodes, String reason,
                               String source, String operation, Instant from, Instant to, boolean all, int limit) {

    public static final int DEFAULT_LIMIT = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    public RedriveSelection {
        ids = ids == null ? List.of() : List.copyOf(ids);
        transCodes = transCodes == null ? List.of() : List.copyOf(transCodes);
        rtnCodes = rtnCodes == null ? List.of() : List.copyOf(rtnCodes);
        reason = blankToNull(reason);
        source = blankToNull(source);
        operation = blankToNull(operation);
        if (limit <= 0) {
            limit = DEFAULT_LIMIT;
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("the time range is empty: from " + from + " is not before to " + to);
        }
        if (!all && ids.isEmpty() && transCodes.isEmpty() && rtnCodes.isEmpty() && reason == null && source == null
                && operation == null && from == null && to == null) {
            throw new IllegalArgumentException("say which dead commands to re-drive: ids, transCodes, rtnCodes, reason, "
                    + "source, operation, from/to, or all");
        }
    }

    /**
     * From JSON: {@code {"ids":[..],"transCodes":[110],"rtnCodes":[..],"reason":"..","source":"..","operation":"..",
     * "from":"2026-11-30T00:00:00Z","to":"..","all":false,"limit":1000}}. Unknown fields are refused (a typo must not
     * widen the selection).
     */
    public static RedriveSelection fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the selection must be a JSON object");
        }
        List<String> known = List.of("ids", "transCodes", "rtnCodes", "reason", "source", "operation", "from", "to", "all",
                "limit", "dryRun", "by");
        node.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                throw new IllegalArgumentException("unknown selection field '" + f + "' (known: " + String.join(", ", known) + ")");
            }
        });
        return new RedriveSelection(texts(node.get("ids")), ints(node.get("transCodes")), ints(node.get("rtnCodes")),
                text(node.get("reason")), text(node.get("source")), text(node.get("operation")), instant(node.get("from"), "from"),
                instant(node.get("to"), "to"), node.path("all").asBoolean(false), node.path("limit").asInt(DEFAULT_LIMIT));
    }

    /** As JSON, the way the audit (ecpay_redrive.selection) keeps it: only the criteria given. */
    public ObjectNode toJson() {
        ObjectNode out = JSON.createObjectNode();
        if (!ids.isEmpty()) {
            ArrayNode a = out.putArray("ids");
            ids.forEach(a::add);
        }
        if (!transCodes.isEmpty()) {
            ArrayNode a = out.putArray("transCodes");
            transCodes.forEach(a::add);
        }
        if (!rtnCodes.isEmpty()) {
            ArrayNode a = out.putArray("rtnCodes");
            rtnCodes.forEach(a::add);
        }
        putIf(out, "reason", reason);
        putIf(out, "source", source);
        putIf(out, "operation", operation);
        putIf(out, "from", from == null ? null : from.toString());
        putIf(out, "to", to == null ? null : to.toString());
        if (all) {
            out.put("all", true);
        }
        out.put("limit", limit);
        return out;
    }

    private static void putIf(ObjectNode out, String key, String value) {
        if (value != null) {
            out.put(key, value);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static List<String> texts(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null && n.isArray()) {
            n.forEach(v -> out.add(v.asText()));
        } else if (n != null && !n.isNull()) {
            out.add(n.asText());
        }
        return out;
    }

    private static List<Integer> ints(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        for (String t : texts(n)) {
            try {
                out.add(Integer.parseInt(t.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + t + "' is not a code (a whole number)");
            }
        }
        return out;
    }

    static Instant instant(JsonNode n, String what) {
        String t = text(n);
        return t == null || t.isBlank() ? null : parseInstant(t, what);
    }

    /** 2026-11-30T08:00:00Z, or a date (2026-11-30, midnight UTC). */
    public static Instant parseInstant(String text, String what) {
        String t = text.strip();
        try {
            return t.length() == 10 ? java.time.LocalDate.parse(t).atStartOfDay(java.time.ZoneOffset.UTC).toInstant() : Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(what + " '" + t + "' is not a UTC time such as 2026-11-30T08:00:00Z or a date 2026-11-30");
        }
    }
}
