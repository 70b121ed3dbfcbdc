package tw.einvoice.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's state on disk: {@code state.jsonl} in the state folder, one JSON line per change (a merchant's
 * tracks, invoices and delayed stagings as they are after the change). A change is written before the reply that
 * reports it leaves, so a process that is killed has lost nothing it answered. At start the file is read back (a last
 * line cut short by a kill mid-write is skipped: that request was never answered), then rewritten compact (one line
 * per merchant) under a temporary name and renamed over the old one in one step. {@code lock} keeps a second sandbox
 * off the same folder.
 */
final class SandboxStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String STATE_FILE = "state.jsonl";
    private static final String LOCK_FILE = "lock";

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private FileChannel log;

    private SandboxStore(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Opens (creating) the folder, takes its lock and hands every recorded change to {@code replay}, oldest first. */
    static SandboxStore open(Path dir, Consumer<ObjectNode> replay) {
        try {
            createPrivateDirectories(dir);
            FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                lockChannel.close();
                throw new IllegalStateException("ECPay sandbox state folder " + dir.toAbsolutePath()
                        + " is in use by another sandbox: stop it, or give this one another sandbox.state-dir");
            }
            SandboxStore store = new SandboxStore(dir, lockChannel, lock);
            store.replay(replay);
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("ECPay sandbox cannot use its state folder " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    private void replay(Consumer<ObjectNode> replay) throws IOException {
        Path file = dir.resolve(STATE_FILE);
        if (!Files.exists(file)) {
            return;
        }
        int lineNo = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            String pendingBad = null;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                if (pendingBad != null) {
                    // only the very last line can be cut short by a kill; anything else is a damaged file
                    throw new IllegalStateException("ECPay sandbox state file " + file.toAbsolutePath() + " is damaged at line "
                            + (lineNo - 1) + " (" + pendingBad + "): move it away to start from scratch");
                }
                ObjectNode change;
                try {
                    change = (ObjectNode) JSON.readTree(line);
                } catch (JsonProcessingException | ClassCastException e) {
                    pendingBad = e.getClass().getSimpleName();
                    continue;
                }
                replay.accept(change);
            }
            if (pendingBad != null) {
                LOG.warn("ECPay sandbox: the last line of {} was cut short (the process stopped while writing it, before "
                        + "answering): skipped", file);
            }
        }
    }

    /** Replaces the file with {@code state} (one line per merchant) in one rename, then appends from there. */
    void compact(List<ObjectNode> state) {
        Path file = dir.resolve(STATE_FILE);
        Path tmp = dir.resolve(STATE_FILE + ".tmp");
        try {
            closeLog();
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                for (ObjectNode merchant : state) {
                    writeFully(out, line(merchant));
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            restrict(file);
            log = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("ECPay sandbox cannot write its state file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Appends one change. Written to the operating system before the caller answers: a killed process keeps it (a
     * machine that loses power may not: the file is not forced to disk on every change).
     */
    synchronized void append(ObjectNode change) {
        if (log == null) {
            throw new IllegalStateException("ECPay sandbox state file is closed");
        }
        try {
            writeFully(log, line(change));
        } catch (IOException e) {
            throw new UncheckedIOException("ECPay sandbox cannot record a change in " + dir.resolve(STATE_FILE).toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
    }

    Path dir() {
        return dir;
    }

    @Override
    public synchronized void close() {
        try {
            closeLog();
            if (lock.isValid()) {
                lock.release();
            }
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("ECPay sandbox: closing the state file: {}", e.toString());
        }
    }

    private synchronized void closeLog() throws IOException {
        if (log != null) {
            log.close();
            log = null;
        }
    }

    private static ByteBuffer line(ObjectNode change) throws JsonProcessingException {
        return ByteBuffer.wrap((JSON.writeValueAsString(change) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** The state holds buyers' e-mail addresses and phone numbers: readable by the owner only, where the system allows. */
    private static void createPrivateDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (posix()) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static void restrict(Path file) throws IOException {
        if (posix()) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
