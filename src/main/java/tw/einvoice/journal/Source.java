package tw.einvoice.journal;

/** Where a command came from: {@code kind} file, sftp, sql or api; {@code name} a path or table; {@code ref} a line or key. */
public record Source(String kind, String name, String ref) {

    public static Source file(String path, long line) {
        return new Source("file", path, Long.toString(line));
    }
}
