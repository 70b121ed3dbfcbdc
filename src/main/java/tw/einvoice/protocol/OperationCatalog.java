package tw.einvoice.protocol;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
            Map<String, Operation> resolved = new LinkedHashMap<>();
            raw.forEach((name, op) -> {
                if (op.fieldsFrom() != null) {
                    Operation parent = raw.get(op.fieldsFrom());
                    if (parent == null) {
                        throw new IllegalStateException(name + " takes fields from unknown operation " + op.fieldsFrom());
                    }
                    op = op.withInheritedFields(parent);
                }
                for (CrossRule rule : op.rules()) {
                    rule.checkAgainst(op);
                }
                resolved.put(name, op);
            });
            return new OperationCatalog(resolved);
        } catch (IOException e) {
            throw new UncheckedIOException("operation catalog is not valid JSON", e);
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
