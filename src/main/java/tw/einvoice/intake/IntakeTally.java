package tw.einvoice.intake;

import tw.einvoice.protocol.SafeText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts of one file's intake, with a progress log line every {@code interval} and a summary at the end. While the file
 * is read, its progress file is written from these counts (read by another thread: hence volatile).
 */
public final class IntakeTally {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeTally.class);

    private final String name;
    private final String sourceName;
    private final String kind;
    private final String originalName;
    private final java.nio.file.Path archivePath;
    private final Clock clock;
    private final Duration interval;
    private final Instant started;
    private Instant lastLog;
    private volatile long inserted;
    private volatile long duplicates;
    private volatile long rejected;

    public IntakeTally(String name, Clock clock, Duration interval) {
        this(name, null, null, null, clock, interval);
    }

    /** For a drop being read: its kind, the name it was dropped under, and the archive path results are written beside. */
    public IntakeTally(String name, String kind, String originalName, java.nio.file.Path archivePath, Clock clock,
                       Duration interval) {
        this.name = SafeText.log(name);
        this.sourceName = name;
        this.kind = kind;
        this.originalName = originalName;
        this.archivePath = archivePath;
        this.clock = clock;
        this.interval = interval;
        this.started = clock.instant();
        this.lastLog = started;
    }

    /** Counts a journaled chunk. */
    public void add(long insertedLines, long duplicateLines, long rejectedLines) {
        long before = lines();
        inserted += insertedLines;
        duplicates += duplicateLines;
        rejected += rejectedLines;
        if (before / 1024 != lines() / 1024) {
            progressNow();
        }
    }

    public long lines() {
        return inserted + duplicates + rejected;
    }

    public long insertedCount() {
        return inserted;
    }

    public long duplicateCount() {
        return duplicates;
    }

    public long rejectedCount() {
        return rejected;
    }

    public String name() {
        return name;
    }

    String sourceName() {
        return sourceName;
    }

    String kind() {
        return kind;
    }

    String originalName() {
        return originalName;
    }

    java.nio.file.Path archivePath() {
        return archivePath;
    }

    Instant started() {
        return started;
    }

    private void progressNow() {
        Instant now = clock.instant();
        if (Duration.between(lastLog, now).compareTo(interval) >= 0) {
            lastLog = now;
            LOG.info("Intake {}: {} lines so far ({} inserted, {} duplicates, {} rejected), {} lines/s", name, lines(),
                    inserted, duplicates, rejected, rate(now));
        }
    }

    private long rate(Instant now) {
        long ms = Math.max(1, Duration.between(started, now).toMillis());
        return lines() * 1000 / ms;
    }

    /** The one-line summary logged when the file is done. */
    public String summary() {
        Instant now = clock.instant();
        return String.format("Intake %s done: %d lines, %d inserted, %d duplicates, %d rejected in %.1f s (%d lines/s)",
                name, lines(), inserted, duplicates, rejected, Duration.between(started, now).toMillis() / 1000.0, rate(now));
    }
}
