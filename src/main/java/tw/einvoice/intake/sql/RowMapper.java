package tw.einvoice.intake.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.sql.Clob;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.Envelope;
import tw.einvoice.protocol.FieldRule;
import tw.einvoice.protocol.InvalidCommandException;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.protocol.Violation;

/**
 * Turns one selected row into a command. The columns, matched without regard to case (databases fold unquoted
 * names differently):
 * <ul>
 *   <li>{@code operation} (required), {@code id} (optional: else the operation's business key), {@code merchant_id};</li>
 *   <li>{@code payload} or {@code data}: ECPay's Data as a JSON object (optional);</li>
 *   <li>any column named like one of the operation's Data fields ({@code RelateNumber}, {@code Tsr}, {@code Items} ...):
 *       that field, overriding the payload's. Text in an array field is read as JSON;</li>
 *   <li>{@code row_key}: the source row's key for the take/reject/result SQL (default: {@code id}).</li>
 * </ul>
 */
public final class RowMapper {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final OperationCatalog catalog;
    private final String defaultMerchantId;

    public RowMapper(OperationCatalog catalog, String defaultMerchantId) {
        this.catalog = catalog;
        this.defaultMerchantId = defaultMerchantId;
    }

    /** Column names in lower case, values with CLOBs read as text. */
    public static Map<String, Object> normalise(Map<String, Object> row) {
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), plain(v)));
        return out;
    }

    /** @throws InvalidCommandException naming the column or field that is wrong */
    public Command map(Map<String, Object> row) {
        String opName = text(row.get("operation"));
        ObjectNode data = JSON.createObjectNode();
        Object payload = row.containsKey("payload") ? row.get("payload") : row.get("data");
        if (payload != null && !text(payload).isBlank()) {
            try {
                data = Envelope.parseObject(text(payload), "payload");
            } catch (Envelope.MalformedEnvelopeException e) {
                throw new InvalidCommandException(text(row.get("id")), List.of(
                        new Violation(opName, "payload", "json", "is not a JSON object: " + e.getMessage())));
            }
        }
        Operation op = opName.isBlank() ? null : catalog.find(opName);
        if (op != null) {
            for (FieldRule rule : op.fields()) {
                String column = rule.name().toLowerCase(Locale.ROOT);
                if (row.containsKey(column) && row.get(column) != null) {
                    data.set(rule.name(), node(row.get(column), rule));
                }
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("id", text(row.get("id")));
        root.put("operation", opName);
        root.put("merchantId", text(row.get("merchant_id")));
        root.set("data", data);
        return Command.from(root, catalog, defaultMerchantId);
    }

    /** The source row's own key: {@code row_key} when selected, else {@code id}. */
    public static String rowKey(Map<String, Object> row) {
        return text(row.containsKey("row_key") ? row.get("row_key") : row.get("id"));
    }

    private static JsonNode node(Object value, FieldRule rule) {
        if ("array".equals(rule.type()) && value instanceof String s && s.strip().startsWith("[")) {
            try {
                return JSON.readTree(s);
            } catch (Exception e) {
                return JSON.getNodeFactory().textNode(s); // the validator names the field and the rule
            }
        }
        if (value instanceof BigDecimal d) {
            return JSON.getNodeFactory().numberNode(d.stripTrailingZeros());
        }
        if (value instanceof Number n) {
            return JSON.valueToTree(n);
        }
        if (value instanceof java.sql.Date d) {
            return JSON.getNodeFactory().textNode(d.toLocalDate().toString());
        }
        return JSON.getNodeFactory().textNode(text(value));
    }

    private static Object plain(Object v) {
        if (v instanceof Clob clob) {
            try {
                return clob.getSubString(1, (int) clob.length());
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read a text column: " + e.getMessage(), e);
            }
        }
        return v;
    }

    static String text(Object v) {
        return v == null ? "" : v.toString().strip();
    }
}
