package tw.einvoice.protocol;

/** A Data field that breaks a catalog rule: which operation, which field (a path such as {@code Items[2].ItemName}), why. */
public record Violation(String operation, String field, String rule, String message) {

    @Override
    public String toString() {
        return (operation == null || operation.isEmpty() ? "" : operation + ": ") + field + " " + message;
    }
}
