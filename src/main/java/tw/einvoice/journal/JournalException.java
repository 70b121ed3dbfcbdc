package tw.einvoice.journal;

/** The journal could not be read or written. */
public class JournalException extends RuntimeException {
    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
