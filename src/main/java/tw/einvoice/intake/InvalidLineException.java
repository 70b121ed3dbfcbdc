package tw.einvoice.intake;

/** A line that cannot become a command: which line, which field, and why. The rest of the file goes on. */
public class InvalidLineException extends RuntimeException {

    private final long line;
    private final String field;
    private final String reason;
    private final String commandId;

    public InvalidLineException(long line, String field, String reason, String commandId) {
        super("line " + line + ": " + (field == null || field.isEmpty() ? "" : field + " ") + reason);
        this.line = line;
        this.field = field == null ? "" : field;
        this.reason = reason;
        this.commandId = commandId;
    }

    public long line() {
        return line;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }

    /** The command's id when it could be read, else null. */
    public String commandId() {
        return commandId;
    }
}
