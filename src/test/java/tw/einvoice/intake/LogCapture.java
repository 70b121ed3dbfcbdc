package tw.einvoice.intake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps a copy of everything written to System.err (where the log goes: Logback's console appender, System.err target,
 * looks System.err up on each write) while still showing it, so a test can read the log lines written while it ran.
 */
public final class LogCapture implements AutoCloseable {

    private final PrintStream original = System.err;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    public LogCapture() {
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                synchronized (copy) {
                    original.write(b);
                    copy.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                synchronized (copy) {
                    original.write(b, off, len);
                    copy.write(b, off, len);
                }
            }
        }, true, StandardCharsets.UTF_8));
    }

    /** A position in the log, for {@link #since}. */
    public int mark() {
        synchronized (copy) {
            return copy.size();
        }
    }

    /** The log written since {@code mark}. */
    public String since(int mark) {
        synchronized (copy) {
            byte[] all = copy.toByteArray();
            return new String(all, mark, all.length - mark, StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
