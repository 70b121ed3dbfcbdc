package tw.einvoice.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Applies an operation's {@link CrossRule}s to Data whose fields are each valid on their own. */
final class CrossRuleCheck {

    private CrossRuleCheck() {
    }

    /**
     * @param broken top-level fields that already broke a field rule: a rule that reads one of them is skipped, so one
     *               mistake is reported once
     */
    static void apply(Operation op, ObjectNode data, Set<String> broken, List<Violation> out) {
        for (CrossRule rule : op.rules()) {
            if (rule.fields().stream().map(CrossRuleCheck::topLevel).anyMatch(broken::contains) || !applies(rule, data)) {
                continue;
            }
            String condition = conditionText(rule);
            String why = rule.why().isEmpty() ? "" : ": " + rule.why();
            for (String f : rule.require()) {
                for (Value v : values(data, f)) {
                    if (v.text().isEmpty()) {
                        out.add(new Violation(op.name(), v.path(), rule.id(), "is required" + condition + why));
                    }
                }
            }
            for (String f : rule.forbid()) {
                for (Value v : values(data, f)) {
                    if (!v.text().isEmpty()) {
                        out.add(new Violation(op.name(), v.path(), rule.id(),
                                "is '" + DataValidator.shown(v.text()) + "', must be empty" + condition + why));
                    }
                }
            }
            rule.allow().forEach((f, allowed) -> {
                for (Value v : values(data, f)) {
                    if (!allowed.contains(v.text())) {
                        out.add(new Violation(op.name(), v.path(), rule.id(), "is " + quoted(v.text()) + ", allowed"
                                + condition + ": " + String.join(", ", allowed.stream().map(a -> a.isEmpty() ? "(empty)" : a).toList())
                                + why));
                    }
                }
            });
            rule.match().forEach((f, m) -> {
                Pattern p = Patterns.of(m.pattern());
                for (Value v : values(data, f)) {
                    if (!v.text().isEmpty() && !p.matcher(v.text()).matches()) {
                        out.add(new Violation(op.name(), v.path(), rule.id(), "is '" + DataValidator.shown(v.text()) + "', expected "
                                + (m.hint() == null ? "to match " + m.pattern() : m.hint()) + condition + why));
                    }
                }
            });
            rule.range().forEach((f, r) -> {
                for (Value v : values(data, f)) {
                    BigDecimal n = number(v.node());
                    if (n != null && (n.compareTo(r.get(0)) < 0 || n.compareTo(r.get(1)) > 0)) {
                        out.add(new Violation(op.name(), v.path(), rule.id(), "is " + n.toPlainString() + ", must be "
                                + r.get(0).toPlainString() + " to " + r.get(1).toPlainString() + condition + why));
                    }
                }
            });
            if (rule.check() != null) {
                switch (rule.check()) {
                    case "sum" -> sum(op, rule, data, condition + why, out);
                    case "product" -> product(op, rule, data, condition + why, out);
                    case "rate" -> rate(op, rule, data, condition + why, out);
                    default -> unique(op, rule, data, why, out);
                }
            }
        }
    }

    private static void sum(Operation op, CrossRule rule, ObjectNode data, String why, List<Violation> out) {
        BigDecimal total = BigDecimal.ZERO;
        for (String of : rule.of()) {
            for (Value v : values(data, of)) {
                BigDecimal n = number(v.node());
                if (n == null) {
                    return; // a missing amount is reported by its own field rule
                }
                total = total.add(n);
            }
        }
        BigDecimal rounded = total.setScale(0, RoundingMode.HALF_UP);
        String parts = rule.of().size() == 1 ? "the " + rule.of().get(0) + " values add" : String.join(" + ", rule.of()) + " adds";
        for (Value v : values(data, rule.field())) {
            BigDecimal n = number(v.node());
            if (n != null && n.compareTo(rounded) != 0) {
                out.add(new Violation(op.name(), v.path(), rule.id(), "is " + n.toPlainString() + ", but " + parts
                        + " up to " + total.stripTrailingZeros().toPlainString()
                        + (total.compareTo(rounded) == 0 ? "" : " (" + rounded.toPlainString() + " rounded)") + why));
            }
        }
    }

    /** field = of x factor, rounded half up to a whole amount, give or take the rule's tolerance. */
    private static void rate(Operation op, CrossRule rule, ObjectNode data, String why, List<Violation> out) {
        BigDecimal base = number(data.get(rule.of().get(0)));
        BigDecimal result = number(data.get(rule.field()));
        if (base == null || result == null) {
            return;
        }
        BigDecimal expected = base.multiply(rule.factor()).setScale(0, RoundingMode.HALF_UP);
        BigDecimal tolerance = rule.tolerance() == null ? BigDecimal.ZERO : rule.tolerance();
        if (result.subtract(expected).abs().compareTo(tolerance) > 0) {
            out.add(new Violation(op.name(), rule.field(), rule.id(), "is " + result.toPlainString() + ", but " + rule.of().get(0)
                    + " " + base.toPlainString() + " x " + rule.factor().stripTrailingZeros().toPlainString() + " is "
                    + expected.toPlainString() + " rounded" + why));
        }
    }

    private static void product(Operation op, CrossRule rule, ObjectNode data, String why, List<Violation> out) {
        List<Value> results = values(data, rule.field());
        List<Value> first = values(data, rule.of().get(0));
        List<Value> second = values(data, rule.of().get(1));
        for (int i = 0; i < results.size() && i < first.size() && i < second.size(); i++) {
            BigDecimal result = number(results.get(i).node());
            BigDecimal a = number(first.get(i).node());
            BigDecimal b = number(second.get(i).node());
            if (result == null || a == null || b == null) {
                continue;
            }
            BigDecimal product = a.multiply(b);
            BigDecimal tolerance = rule.tolerance() == null ? BigDecimal.ZERO : rule.tolerance();
            if (rule.tolerancePerUnit() != null) {
                tolerance = tolerance.max(rule.tolerancePerUnit().multiply(b.abs()));
            }
            if (result.subtract(product).abs().compareTo(tolerance) > 0) {
                out.add(new Violation(op.name(), results.get(i).path(), rule.id(), "is " + result.toPlainString() + ", but "
                        + name(rule.of().get(0)) + " x " + name(rule.of().get(1)) + " is " + a.toPlainString() + " x "
                        + b.toPlainString() + " = " + product.stripTrailingZeros().toPlainString() + why));
            }
        }
    }

    private static void unique(Operation op, CrossRule rule, ObjectNode data, String why, List<Violation> out) {
        Map<String, String> seen = new HashMap<>();
        for (Value v : values(data, rule.field())) {
            if (v.text().isEmpty()) {
                continue;
            }
            String earlier = seen.putIfAbsent(v.text(), v.path());
            if (earlier != null) {
                out.add(new Violation(op.name(), v.path(), rule.id(), "is " + v.text() + ", as " + earlier + " is" + why));
            }
        }
    }

    private static boolean applies(CrossRule rule, ObjectNode data) {
        for (Map.Entry<String, JsonNode> c : rule.when().entrySet()) {
            List<String> wanted = new ArrayList<>();
            if (c.getValue().isArray()) {
                c.getValue().forEach(v -> wanted.add(v.asText()));
            } else {
                wanted.add(c.getValue().asText());
            }
            // an item field holds when some item holds it
            boolean any = values(data, c.getKey()).stream().anyMatch(v -> wanted.stream().anyMatch(w -> matches(w, v.text())));
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(String wanted, String actual) {
        return wanted.equals("*") ? !actual.isEmpty() : wanted.equals(actual);
    }

    private static String conditionText(CrossRule rule) {
        if (rule.when().isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        rule.when().forEach((f, v) -> {
            List<String> values = new ArrayList<>();
            if (v.isArray()) {
                v.forEach(e -> values.add(e.asText()));
            } else {
                values.add(v.asText());
            }
            String subject = f.contains("[].") ? "some item's " + name(f) : f;
            if (values.equals(List.of("*"))) {
                parts.add(subject + " is given");
            } else if (values.equals(List.of(""))) {
                parts.add(subject + " is empty");
            } else {
                parts.add(subject + " is " + String.join(" or ", values.stream().map(x -> x.isEmpty() ? "empty" : x).toList()));
            }
        });
        return " when " + String.join(" and ", parts);
    }

    /** One value the rule reads: a top-level field, or the field of each item. */
    private record Value(String path, JsonNode node, String text) {
    }

    private static List<Value> values(ObjectNode data, String path) {
        int bracket = path.indexOf("[].");
        if (bracket < 0) {
            return List.of(value(path, data.get(path)));
        }
        String list = path.substring(0, bracket);
        String field = path.substring(bracket + 3);
        List<Value> out = new ArrayList<>();
        JsonNode items = data.get(list);
        if (items != null && items.isArray()) {
            for (int i = 0; i < items.size(); i++) {
                out.add(value(list + "[" + i + "]." + field, items.get(i).get(field)));
            }
        }
        return out;
    }

    private static Value value(String path, JsonNode node) {
        String text = node == null || node.isNull() ? "" : node.isValueNode() ? node.asText().strip() : node.toString();
        return new Value(path, node, text);
    }

    private static BigDecimal number(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        try {
            return new BigDecimal(node.asText().strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String topLevel(String path) {
        int cut = path.indexOf('[');
        return cut < 0 ? path : path.substring(0, cut);
    }

    private static String name(String path) {
        int bracket = path.indexOf("[].");
        return bracket < 0 ? path : path.substring(bracket + 3);
    }

    private static String quoted(String text) {
        return text.isEmpty() ? "empty" : "'" + DataValidator.shown(text) + "'";
    }
}
