package tw.einvoice.intake;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Streams a drop file line by line with a fixed amount of memory, whatever its size. Lines are split on bytes
 * ({@code \n}, optional {@code \r}) and each is decoded strictly on its own, so one badly encoded line is rejected
 * alone and the rest of the file goes on (neither UTF-8 nor Big5 ever uses the byte 0x0A inside a character).
 * A UTF-8 byte order mark is dropped. Blank lines are skipped.
 *
 * <p>A file taken while it may still be written (no done file) is read with a {@link Follow}: at its end the reader
 * waits until the file stayed unchanged for the quiet period, and reads on if it grew, so lines appended meanwhile
 * (or the rest of a half-written last line) are taken too.
 */
public final class DropReader implements Iterator<DropLine>, Closeable {

    /** Longer lines are rejected and skipped, so garbage without line breaks cannot exhaust the heap. */
    public static final int MAX_LINE_BYTES = 1 << 20;
    private static final int SNIFF_BYTES = 8192;

    private final InputStream in;
    private final CharsetDecoder decoder;
    private final String charsetName;
    private final Follow follow;
    private byte[] buf = new byte[4096];
    private long lineNumber;
    private long position;
    private DropLine next;
    private boolean eof;

    private DropReader(InputStream in, Charset charset, Follow follow) {
        this.in = in;
        this.follow = follow;
        this.charsetName = charset.name();
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /**
     * Opens a file for reading, after checking that its start looks like text.
     *
     * @throws UnreadableFileException when the file holds NUL bytes or its start is not text in {@code charset}
     */
    public static DropReader open(Path path, Charset charset) {
        return open(path, charset, null);
    }

    /** As {@link #open(Path, Charset)}, reading on while the file grows when {@code follow} is given. */
    public static DropReader open(Path path, Charset charset, Follow follow) {
        try {
            BufferedInputStream in = new BufferedInputStream(Files.newInputStream(path), 65536);
            DropReader reader = new DropReader(in, charset, follow);
            try {
                reader.sniff();
            } catch (IOException | RuntimeException e) {
                reader.close();
                throw e;
            }
            return reader;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + path.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Binary data shows itself in the first few kilobytes: NUL bytes. A file in another charset shows itself there too:
     * most of its lines do not decode. One bad line among good ones is rejected alone, wherever it is.
     */
    private void sniff() throws IOException {
        in.mark(SNIFF_BYTES + 1);
        byte[] head = in.readNBytes(SNIFF_BYTES);
        in.reset();
        for (byte b : head) {
            if (b == 0) {
                throw new UnreadableFileException("holds binary data (NUL bytes), not " + charsetName + " text");
            }
        }
        int end = head.length;
        if (head.length == SNIFF_BYTES) {
            // the sample may end in the middle of a character: judge only up to the last complete line
            int lastBreak = lastIndexOf(head, (byte) '\n');
            end = lastBreak < 0 ? 0 : lastBreak;
        }
        int good = 0;
        int bad = 0;
        int start = 0;
        while (start < end) {
            int stop = start;
            while (stop < end && head[stop] != '\n') {
                stop++;
            }
            int len = stop - start;
            if (len > 0 && head[stop - 1] == '\r') {
                len--;
            }
            if (!isBlank(head, start, len)) {
                if (decodes(Arrays.copyOfRange(head, start, start + len))) {
                    good++;
                } else {
                    bad++;
                }
            }
            start = stop + 1;
        }
        if (bad > good) {
            throw new UnreadableFileException("is not " + charsetName + " text (" + bad + " of the first " + (good + bad)
                    + " lines are not" + (charsetName.equals("UTF-8") ? "; a Big5 file is named x.big5.csv or x.big5.jsonl"
                    : "") + ")");
        }
    }

    private static boolean isBlank(byte[] bytes, int from, int len) {
        for (int i = from; i < from + len; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    private static int lastIndexOf(byte[] bytes, byte b) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private boolean decodes(byte[] bytes) {
        try {
            decoder.reset().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null && !eof) {
            next = readLine();
        }
        return next != null;
    }

    @Override
    public DropLine next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        DropLine line = next;
        next = null;
        return line;
    }

    /** The physical number of the last line read (blank lines included). */
    public long lineNumber() {
        return lineNumber;
    }

    /** Bytes read so far. */
    public long position() {
        return position;
    }

    /** The next byte, or -1 at the end of the file (once it stopped growing, when followed). */
    private int read() throws IOException {
        int b = in.read();
        if (b == -1 && follow != null && follow.more(position)) {
            b = in.read();
        }
        if (b != -1) {
            position++;
        }
        return b;
    }

    private DropLine readLine() {
        try {
            while (true) {
                int len = 0;
                boolean tooLong = false;
                int b;
                while ((b = read()) != -1 && b != '\n') {
                    if (len == MAX_LINE_BYTES) {
                        tooLong = true;
                        continue;
                    }
                    if (len == buf.length) {
                        buf = Arrays.copyOf(buf, Math.min(MAX_LINE_BYTES, buf.length * 2));
                    }
                    buf[len++] = (byte) b;
                }
                if (b == -1 && len == 0 && !tooLong) {
                    eof = true;
                    return null;
                }
                lineNumber++;
                if (b == -1) {
                    eof = true;
                }
                if (tooLong) {
                    return new DropLine(lineNumber, null, "is longer than " + MAX_LINE_BYTES + " bytes");
                }
                if (len > 0 && buf[len - 1] == '\r') {
                    len--;
                }
                String text;
                try {
                    CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(buf, 0, len));
                    text = chars.toString();
                } catch (CharacterCodingException e) {
                    return new DropLine(lineNumber, null, "is not valid " + charsetName + " text");
                }
                if (lineNumber == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                if (!text.isBlank()) {
                    return new DropLine(lineNumber, text, null);
                }
                if (eof) {
                    return null;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read line " + (lineNumber + 1) + ": " + e.getMessage(), e);
        }
    }

    /**
     * How a file that may still be written is read to its end: the end counts once the file's size and time stamp
     * stayed the same for the quiet period (measured here, so a writer's clock does not matter). The file was quiet
     * when it was taken, so a file that did not change since is at its end at once.
     */
    public static final class Follow {
        private final Path path;
        private final long quietNanos;
        private long size;
        private long modified;
        private long since;
        private boolean grew;

        /** {@code size} and {@code modified} (epoch ms) as the file was when it was taken. */
        public Follow(Path path, long size, long modified, Duration quiet) {
            this.path = path;
            this.quietNanos = quiet.toNanos();
            this.size = size;
            this.modified = modified;
            this.since = System.nanoTime() - quietNanos;
        }

        /** True when the file grew after it was taken (and the reader read on). */
        public boolean grew() {
            return grew;
        }

        boolean more(long position) throws IOException {
            while (true) {
                long s = Files.size(path);
                if (s > position) {
                    grew = true;
                    return true;
                }
                long m = Files.getLastModifiedTime(path).toMillis();
                long now = System.nanoTime();
                if (s != size || m != modified) {
                    size = s;
                    modified = m;
                    since = now;
                }
                long left = quietNanos - (now - since);
                if (left <= 0) {
                    return false;
                }
                try {
                    Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // reading is over; nothing to save
        }
    }
}
