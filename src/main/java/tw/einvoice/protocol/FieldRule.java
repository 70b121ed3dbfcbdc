package tw.einvoice.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * One Data field of an operation and the rules it must meet, as written in the operation catalog.
 * {@code exclusiveMin}: the value must be above it (ItemCount above 0). {@code integerDigits} / {@code fractionDigits}:
 * how many digits ECPay takes before and after the decimal point (ItemPrice: 10 and 7).
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
        List<FieldRule> items) {

    public FieldRule {
        type = type == null ? "string" : type;
        allowed = allowed == null ? List.of() : List.copyOf(allowed);
        dateFormats = dateFormats == null ? List.of() : List.copyOf(dateFormats);
        requiredWhen = requiredWhen == null ? Map.of() : Map.copyOf(requiredWhen);
        items = items == null ? List.of() : List.copyOf(items);
    }

    /** The rule of one field of this array field's items, or null. */
    public FieldRule item(String fieldName) {
        return items.stream().filter(f -> f.name().equals(fieldName)).findFirst().orElse(null);
    }
}
