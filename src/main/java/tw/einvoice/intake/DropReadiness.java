package tw.einvoice.intake;

import tw.einvoice.protocol.SafeText;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which files of the local inbox are ready to be taken (the file consumer's {@code filter}):
 * <ul>
 * <li>a drop with a done file beside it ({@code x.csv.done} or {@code x.csv.ok}, written after x.csv is complete) is
 * ready at once; the done file is deleted once the drop has left the inbox (a done file left without its drop for the
 * quiet period is removed too, so that it cannot announce the next drop of that name);</li>
 * <li>without one: with {@code doneFile=required} it waits (said once in the log); with {@code optional} (the default)
 * it is ready once its size and time stamp stayed the same for the quiet period, measured here from poll to poll
 * (a writer's clock does not matter) — a file renamed into place when complete is ready after one quiet period;</li>
 * <li>a name starting with a dot is a hidden, temporary name: ignored, said once in the log;</li>
 * <li>a name the inbox cannot take (longer than {@value DropNames#MAX_INBOX_NAME_BYTES} bytes) is moved to
 * {@code .failed} under a shortened name, with one log line.</li>
 * </ul>
 */
public class DropReadiness implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger(DropReadiness.class);
    private static final Duration FORGET = Duration.ofMinutes(10);

    public enum DoneFile { OPTIONAL, REQUIRED }

    private record Seen(long size, long modified, long since, long lastSeen) {
    }

    private DoneFile doneFile = DoneFile.OPTIONAL;
    private List<String> doneSuffixes = List.of(".done", ".ok");
    private Duration quiet = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final Set<String> told = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 10_000;
        }
    }));
    private long lastPrune = System.nanoTime();

    @Override
    public boolean accept(GenericFile<File> file) {
        if (file.isDirectory()) {
            return false;
        }
        String name = file.getFileNameOnly();
        Path path = file.getFile().toPath();
        String dropName = dropOfDoneFile(name);
        if (dropName != null) {
            removeIfOrphan(path, dropName, file.getFileLength(), file.getLastModified());
            return false;
        }
        if (DropFormat.of(name) == null) {
            return false; // .part names and anything else that is no drop
        }
        if (name.startsWith(".")) {
            once(path, () -> LOG.info("Intake ignores {}: a name starting with a dot is a hidden, temporary name; rename it to {} "
                    + "to have it taken", SafeText.log(name), SafeText.log(name.replaceFirst("^\\.+", ""))));
            return false;
        }
        if (DropNames.utf8Length(name) > DropNames.MAX_INBOX_NAME_BYTES) {
            moveToFailed(path, name);
            return false;
        }
        removeOrphanLock(path);
        if (!markers(path, doneSuffixes).isEmpty()) {
            return true;
        }
        if (doneFile == DoneFile.REQUIRED) {
            once(path, () -> LOG.info("Intake: {} waits for its done file ({}), as intake.file.done-file=required",
                    SafeText.log(name), String.join(" or ", doneSuffixes.stream().map(s -> SafeText.log(name) + s).toList())));
            return false;
        }
        return quiet(path.toAbsolutePath().toString(), file.getFileLength(), file.getLastModified());
    }

    /** When this JVM started: a read-lock file older than that was left by a process that was killed. */
    private static final long STARTED = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();

    /**
     * A drop's read-lock file ({@code x.csv.camelLock}) left by a process killed while it read the drop would keep the
     * drop from being taken for ever. Camel deletes such orphans at start only for drops this filter accepts at once,
     * which a drop waiting for its quiet period is not; so they are removed here (the drop is taken again, and
     * journaling is idempotent).
     */
    private void removeOrphanLock(Path drop) {
        Path lock = drop.resolveSibling(drop.getFileName() + ".camelLock");
        try {
            if (Files.exists(lock) && Files.getLastModifiedTime(lock).toMillis() < STARTED && Files.deleteIfExists(lock)) {
                LOG.warn("Intake: {} was being read when the previous run ended without a stop; its read lock is removed "
                        + "and the drop is taken again", SafeText.log(drop.getFileName()));
            }
        } catch (IOException e) {
            once(lock, () -> LOG.warn("Intake: the read lock {} left by an earlier run cannot be removed: {}",
                    SafeText.log(lock.getFileName()), SafeText.log(e.getMessage())));
        }
    }

    /** True once the file kept its size and time stamp for the quiet period. */
    private boolean quiet(String key, long size, long modified) {
        long now = System.nanoTime();
        prune(now);
        Seen s = seen.get(key);
        if (s == null || s.size() != size || s.modified() != modified) {
            seen.put(key, new Seen(size, modified, now, now));
            return quiet.isZero();
        }
        seen.put(key, new Seen(size, modified, s.since(), now));
        return now - s.since() >= quiet.toNanos();
    }

    /** The drop a done file stands for ({@code x.csv} for {@code x.csv.done}), or null when the name is no done file. */
    private String dropOfDoneFile(String name) {
        for (String suffix : doneSuffixes) {
            if (name.length() > suffix.length() && name.endsWith(suffix)) {
                String drop = name.substring(0, name.length() - suffix.length());
                return DropFormat.of(drop) == null ? null : drop;
            }
        }
        return null;
    }

    /**
     * A done file whose drop is not in the inbox, and stays so for the quiet period, is removed: its drop was taken
     * before it came (or never came), and left there it would announce the next drop of that name as complete at once.
     */
    private void removeIfOrphan(Path marker, String dropName, long size, long modified) {
        String key = marker.toAbsolutePath().toString();
        if (Files.exists(marker.resolveSibling(dropName))) {
            seen.remove(key);
            return;
        }
        if (quiet(key, size, modified) && !Files.exists(marker.resolveSibling(dropName))) {
            try {
                if (Files.deleteIfExists(marker)) {
                    LOG.info("Intake: done file {} removed: {} is not in the inbox (taken before its done file came, or never "
                            + "written); a done file must come after its drop is complete", SafeText.log(marker.getFileName()),
                            SafeText.log(dropName));
                }
            } catch (IOException e) {
                once(marker, () -> LOG.warn("Intake: done file {} without its drop cannot be removed: {}",
                        SafeText.log(marker.getFileName()), SafeText.log(e.getMessage())));
            }
            seen.remove(key);
        }
    }

    private void prune(long now) {
        if (now - lastPrune < FORGET.toNanos()) {
            return;
        }
        lastPrune = now;
        seen.values().removeIf(s -> now - s.lastSeen() > FORGET.toNanos());
    }

    private void once(Path path, Runnable log) {
        if (told.add(path.toAbsolutePath().toString())) {
            log.run();
        }
    }

    private void moveToFailed(Path path, String name) {
        String failedName = FileIntake.STAMP.format(clock.instant()) + "-" + DropNames.derived(name);
        Path target = path.resolveSibling(".failed").resolve(failedName);
        try {
            Files.createDirectories(target.getParent());
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.error("Intake {}: {} cannot be taken: its name is {} bytes long, the inbox takes names of up to {} bytes; "
                    + "moved to {}. Rename it shorter and drop it again", failedName, SafeText.log(name),
                    DropNames.utf8Length(name), DropNames.MAX_INBOX_NAME_BYTES, target.getParent().resolve(failedName));
        } catch (IOException e) {
            once(path, () -> LOG.error("Intake: {} cannot be taken (its name is {} bytes long, the inbox takes up to {}) and "
                    + "cannot be moved to .failed either: {}", SafeText.log(name), DropNames.utf8Length(name),
                    DropNames.MAX_INBOX_NAME_BYTES, SafeText.log(e.getMessage())));
        }
    }

    /** The done files present beside {@code drop}. */
    public static List<Path> markers(Path drop, List<String> suffixes) {
        List<Path> out = new ArrayList<>(2);
        for (String suffix : suffixes) {
            Path marker = drop.resolveSibling(drop.getFileName() + suffix);
            if (Files.exists(marker)) {
                out.add(marker);
            }
        }
        return out;
    }

    /** {@code .done,.ok} as a list (blank: none). */
    static List<String> suffixes(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> s.startsWith(".") ? s : "." + s).toList();
    }

    /** {@code optional} or {@code required}. */
    public void setDoneFile(String mode) {
        try {
            this.doneFile = DoneFile.valueOf(mode.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("intake.file.done-file must be optional or required, not '" + mode + "'");
        }
    }

    public void setDoneSuffixes(String list) {
        this.doneSuffixes = suffixes(list);
    }

    public void setQuietMs(long ms) {
        this.quiet = Duration.ofMillis(Math.max(0, ms));
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }
}
