package tw.einvoice.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
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
        Adopt adoptWith,
        List<String> replyFields,
        String fieldsFrom,
        boolean plainReply,
        List<FieldRule> fields,
        List<List<String>> requireOneOf,
        List<CrossRule> rules) {

    /**
     * After a duplicate-key answer: the query whose reply holds the earlier result, the fields copied into its Data,
     * and which command field must equal which reply field for that result to be this command's ({@link LookupComparison}).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Adopt(String operation, List<String> fields, java.util.Map<String, String> compare) {
        public Adopt {
            fields = fields == null ? List.of() : List.copyOf(fields);
            // kept in the catalog's order: differences are reported in the order the page lists the fields
            compare = compare == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(compare));
        }
    }

    public Operation {
        businessKey = businessKey == null ? List.of() : List.copyOf(businessKey);
        businessKeyAlternatives = businessKeyAlternatives == null ? List.of() : List.copyOf(businessKeyAlternatives);
        successCodes = successCodes == null ? Set.of(1) : Set.copyOf(successCodes);
        alreadyDoneCodes = alreadyDoneCodes == null ? Set.of() : Set.copyOf(alreadyDoneCodes);
        duplicateKeyCodes = duplicateKeyCodes == null ? Set.of() : Set.copyOf(duplicateKeyCodes);
        replyFields = replyFields == null ? List.of() : List.copyOf(replyFields);
        fields = fields == null ? List.of() : List.copyOf(fields);
        requireOneOf = requireOneOf == null ? List.of() : List.copyOf(requireOneOf);
        rules = rules == null ? List.of() : List.copyOf(rules);
    }

    /** The rule across fields with this id, or null. */
    public CrossRule rule(String id) {
        return rules.stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
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

    Operation withInheritedFields(Operation parent) {
        List<FieldRule> merged = new java.util.ArrayList<>(parent.fields());
        merged.addAll(fields);
        List<List<String>> oneOf = requireOneOf.isEmpty() ? parent.requireOneOf() : requireOneOf;
        List<CrossRule> allRules = new java.util.ArrayList<>(parent.rules());
        allRules.addAll(rules);
        return new Operation(name, title, source, idempotent, businessKey, businessKeyAlternatives, successCodes, alreadyDoneCodes,
                duplicateKeyCodes, adoptWith, replyFields, null, plainReply, merged, oneOf, allRules);
    }
}
