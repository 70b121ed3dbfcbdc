package tw.einvoice.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares a command with what ECPay's lookup shows under the command's key (after a duplicate-key answer), field by
 * field as the catalog's {@code adoptWith.compare} maps them. Only what the command states is compared (a blank field
 * of the command says nothing), and only what the lookup shows (a field ECPay's reply lacks cannot contradict).
 * Numbers compare by value ({@code 100} equals {@code "100.0"}); item lists by size and, per item, the fields in
 * {@link #ITEM_FIELDS}. A command field may be a field of an object field ({@code IssueModel.SalesAmount}). What
 * {@code adoptWith.expect} names must be shown with that value (absent is no evidence), and with {@code within} one entry of
 * the reply's list must agree (GetAllowanceList's {@code AllowanceInfo}), or the one object under it (B2B's {@code RtnData}).
 */
public final class LookupComparison {

    /** The fields of one item that must agree: what the invoice says was sold, and for how much. */
    static final List<String> ITEM_FIELDS = List.of("ItemName", "ItemCount", "ItemPrice", "ItemAmount");

    private LookupComparison() {
    }

    /**
     * What differs, one phrase per field ("SalesAmount 100 here, 200 at ECPay"); empty when all compared fields agree and
     * every expected value is shown. With {@code within}, the reply's list must hold one entry that agrees.
     */
    public static List<String> differences(Operation.Adopt adopt, JsonNode command, JsonNode lookup) {
        if (adopt.within() == null) {
            return differencesOf(adopt, command, lookup);
        }
        JsonNode list = lookup.get(adopt.within());
        if (list != null && list.isObject()) {
            return differencesOf(adopt, command, list); // B2B: the one result under RtnData
        }
        if (list == null || !list.isArray() || list.isEmpty()) {
            return List.of("no " + adopt.within() + " entry at ECPay");
        }
        List<String> first = null;
        for (JsonNode entry : list) {
            List<String> d = differencesOf(adopt, command, entry);
            if (d.isEmpty()) {
                return d;
            }
            first = first == null ? d : first;
        }
        return List.of("none of the " + list.size() + " " + adopt.within() + " entries at ECPay agrees (the first: "
                + String.join("; ", first) + ")");
    }

    /** The entry of the reply's {@code within} list that agrees with the command (the reply itself without a list), or null. */
    public static JsonNode match(Operation.Adopt adopt, JsonNode command, JsonNode lookup) {
        if (adopt.within() == null) {
            return differencesOf(adopt, command, lookup).isEmpty() ? lookup : null;
        }
        JsonNode list = lookup.path(adopt.within());
        if (list.isObject()) {
            return differencesOf(adopt, command, list).isEmpty() ? list : null;
        }
        for (JsonNode entry : list) {
            if (differencesOf(adopt, command, entry).isEmpty()) {
                return entry;
            }
        }
        return null;
    }

    private static List<String> differencesOf(Operation.Adopt adopt, JsonNode command, JsonNode lookup) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> pair : adopt.compare().entrySet()) {
            JsonNode mine = Command.value(command, pair.getKey());
            JsonNode theirs = lookup.get(pair.getValue());
            if (blank(mine) || theirs == null || theirs.isNull()) {
                continue;
            }
            if (mine.isArray()) {
                compareItems(pair.getKey(), mine, theirs, out);
            } else if (!same(mine, theirs)) {
                out.add(pair.getKey() + " " + text(mine) + " here, " + text(theirs) + " at ECPay");
            }
        }
        // what must be shown is evidence: absent is not good enough
        adopt.expect().forEach((field, wanted) -> {
            JsonNode theirs = lookup.get(field);
            if (theirs == null || theirs.isNull() || !same(JsonNodeFactory.instance.textNode(wanted), theirs)) {
                out.add(field + " " + (theirs == null || theirs.isNull() ? "not shown" : text(theirs)) + " at ECPay, " + wanted
                        + " expected");
            }
        });
        return out;
    }

    private static void compareItems(String name, JsonNode mine, JsonNode theirs, List<String> out) {
        if (!theirs.isArray()) {
            return;
        }
        if (mine.size() != theirs.size()) {
            out.add(name + ": " + mine.size() + " here, " + theirs.size() + " at ECPay");
            return;
        }
        for (int i = 0; i < mine.size(); i++) {
            for (String field : ITEM_FIELDS) {
                JsonNode a = mine.get(i).get(field);
                JsonNode b = theirs.get(i).get(field);
                if (!blank(a) && b != null && !b.isNull() && !same(a, b)) {
                    out.add(name + "[" + (i + 1) + "]." + field + " " + text(a) + " here, " + text(b) + " at ECPay");
                }
            }
        }
    }

    private static boolean same(JsonNode a, JsonNode b) {
        BigDecimal x = number(a);
        BigDecimal y = number(b);
        if (x != null && y != null) {
            return x.compareTo(y) == 0;
        }
        return text(a).strip().equals(text(b).strip());
    }

    private static BigDecimal number(JsonNode n) {
        if (n.isNumber()) {
            return n.decimalValue();
        }
        try {
            String t = n.asText().strip();
            return t.isEmpty() ? null : new BigDecimal(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean blank(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() || (n.isTextual() && n.asText().isBlank()) || (n.isArray() && n.isEmpty());
    }

    private static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : n.toString();
    }
}
