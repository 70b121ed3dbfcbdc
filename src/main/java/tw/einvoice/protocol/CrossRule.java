package tw.einvoice.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A rule across fields, as the operation catalog writes it ({@code "rules"} of an operation):
 * <pre>
 * {"id": "donation-not-printed", "when": {"Donation": "1"}, "allow": {"Print": ["0"]},
 *  "why": "a donated invoice is not printed", "source": "ECPay 7896, use case 1"}
 * </pre>
 * {@code when}: every listed field must match: {@code "1"} that value, {@code ["2","9"]} one of them, {@code ""} empty
 * or absent, {@code "*"} any value. {@code Items[].X} in {@code when} means "some item's X". Then exactly one of:
 * {@code require} (fields that must have a value), {@code forbid} (fields that must be empty), {@code allow}
 * (field: the values it may then have, {@code ""} for empty), {@code match} (field: {@code {pattern, hint}}),
 * {@code range} (field: {@code [min, max]}), or {@code check} with {@code field} and {@code of}:
 * {@code sum} (field = the sum of {@code of}, rounded half up), {@code product} (field = the product of {@code of},
 * give or take {@code tolerance}, or {@code tolerancePerUnit} times the last factor when that is more),
 * {@code unique} (no two items share the field), {@code rate} (field = {@code of} times {@code factor}, rounded half up,
 * give or take {@code tolerance}: B2B TaxAmount = 5% of SalesAmount). {@code sum} may add several fields
 * ({@code TotalAmount} = {@code SalesAmount} + {@code TaxAmount}). {@code Items[].X} there means every item's X.
 * {@code ecpayCode}: the RtnCode ECPay answers when it catches the same mistake, where known.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CrossRule(
        String id,
        Map<String, JsonNode> when,
        List<String> require,
        List<String> forbid,
        Map<String, List<String>> allow,
        Map<String, Match> match,
        Map<String, List<BigDecimal>> range,
        String check,
        String field,
        List<String> of,
        BigDecimal tolerance,
        BigDecimal tolerancePerUnit,
        String why,
        String source,
        Integer ecpayCode,
        BigDecimal factor) {

    /** A pattern a field must match, with the words a person reads when it does not. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Match(String pattern, String hint) {
    }

    public CrossRule {
        when = when == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(when));
        require = require == null ? List.of() : List.copyOf(require);
        forbid = forbid == null ? List.of() : List.copyOf(forbid);
        allow = allow == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(allow));
        match = match == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(match));
        range = range == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(range));
        of = of == null ? List.of() : List.copyOf(of);
        why = why == null ? "" : why;
        source = source == null ? "" : source;
    }

    /** Every field the rule reads, as written ({@code Items[].ItemTaxType} for an item field). */
    public List<String> fields() {
        List<String> out = new ArrayList<>(when.keySet());
        out.addAll(require);
        out.addAll(forbid);
        out.addAll(allow.keySet());
        out.addAll(match.keySet());
        out.addAll(range.keySet());
        if (field != null) {
            out.add(field);
        }
        out.addAll(of);
        return out;
    }

    /** Checks the rule is complete and names only fields of {@code op}; a mistake in the catalog stops it loading. */
    void checkAgainst(Operation op) {
        String where = op.name() + " rule " + (id == null ? "(no id)" : id);
        if (id == null || id.isBlank()) {
            throw new IllegalStateException(where + ": every rule needs an id");
        }
        int actions = (require.isEmpty() ? 0 : 1) + (forbid.isEmpty() ? 0 : 1) + (allow.isEmpty() ? 0 : 1)
                + (match.isEmpty() ? 0 : 1) + (range.isEmpty() ? 0 : 1) + (check == null ? 0 : 1);
        if (actions != 1) {
            throw new IllegalStateException(where + ": give exactly one of require, forbid, allow, match, range or check");
        }
        if (source.isBlank()) {
            throw new IllegalStateException(where + ": say where the rule comes from (source)");
        }
        for (String f : fields()) {
            if (!exists(op, f)) {
                throw new IllegalStateException(where + ": " + f + " is not a field of " + op.name());
            }
        }
        when.forEach((f, v) -> {
            boolean ok = v.isTextual() || (v.isArray() && v.size() > 0);
            v.forEach(e -> {
                if (!e.isTextual()) {
                    throw new IllegalStateException(where + ": when." + f + " lists something that is not text");
                }
            });
            if (!ok) {
                throw new IllegalStateException(where + ": when." + f + " must be a value or a list of values");
            }
        });
        range.forEach((f, r) -> {
            if (r.size() != 2 || r.get(0).compareTo(r.get(1)) > 0) {
                throw new IllegalStateException(where + ": range." + f + " must be [min, max]");
            }
        });
        match.forEach((f, m) -> {
            try {
                Pattern.compile(m.pattern());
            } catch (PatternSyntaxException | NullPointerException e) {
                throw new IllegalStateException(where + ": match." + f + " has no valid pattern");
            }
        });
        if (check != null) {
            boolean known = switch (check) {
                case "sum" -> !of.isEmpty();
                case "rate" -> of.size() == 1 && factor != null;
                case "product" -> of.size() == 2;
                case "unique" -> of.isEmpty();
                default -> false;
            };
            if (!known || field == null) {
                throw new IllegalStateException(where + ": check must be sum (field, of: [fields]), product (field, of: "
                        + "[two fields]), rate (field, of: [one field], factor) or unique (field)");
            }
        }
    }

    private static boolean exists(Operation op, String path) {
        int bracket = path.indexOf("[].");
        if (bracket < 0) {
            return op.field(path) != null;
        }
        FieldRule list = op.field(path.substring(0, bracket));
        return list != null && "array".equals(list.type()) && list.item(path.substring(bracket + 3)) != null;
    }
}
