package tw.einvoice.journal;

/**
 * A command's state in the journal. {@code NEW → IN_FLIGHT → SUCCEEDED | RETRY | UNKNOWN | DEAD}; RETRY and UNKNOWN
 * are claimed again when due. SUCCEEDED and DEAD are final.
 */
public enum CommandState {
    NEW, IN_FLIGHT, SUCCEEDED, RETRY, UNKNOWN, DEAD;

    public boolean isFinal() {
        return this == SUCCEEDED || this == DEAD;
    }
}
