package tw.einvoice.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * One Data field of an operation and the rules it must meet, as written in the operation catalog.
 * {@code exclusiveMin}: the value must be above it (ItemCount above 0). {@code integerDigits} / {@code fractionDigits}:
 * how many digits ECPay takes before and after the decimal point (ItemPrice: 10 and 7).
 * {@code items}: the fields of each entry of an {@code array} field, or the fields of an {@code object} field (VoidWithReIssue's
 * VoidModel and IssueModel). An object field may take another operation's fields and rules ({@code fieldsFrom}, its own
 * {@code items} replacing those of the same name) and have {@code rules} and {@code requireOneOf} of its own.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FieldRule(
        String name,
        String type,
        boolean required,
        boolean allowEmpty,
        Integer maxLength,
        List<String> allowed,
        String pattern,
        String patternHint,
        List<String> dateFormats,
        Long min,
        Long max,
        Long exclusiveMin,
        Integer integerDigits,
        Integer fractionDigits,
        Map<String, String> requiredWhen,
        Integer minItems,
        Integer maxItems,
        List<FieldRule> items,
        String fieldsFrom,
        List<CrossRule> rules,
        List<List<String>> requireOneOf) {

    public FieldRule {
        type = type == null ? "string" : type;
        allowed = allowed == null ? List.of() : List.copyOf(allowed);
        dateFormats = dateFormats == null ? List.of() : List.copyOf(dateFormats);
        requiredWhen = requiredWhen == null ? Map.of() : Map.copyOf(requiredWhen);
        items = items == null ? List.of() : List.copyOf(items);
        rules = rules == null ? List.of() : List.copyOf(rules);
        requireOneOf = requireOneOf == null ? List.of() : List.copyOf(requireOneOf);
    }

    /** The rule of one field of this array field's items (or of this object field), or null. */
    public FieldRule item(String fieldName) {
        return items.stream().filter(f -> f.name().equals(fieldName)).findFirst().orElse(null);
    }

    /** An object field as an operation of its own (named after the one it belongs to), so it is validated the same way. */
    Operation asOperation(String operationName) {
        return new Operation(operationName, name, null, false, null, null, null, null, null, null, null, false, null, null, false,
                false, items, requireOneOf, rules, null, null);
    }

    /** This object field with {@code parent}'s fields, requireOneOf and rules under its own. */
    FieldRule withFieldsOf(Operation parent) {
        return new FieldRule(name, type, required, allowEmpty, maxLength, allowed, pattern, patternHint, dateFormats, min, max,
                exclusiveMin, integerDigits, fractionDigits, requiredWhen, minItems, maxItems, Operation.merge(parent.fields(), items),
                null, Operation.concat(parent.rules(), rules), requireOneOf.isEmpty() ? parent.requireOneOf() : requireOneOf);
    }
}
