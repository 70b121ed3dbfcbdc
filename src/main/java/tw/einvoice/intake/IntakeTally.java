package tw.einvoice.intake;

import tw.einvoice.protocol.SafeText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts of one file's intake, with a progress log line every {@code interval} and a summary at the end. */
public final class IntakeTally {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeTally.class);

    private final String name;
    private final Clock clock;
    private final Duration interval;
    private final Instant started;
    private Instant lastLog;
    private long inserted;
    private long duplicates;
    private long rejected;

    public IntakeTally(String name, Clock clock, Duration interval) {
        this.name = SafeText.log(name);
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
