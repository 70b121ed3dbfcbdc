package tw.einvoice.protocol;

/** A {@code Data} value that could not be turned back into JSON, with the precise reason. Never carries key material. */
public class EcpayCipherException extends RuntimeException {

    public enum Reason { EMPTY, NOT_BASE64, BAD_LENGTH, BAD_PADDING, NOT_URL_ENCODED }

    private final Reason reason;

    public EcpayCipherException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
