package tw.einvoice.protocol;

import java.util.List;
import java.util.stream.Collectors;

/** A command that cannot be sent, with every rule it breaks. */
public class InvalidCommandException extends IllegalArgumentException {

    private final String commandId;
    private final List<Violation> violations;

    public InvalidCommandException(String commandId, List<Violation> violations) {
        super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        this.commandId = commandId;
        this.violations = List.copyOf(violations);
    }

    public String commandId() {
        return commandId;
    }

    public List<Violation> violations() {
        return violations;
    }

    /** The first offending field, for one-column reports. */
    public String field() {
        return violations.isEmpty() ? "" : violations.get(0).field();
    }
}
