package tw.einvoice.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ECPay operation as the catalog describes it. {@code name} is the path below the host,
 * e.g. {@code B2CInvoice/TriggerIssue}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Operation(
        String name,
        String title,
        String source,
        boolean idempotent,
        List<String> businessKey,
        List<List<String>> businessKeyAlternatives,
        Set<Integer> successCodes,
        Set<Integer> alreadyDoneCodes,
        Set<Integer> duplicateKeyCodes,
        Set<Integer> notFoundCodes,
        Adopt adoptWith,
        boolean lookupFirst,
        List<String> replyFields,
        String fieldsFrom,
        boolean plainReply,
        boolean noResendKey,
        List<FieldRule> fields,
        List<List<String>> requireOneOf,
        List<CrossRule> rules,
        List<String> modes,
        Map<String, List<FieldRule>> modeFields) {

    /**
     * The query whose reply holds the earlier result of a command (after a duplicate-key or already-done answer), and how
     * that reply proves it:
     * <ul>
     *   <li>{@code fields}: command fields copied into the query under their own names ({@code IssueModel.RelateNumber}: a
     *       field of an object field, copied as {@code RelateNumber});</li>
     *   <li>{@code rename}: query field from a command field of another name ({@code Date} from {@code InvoiceDate});</li>
     *   <li>{@code set}: fixed query values ({@code SearchType} 1);</li>
     *   <li>{@code within}: the reply's list of candidates (GetAllowanceList's {@code AllowanceInfo}): one entry must agree;</li>
     *   <li>{@code compare}: command field -> reply field that must agree (only what both show; {@link LookupComparison});</li>
     *   <li>{@code expect}: reply field -> the value it must have (Invalid: {@code IIS_Invalid_Status} 1);</li>
     *   <li>{@code names}: reply field -> the name a result is read under ({@code IIS_Number} -> {@code InvoiceNo});</li>
     *   <li>{@code via}: the query's fields are not this command's but those of the journaled command that holds the key
     *       (TriggerIssue: the DelayIssue of the same merchant and Tsr holds the RelateNumber);</li>
     *   <li>{@code absent}: the lookup proves the change by finding nothing (one of the lookup's {@code notFoundCodes}):
     *       CancelDelayIssue's staged invoice is never issued.</li>
     * </ul>
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Adopt(String operation, List<String> fields, Map<String, String> rename, Map<String, JsonNode> set,
                        String within, Map<String, String> compare, Map<String, String> expect, Map<String, String> names,
                        Via via, boolean absent) {
        public Adopt {
            fields = fields == null ? List.of() : List.copyOf(fields);
            // kept in the catalog's order: differences are reported in the order the page lists the fields
            rename = ordered(rename);
            set = set == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(set));
            compare = ordered(compare);
            expect = ordered(expect);
            names = ordered(names);
        }

        /** For code that builds an Adopt by hand: a lookup by same-named fields with a comparison. */
        public Adopt(String operation, List<String> fields, Map<String, String> compare) {
            this(operation, fields, null, null, null, compare, null, null, null, false);
        }

        private static Map<String, String> ordered(Map<String, String> m) {
            return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
        }
    }

    /**
     * The journaled command whose Data the lookup is built from and compared with: one of {@code operation}, of the same
     * merchant, whose {@code match} fields hold this command's values.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Via(String operation, List<String> match) {
        public Via {
            match = match == null ? List.of() : List.copyOf(match);
        }
    }

    public Operation {
        businessKey = businessKey == null ? List.of() : List.copyOf(businessKey);
        businessKeyAlternatives = businessKeyAlternatives == null ? List.of() : List.copyOf(businessKeyAlternatives);
        successCodes = successCodes == null ? Set.of(1) : Set.copyOf(successCodes);
        alreadyDoneCodes = alreadyDoneCodes == null ? Set.of() : Set.copyOf(alreadyDoneCodes);
        duplicateKeyCodes = duplicateKeyCodes == null ? Set.of() : Set.copyOf(duplicateKeyCodes);
        notFoundCodes = notFoundCodes == null ? Set.of() : Set.copyOf(notFoundCodes);
        replyFields = replyFields == null ? List.of() : List.copyOf(replyFields);
        fields = fields == null ? List.of() : List.copyOf(fields);
        requireOneOf = requireOneOf == null ? List.of() : List.copyOf(requireOneOf);
        rules = rules == null ? List.of() : List.copyOf(rules);
        modes = modes == null ? List.of() : List.copyOf(modes);
        modeFields = modeFields == null ? Map.of() : Map.copyOf(modeFields);
    }

    /**
     * This operation as it is checked in a B2B mode ({@code exchange} or {@code certificate}): the fields of
     * {@code modeFields} for that mode replace those of the same name (B2B Issue's RelateNumber: 50 characters, 20 in
     * exchange mode). Itself for another mode or none.
     */
    public Operation inMode(String mode) {
        List<FieldRule> own = mode == null ? null : modeFields.get(mode);
        if (own == null || own.isEmpty()) {
            return this;
        }
        return withFields(merge(fields, own));
    }

    /** The rule across fields with this id (its object fields' rules included), or null. */
    public CrossRule rule(String id) {
        CrossRule own = rules.stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
        if (own != null) {
            return own;
        }
        return fields.stream().filter(f -> "object".equals(f.type())).flatMap(f -> f.rules().stream())
                .filter(r -> r.id().equals(id)).findFirst().orElse(null);
    }

    /** The HTTP path, e.g. {@code /B2CInvoice/TriggerIssue}. */
    public String path() {
        return "/" + name;
    }

    public boolean isB2B() {
        return name.startsWith("B2BInvoice/");
    }

    public FieldRule field(String fieldName) {
        return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst().orElse(null);
    }

    /** A field by path: {@code Tsr}, or {@code VoidModel.InvoiceNo} for a field of an object field; null when absent. */
    public FieldRule fieldAt(String path) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            return field(path);
        }
        FieldRule outer = field(path.substring(0, dot));
        return outer == null || !"object".equals(outer.type()) ? null : outer.item(path.substring(dot + 1));
    }

    Operation withInheritedFields(Operation parent) {
        return new Operation(name, title, source, idempotent, businessKey, businessKeyAlternatives, successCodes, alreadyDoneCodes,
                duplicateKeyCodes, notFoundCodes, adoptWith, lookupFirst, replyFields, null, plainReply, noResendKey, merge(parent.fields(), fields),
                requireOneOf.isEmpty() ? parent.requireOneOf() : requireOneOf, concat(parent.rules(), rules),
                modes.isEmpty() ? parent.modes() : modes, modeFields.isEmpty() ? parent.modeFields() : modeFields);
    }

    Operation withFields(List<FieldRule> resolved) {
        return new Operation(name, title, source, idempotent, businessKey, businessKeyAlternatives, successCodes, alreadyDoneCodes,
                duplicateKeyCodes, notFoundCodes, adoptWith, lookupFirst, replyFields, fieldsFrom, plainReply, noResendKey, resolved, requireOneOf, rules, modes,
                modeFields);
    }

    /** The parent's fields in their order, each replaced by the child's field of the same name, then the child's others. */
    static List<FieldRule> merge(List<FieldRule> parent, List<FieldRule> child) {
        List<FieldRule> merged = new ArrayList<>();
        for (FieldRule p : parent) {
            merged.add(child.stream().filter(c -> c.name().equals(p.name())).findFirst().orElse(p));
        }
        child.stream().filter(c -> parent.stream().noneMatch(p -> p.name().equals(c.name()))).forEach(merged::add);
        return merged;
    }

    static List<CrossRule> concat(List<CrossRule> a, List<CrossRule> b) {
        List<CrossRule> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
