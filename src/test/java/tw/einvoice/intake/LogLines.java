package tw.einvoice.intake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The log as the tests' Logback console appender writes it (to the current System.err): a copy of every byte from {@link #start()} on, so a
 * test can count the lines a stretch of time produced.
 */
public final class LogLines {

    private static final PrintStream ORIGINAL = System.err;
    private static final ByteArrayOutputStream COPY = new ByteArrayOutputStream();

    private LogLines() {
    }

    public static synchronized void start() {
        if (System.err == ORIGINAL) {
            System.setErr(new PrintStream(new Tee(ORIGINAL), true, StandardCharsets.UTF_8));
        }
    }

    public static synchronized void stop() {
        System.setErr(ORIGINAL);
    }

    /** A position in the log. */
    public static int mark() {
        synchronized (COPY) {
            return COPY.size();
        }
    }

    /** The lines written since the mark. */
    public static List<String> since(int mark) {
        byte[] all;
        synchronized (COPY) {
            all = COPY.toByteArray();
        }
        int from = Math.min(mark, all.length);
        String tail = new String(all, from, all.length - from, StandardCharsets.UTF_8);
        return Arrays.stream(tail.split("\n")).filter(l -> !l.isBlank()).toList();
    }

    private static final class Tee extends OutputStream {
        private final OutputStream out;

        Tee(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            synchronized (COPY) {
                COPY.write(b);
            }
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (COPY) {
                COPY.write(b, off, len);
            }
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
