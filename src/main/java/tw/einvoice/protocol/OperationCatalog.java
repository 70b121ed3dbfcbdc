package tw.einvoice.protocol;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Every ECPay operation this product knows, read from {@code operations.json}: data, not code paths. */
public final class OperationCatalog {

    private static final String RESOURCE = "operations.json";

    private final Map<String, Operation> byName;
    private final Map<String, Operation> byLowerName = new LinkedHashMap<>();

    private OperationCatalog(Map<String, Operation> byName) {
        this.byName = Collections.unmodifiableMap(byName);
        byName.forEach((k, v) -> byLowerName.put(k.toLowerCase(Locale.ROOT), v));
    }

    /** The catalog shipped with the product. */
    public static OperationCatalog standard() {
        return Holder.STANDARD;
    }

    private static final class Holder {
        static final OperationCatalog STANDARD = load(OperationCatalog.class.getResourceAsStream(RESOURCE));
    }

    public static OperationCatalog load(InputStream json) {
        if (json == null) {
            throw new IllegalStateException("operation catalog " + RESOURCE + " is missing from the classpath");
        }
        try (json) {
            ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
            JsonNode root = mapper.readTree(json);
            Map<String, Operation> raw = new LinkedHashMap<>();
            for (JsonNode node : root.path("operations")) {
                Operation op = mapper.treeToValue(node, Operation.class);
                if (raw.put(op.name(), op) != null) {
                    throw new IllegalStateException("operation catalog lists " + op.name() + " twice");
                }
            }
            Map<String, Operation> inherited = new LinkedHashMap<>();
            raw.forEach((name, op) -> {
                if (op.fieldsFrom() != null) {
                    Operation parent = raw.get(op.fieldsFrom());
                    if (parent == null) {
                        throw new IllegalStateException(name + " takes fields from unknown operation " + op.fieldsFrom());
                    }
                    op = op.withInheritedFields(parent);
                }
                inherited.put(name, op);
            });
            Map<String, Operation> resolved = new LinkedHashMap<>();
            inherited.forEach((name, op) -> {
                op = op.withFields(op.fields().stream().map(f -> resolveObject(name, f, inherited)).toList());
                for (CrossRule rule : op.rules()) {
                    rule.checkAgainst(op);
                }
                for (FieldRule f : op.fields()) {
                    if ("object".equals(f.type())) {
                        Operation nested = f.asOperation(name + " " + f.name());
                        f.rules().forEach(rule -> rule.checkAgainst(nested));
                    }
                }
                if (op.adoptWith() != null && !raw.containsKey(op.adoptWith().operation())) {
                    throw new IllegalStateException(name + " adopts with unknown operation " + op.adoptWith().operation());
                }
                Operation.Adopt adopt = op.adoptWith();
                if (adopt != null && adopt.via() != null && (!raw.containsKey(adopt.via().operation()) || adopt.via().match().isEmpty())) {
                    throw new IllegalStateException(name + " adopts via " + adopt.via().operation()
                            + ": an operation of the catalog and the fields to match it by are needed");
                }
                if (adopt != null && adopt.absent() && raw.get(adopt.operation()).notFoundCodes().isEmpty()) {
                    throw new IllegalStateException(name + " is proven by " + adopt.operation()
                            + " finding nothing, but that operation names no notFoundCodes");
                }
                if (op.lookupFirst() && (adopt == null || op.noResendKey())) {
                    throw new IllegalStateException(name + " is lookupFirst: it needs an adoptWith lookup and a key to be sent again by");
                }
                resolved.put(name, op);
            });
            return new OperationCatalog(resolved);
        } catch (IOException e) {
            throw new UncheckedIOException("operation catalog is not valid JSON", e);
        }
    }

    /** An object field that takes another operation's fields ({@code fieldsFrom}), with them filled in. */
    private static FieldRule resolveObject(String owner, FieldRule f, Map<String, Operation> operations) {
        if (!"object".equals(f.type()) || f.fieldsFrom() == null) {
            return f;
        }
        Operation parent = operations.get(f.fieldsFrom());
        if (parent == null) {
            throw new IllegalStateException(owner + " field " + f.name() + " takes fields from unknown operation " + f.fieldsFrom());
        }
        return f.withFieldsOf(parent);
    }

    /**
     * The Data of the query that looks up what ECPay holds for a command of {@code op} ({@link Operation.Adopt}): MerchantID,
     * the fixed values, the same-named fields and the renamed ones. A date and time ({@code 2026-08-15 10:00:00}) given
     * where the query takes a date only is cut to its date. Null when the operation has no lookup.
     */
    public ObjectNode lookupQuery(Operation op, ObjectNode data, String merchantId) {
        Operation.Adopt adopt = op.adoptWith();
        if (adopt == null) {
            return null;
        }
        Operation lookup = get(adopt.operation());
        ObjectNode query = JsonNodeFactory.instance.objectNode();
        query.put("MerchantID", merchantId);
        adopt.set().forEach((k, v) -> query.set(k, v.deepCopy()));
        for (String path : adopt.fields()) {
            String name = path.substring(path.lastIndexOf('.') + 1);
            copy(lookup, query, name, Command.value(data, path));
        }
        adopt.rename().forEach((target, source) -> copy(lookup, query, target, Command.value(data, source)));
        return query;
    }

    private static void copy(Operation lookup, ObjectNode query, String name, JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return;
        }
        FieldRule rule = lookup.field(name);
        if (rule != null && value.isTextual() && !rule.dateFormats().isEmpty() && value.asText().strip().length() > 10
                && Patterns.matches("\\d{4}[-/]\\d{2}[-/]\\d{2}[ T].*", value.asText().strip())) {
            query.put(name, value.asText().strip().substring(0, 10));
        } else {
            query.set(name, value.deepCopy());
        }
    }

    /**
     * Finds an operation by its name ({@code B2CInvoice/Issue}); a leading slash and letter case are forgiven.
     *
     * @throws UnknownOperationException naming the operations that do exist
     */
    public Operation get(String name) {
        Operation op = find(name);
        if (op == null) {
            throw new UnknownOperationException(name, byName.keySet());
        }
        return op;
    }

    public Operation find(String name) {
        if (name == null) {
            return null;
        }
        String key = name.strip();
        if (key.startsWith("/")) {
            key = key.substring(1);
        }
        Operation exact = byName.get(key);
        return exact != null ? exact : byLowerName.get(key.toLowerCase(Locale.ROOT));
    }

    public Collection<Operation> all() {
        return byName.values();
    }
}
