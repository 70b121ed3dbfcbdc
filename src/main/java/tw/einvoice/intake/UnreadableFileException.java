package tw.einvoice.intake;

/** A drop file that cannot be read at all (binary data, wrong encoding, a CSV without a usable header). */
public class UnreadableFileException extends RuntimeException {
    public UnreadableFileException(String message) {
        super(message);
    }
}
