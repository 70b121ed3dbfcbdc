package tw.einvoice.intake;

/**
 * One non-blank line of a drop file: its 1-based physical line number and text, or the reason it could not even be
 * decoded (then {@code text} is null).
 */
public record DropLine(long number, String text, String problem) {
}
