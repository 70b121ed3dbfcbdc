package tw.einvoice.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * Checks a command's Data against its operation's catalog rules, and normalises value types on the way so that
 * text sources (CSV, database columns) can feed typed fields: {@code "2"} for an int field becomes {@code 2}, a number
 * given for a string field becomes its text. Every violation names the operation, the field and the rule.
 */
public final class DataValidator {

    private DataValidator() {
    }

    /** How much of a value a message repeats: enough to recognise it, never a whole megabyte. */
    static final int SHOWN_CHARACTERS = 40;

    /**
     * Validates and normalises {@code data} in place; an empty list means it may be sent. Field rules come first, then
     * the operation's rules across fields ({@link CrossRule}) for the fields that passed their own.
     */
    public static List<Violation> validate(Operation op, ObjectNode data) {
        List<Violation> out = new ArrayList<>();
        checkFields(op, op.fields(), data, "", out);
        if (!op.requireOneOf().isEmpty()) {
            boolean anyComplete = op.requireOneOf().stream()
                    .anyMatch(group -> group.stream().allMatch(f -> present(data.get(f))));
            if (!anyComplete) {
                out.add(new Violation(op.name(), String.join("|", op.requireOneOf().stream().map(g -> String.join("+", g)).toList()),
                        "requireOneOf", "is required: give at least one of " + describeGroups(op.requireOneOf())));
            }
        }
        Set<String> broken = new HashSet<>();
        out.forEach(v -> broken.add(v.field().split("[\\[.]", 2)[0]));
        CrossRuleCheck.apply(op, data, broken, out);
        return out;
    }

    /**
     * A value as a message shows it: control characters as '?', and cut after {@value #SHOWN_CHARACTERS} characters
     * with the full length named, so neither a 1 MB value nor a forged line break reaches a log or a result file.
     */
    public static String shown(String text) {
        String cut = text.length() > SHOWN_CHARACTERS ? text.substring(0, SHOWN_CHARACTERS) : text;
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return text.length() > SHOWN_CHARACTERS ? b + "... (" + text.length() + " characters)" : b.toString();
    }

    private static String describeGroups(List<List<String>> groups) {
        return String.join(" or ", groups.stream().map(g -> String.join(" + ", g)).toList());
    }

    private static void checkFields(Operation op, List<FieldRule> rules, ObjectNode data, String prefix, List<Violation> out) {
        // only what ECPay defines is sent: an unknown field is a mapping mistake (or padding) ECPay would choke on
        for (java.util.Iterator<String> names = data.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (rules.stream().noneMatch(r -> r.name().equals(name))) {
                String hint = rules.stream().filter(r -> r.name().equalsIgnoreCase(name)).map(r -> " (did you mean " + r.name() + "?)")
                        .findFirst().orElse("");
                out.add(new Violation(op.name(), prefix + shown(name), "unknown", "is not a Data field ECPay defines for "
                        + op.name() + hint + ": remove it (docs/validation.md lists the fields)"));
            }
        }
        for (FieldRule rule : rules) {
            String path = prefix + rule.name();
            JsonNode value = data.get(rule.name());
            boolean required = rule.required() || requiredByCondition(rule.requiredWhen(), data);
            if (value == null || value.isNull()) {
                if (required) {
                    out.add(new Violation(op.name(), path, requiredRule(rule), "is required" + conditionText(rule)));
                }
                continue;
            }
            if (value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue())) {
                // 1e999 parses as Infinity, which no decimal can hold
                out.add(new Violation(op.name(), path, "type", "is '" + shown(value.asText()) + "', not a finite number"));
                continue;
            }
            switch (rule.type()) {
                case "int" -> checkInt(op, rule, data, path, value, required, out);
                case "number" -> checkNumber(op, rule, data, path, value, required, out);
                case "array" -> checkArray(op, rule, path, value, out);
                case "object" -> checkObject(op, rule, path, value, out);
                default -> checkString(op, rule, data, path, value, required, out);
            }
        }
    }

    private static boolean requiredByCondition(Map<String, String> when, ObjectNode data) {
        return !when.isEmpty() && when.entrySet().stream()
                .allMatch(e -> data.hasNonNull(e.getKey()) && e.getValue().equals(data.get(e.getKey()).asText().strip()));
    }

    /** "required" for an always-required field, "requiredWhen" for one that another field's value makes required. */
    private static String requiredRule(FieldRule rule) {
        return rule.required() ? "required" : "requiredWhen";
    }

    /**
     * Codes, identifiers and dates (fields with allowed values, a pattern or a date format) lose surrounding blanks:
     * ERP CHAR columns pad them, and ECPay's own IssueConfirm example writes {@code " VG11000002"}. Free text is kept as is.
     */
    private static boolean isCode(FieldRule rule) {
        return !rule.allowed().isEmpty() || rule.pattern() != null || !rule.dateFormats().isEmpty();
    }

    private static String conditionText(FieldRule rule) {
        if (rule.requiredWhen().isEmpty()) {
            return "";
        }
        return " when " + String.join(" and ", rule.requiredWhen().entrySet().stream()
                .map(e -> e.getKey() + " is " + e.getValue()).toList());
    }

    private static void checkString(Operation op, FieldRule rule, ObjectNode data, String path, JsonNode value,
                                    boolean required, List<Violation> out) {
        if (!value.isValueNode()) {
            out.add(new Violation(op.name(), path, "type", "must be text, got " + kind(value)));
            return;
        }
        String raw = value.asText();
        String text = isCode(rule) ? raw.strip() : raw;
        if (!value.isTextual() || !text.equals(raw)) {
            data.put(rule.name(), text);
        }
        if (text.isEmpty()) {
            if (required && !rule.allowEmpty()) {
                out.add(new Violation(op.name(), path, requiredRule(rule), "is required" + conditionText(rule) + " and may not be empty"));
            }
            if (!rule.allowed().contains("")) {
                return;
            }
        }
        if (rule.maxLength() != null && text.length() > rule.maxLength()) {
            out.add(new Violation(op.name(), path, "maxLength",
                    "is " + text.length() + " characters, longer than the " + rule.maxLength() + " allowed"));
        }
        if (!rule.allowed().isEmpty() && !rule.allowed().contains(text)) {
            out.add(new Violation(op.name(), path, "allowed", "is '" + shown(text) + "', allowed: " + allowedText(rule)));
        }
        if (rule.pattern() != null && !text.isEmpty() && !Patterns.matches(rule.pattern(), text)) {
            out.add(new Violation(op.name(), path, "pattern", "is '" + shown(text) + "', expected "
                    + (rule.patternHint() != null ? rule.patternHint() : "to match " + rule.pattern())));
        }
        if (!rule.dateFormats().isEmpty() && !text.isEmpty() && !isDate(text, rule.dateFormats())) {
            out.add(new Violation(op.name(), path, "dateFormat", "is '" + shown(text) + "', not a date in the form "
                    + String.join(" or ", rule.dateFormats())));
        }
    }

    private static String allowedText(FieldRule rule) {
        return String.join(", ", rule.allowed().stream().map(a -> a.isEmpty() ? "(empty)" : a).toList());
    }

    private static void checkInt(Operation op, FieldRule rule, ObjectNode data, String path, JsonNode value,
                                 boolean required, List<Violation> out) {
        long number;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            number = value.asLong();
        } else if (value.isFloatingPointNumber() && isWholeLong(value.decimalValue())) {
            // 2.0 or a database NUMERIC 2 is the whole number 2
            number = value.decimalValue().longValueExact();
            putWhole(data, rule.name(), number);
        } else if (value.isTextual() && Patterns.matches("-?\\d{1,18}", value.asText().strip())) {
            number = Long.parseLong(value.asText().strip());
            putWhole(data, rule.name(), number);
        } else if (value.isTextual() && value.asText().isBlank()) {
            blank(op, rule, data, path, required, out);
            return;
        } else {
            out.add(new Violation(op.name(), path, "type", "must be a whole number, got " + describe(value)));
            return;
        }
        checkRange(op, rule, path, BigDecimal.valueOf(number), out);
        if (!rule.allowed().isEmpty() && !rule.allowed().contains(Long.toString(number))) {
            out.add(new Violation(op.name(), path, "allowed", "is " + number + ", allowed: " + allowedText(rule)));
        }
    }

    /** As Jackson would have read it: an int node when it fits, so that a normalised command equals its re-read JSON. */
    private static void putWhole(ObjectNode data, String field, long number) {
        if (number == (int) number) {
            data.put(field, (int) number);
        } else {
            data.put(field, number);
        }
    }

    private static boolean isWholeLong(BigDecimal d) {
        try {
            d.longValueExact();
            return true;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    private static void checkNumber(Operation op, FieldRule rule, ObjectNode data, String path, JsonNode value,
                                    boolean required, List<Violation> out) {
        BigDecimal number;
        if (value.isNumber()) {
            number = value.decimalValue();
        } else if (value.isTextual() && value.asText().isBlank()) {
            blank(op, rule, data, path, required, out);
            return;
        } else if (!value.isTextual()) {
            out.add(new Violation(op.name(), path, "type", "must be a number, got " + describe(value)));
            return;
        } else {
            try {
                number = new BigDecimal(value.asText().strip());
                data.put(rule.name(), number);
            } catch (NumberFormatException e) {
                out.add(new Violation(op.name(), path, "type", "must be a number, got " + describe(value)));
                return;
            }
        }
        checkRange(op, rule, path, number, out);
    }

    /** A blank text for a numeric field (an empty CSV cell) means "not given". */
    private static void blank(Operation op, FieldRule rule, ObjectNode data, String path, boolean required, List<Violation> out) {
        if (required) {
            out.add(new Violation(op.name(), path, requiredRule(rule), "is required" + conditionText(rule) + " and may not be empty"));
        } else {
            data.remove(rule.name());
        }
    }

    private static void checkRange(Operation op, FieldRule rule, String path, BigDecimal number, List<Violation> out) {
        if (rule.exclusiveMin() != null && number.compareTo(BigDecimal.valueOf(rule.exclusiveMin())) <= 0) {
            out.add(new Violation(op.name(), path, "exclusiveMin", "is " + number.toPlainString() + ", must be above " + rule.exclusiveMin()));
        }
        BigDecimal plain = number.stripTrailingZeros();
        int fraction = Math.max(0, plain.scale());
        int integer = Math.max(0, plain.precision() - plain.scale());
        if (rule.integerDigits() != null && integer > rule.integerDigits()) {
            out.add(new Violation(op.name(), path, "integerDigits", "is " + number.toPlainString() + ": more than "
                    + rule.integerDigits() + " digits before the decimal point"));
        }
        if (rule.fractionDigits() != null && fraction > rule.fractionDigits()) {
            out.add(new Violation(op.name(), path, "fractionDigits", "is " + number.toPlainString() + ": more than "
                    + rule.fractionDigits() + " digits after the decimal point"));
        }
        if (rule.min() != null && number.compareTo(BigDecimal.valueOf(rule.min())) < 0) {
            out.add(new Violation(op.name(), path, "min", "is " + number.toPlainString() + ", below the minimum " + rule.min()));
        }
        if (rule.max() != null && number.compareTo(BigDecimal.valueOf(rule.max())) > 0) {
            out.add(new Violation(op.name(), path, "max", "is " + number.toPlainString() + ", above the maximum " + rule.max()));
        }
    }

    private static void checkArray(Operation op, FieldRule rule, String path, JsonNode value, List<Violation> out) {
        if (!value.isArray()) {
            out.add(new Violation(op.name(), path, "type", "must be a list, got " + kind(value)));
            return;
        }
        ArrayNode array = (ArrayNode) value;
        if (rule.minItems() != null && array.size() < rule.minItems()) {
            out.add(new Violation(op.name(), path, "minItems", "has " + array.size() + " entries, at least " + rule.minItems() + " needed"));
        }
        if (rule.maxItems() != null && array.size() > rule.maxItems()) {
            out.add(new Violation(op.name(), path, "maxItems", "has " + array.size() + " entries, at most " + rule.maxItems() + " allowed"));
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            String itemPath = path + "[" + i + "]";
            if (!item.isObject()) {
                out.add(new Violation(op.name(), itemPath, "type", "must be an object, got " + kind(item)));
            } else {
                checkFields(op, rule.items(), (ObjectNode) item, itemPath + ".", out);
            }
        }
    }

    /** An object field (VoidWithReIssue's IssueModel) is checked as an operation of its own: fields, requireOneOf, rules. */
    private static void checkObject(Operation op, FieldRule rule, String path, JsonNode value, List<Violation> out) {
        if (!value.isObject()) {
            out.add(new Violation(op.name(), path, "type", "must be an object, got " + kind(value)));
            return;
        }
        for (Violation v : validate(rule.asOperation(op.name()), (ObjectNode) value)) {
            out.add(new Violation(op.name(), path + "." + v.field(), v.rule(), v.message()));
        }
    }

    /** The catalog's date forms, each built once (strict: 2026/02/30 is no date). */
    private static final java.util.Map<String, DateTimeFormatter> DATE_FORMATS = new java.util.concurrent.ConcurrentHashMap<>();

    private static boolean isDate(String text, List<String> formats) {
        for (String format : formats) {
            try {
                LocalDate.parse(text, DATE_FORMATS.computeIfAbsent(format, f -> DateTimeFormatter.ofPattern(f.replace("yyyy", "uuuu"))
                        .withResolverStyle(ResolverStyle.STRICT)));
                return true;
            } catch (DateTimeParseException ignored) {
                // try the next accepted form
            }
        }
        return false;
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !(node.isTextual() && node.asText().isEmpty());
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String describe(JsonNode node) {
        return node.isValueNode() ? "'" + shown(node.asText()) + "'" : kind(node);
    }
}
