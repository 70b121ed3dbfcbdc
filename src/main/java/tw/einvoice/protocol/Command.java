package tw.einvoice.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One thing to ask of ECPay: {@code {"id": "...", "operation": "B2CInvoice/TriggerIssue", "merchantId": "2000132",
 * "data": {...}}}. {@code id} is the idempotency key; without one it is the operation's business key
 * (e.g. {@code B2CInvoice/Issue:2000132:INV001}).
 */
public record Command(String id, String operation, String merchantId, ObjectNode data) {

    public static final int MAX_ID_LENGTH = 100;

    /**
     * Reads, normalises and validates a command.
     *
     * @param defaultMerchantId used when the command names none
     * @throws InvalidCommandException listing every problem found
     */
    public static Command parse(String json, OperationCatalog catalog, String defaultMerchantId) {
        ObjectNode root;
        try {
            root = Envelope.parseObject(json, "command");
        } catch (Envelope.MalformedEnvelopeException e) {
            throw new InvalidCommandException(null, List.of(new Violation("", "(line)", "json", e.getMessage())));
        }
        return from(root, catalog, defaultMerchantId);
    }

    public static Command from(ObjectNode root, OperationCatalog catalog, String defaultMerchantId) {
        String opName = root.path("operation").asText("");
        if (opName.isBlank()) {
            throw new InvalidCommandException(null, List.of(new Violation("", "operation", "required", "is required")));
        }
        Operation op = catalog.find(opName);
        if (op == null) {
            throw new InvalidCommandException(null, List.of(new Violation(opName, "operation", "unknown",
                    "'" + opName + "' is not a known operation; known: "
                            + catalog.all().stream().map(Operation::name).collect(Collectors.joining(", ")))));
        }
        JsonNode dataNode = root.get("data");
        if (dataNode == null || !dataNode.isObject()) {
            throw new InvalidCommandException(null, List.of(new Violation(op.name(), "data", "required",
                    dataNode == null ? "is required" : "must be a JSON object")));
        }
        ObjectNode data = (ObjectNode) dataNode.deepCopy();
        String outerMerchant = root.path("merchantId").asText("").strip();
        String dataMerchant = data.path("MerchantID").asText("").strip();
        String merchant = firstNonBlank(outerMerchant, dataMerchant, defaultMerchantId);
        data.put("MerchantID", merchant);
        List<Violation> problems = new java.util.ArrayList<>();
        if (!outerMerchant.isEmpty() && !dataMerchant.isEmpty() && !outerMerchant.equals(dataMerchant)) {
            // sending under either one could issue an invoice for the wrong company
            problems.add(new Violation(op.name(), "MerchantID", "conflict", "is '" + dataMerchant + "' in data but '"
                    + outerMerchant + "' in merchantId: give it once, or the same in both"));
        }
        try {
            problems.addAll(DataValidator.validate(op, data));
        } catch (RuntimeException e) {
            // whatever the validator did not foresee is still a rejected command, never a stuck file or row
            problems.add(new Violation(op.name(), "data", "invalid", "could not be checked: " + e));
        }
        String id = root.path("id").asText("").strip();
        if (id.isEmpty()) {
            id = businessKey(op, data);
        }
        if (id.length() > MAX_ID_LENGTH) {
            problems.add(new Violation(op.name(), "id", "maxLength", "is " + id.length() + " characters, longer than the "
                    + MAX_ID_LENGTH + " allowed"));
        }
        if (id.isEmpty() && problems.isEmpty()) {
            problems.add(new Violation(op.name(), "id", "required", "is required: the command has no id and no business key"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidCommandException(id.isEmpty() ? null : id, problems);
        }
        return new Command(id, op.name(), merchant, data);
    }

    /**
     * The default idempotency key: operation, merchant and business-key values, e.g.
     * {@code B2CInvoice/Issue:2000132:INV001}. The merchant is part of it because RelateNumber and Tsr are unique per
     * merchant only: two shops may both send INV001.
     */
    public static String businessKey(Operation op, ObjectNode data) {
        List<List<String>> keys = new java.util.ArrayList<>();
        keys.add(op.businessKey());
        keys.addAll(op.businessKeyAlternatives());
        for (List<String> key : keys) {
            if (!key.isEmpty() && key.stream().noneMatch(k -> value(data, k).asText("").isEmpty())) {
                return op.name() + ":" + data.path("MerchantID").asText() + ":"
                        + key.stream().map(k -> value(data, k).asText()).collect(Collectors.joining(":"));
            }
        }
        return "";
    }

    /**
     * A Data value by path: {@code Tsr}, or {@code VoidModel.InvoiceNo} for a field of an object field. A missing node
     * (never null) when absent.
     */
    public static JsonNode value(JsonNode data, String path) {
        JsonNode node = data;
        for (String part : path.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : node;
    }

    /** The command as one JSON line. */
    public String toJson() {
        ObjectNode root = Envelope.JSON.createObjectNode();
        root.put("id", id);
        root.put("operation", operation);
        root.put("merchantId", merchantId);
        root.set("data", data);
        return Envelope.toJson(root);
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return "";
    }
}
