package tw.einvoice.observe;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import tw.einvoice.journal.Journal;

/**
 * What the journal says about the work (commands by state and operation, the oldest due command, paused merchants,
 * intake lines and rejects, undelivered outcomes), read in a few GROUP BY queries and kept for {@code maxAge}: a
 * Prometheus scrape every few seconds, or several scrapers, cost the database one round of queries per period.
 * All instances sharing the journal report the same figures: they describe the journal, not this process.
 */
public class JournalFigures {

    /** One reading of the journal. {@code error} is set (and the figures empty) when the journal could not be read. */
    public record Snapshot(Instant readAt, Map<String, Long> commands, double oldestDueSeconds, Set<String> pausedMerchants,
                           Map<String, Long> intakeLines, Map<String, Long> intakeRejects, long undelivered, String error) {

        public long commands(String state, String operation) {
            return commands.getOrDefault(state + "|" + operation, 0L);
        }
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration maxAge;
    private volatile Snapshot last;

    public JournalFigures(Journal journal, Duration maxAge) {
        this.dataSource = journal.dataSource();
        this.clock = journal.clock();
        this.maxAge = maxAge;
    }

    /** The figures, read again when the last reading is older than {@code maxAge}. */
    public Snapshot current() {
        Snapshot s = last;
        if (s != null && !clock.instant().isAfter(s.readAt().plus(maxAge))) {
            return s;
        }
        synchronized (this) {
            s = last;
            if (s == null || clock.instant().isAfter(s.readAt().plus(maxAge))) {
                s = read();
                last = s;
            }
            return s;
        }
    }

    private Snapshot read() {
        Instant now = clock.instant();
        LocalDateTime nowUtc = Journal.utc(now);
        Map<String, Long> commands = new HashMap<>();
        Map<String, Long> lines = new HashMap<>();
        Map<String, Long> rejects = new HashMap<>();
        Set<String> paused = new TreeSet<>();
        double oldestDue = 0;
        long undelivered;
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT state, operation, COUNT(*) FROM ecpay_command GROUP BY state, operation")) {
                while (rs.next()) {
                    commands.put(rs.getString(1) + "|" + rs.getString(2), rs.getLong(3));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT MIN(next_attempt_at) FROM ecpay_command "
                    + "WHERE state IN ('NEW', 'RETRY', 'UNKNOWN') AND next_attempt_at <= ?")) {
                ps.setObject(1, nowUtc);
                try (ResultSet rs = ps.executeQuery()) {
                    LocalDateTime min = rs.next() ? rs.getObject(1, LocalDateTime.class) : null;
                    if (min != null) {
                        oldestDue = Math.max(0, Duration.between(min.toInstant(ZoneOffset.UTC), now).toMillis() / 1000.0);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT merchant_id FROM ecpay_merchant_pause WHERE paused_until > ?")) {
                ps.setObject(1, nowUtc);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        paused.add(rs.getString(1));
                    }
                }
            }
            // file and SFTP drops are counted once each file is read; SQL rows are counted as the commands they became
            try (ResultSet rs = st.executeQuery("SELECT source_kind, SUM(line_count), SUM(rejected_count) FROM ecpay_intake_file "
                    + "GROUP BY source_kind")) {
                while (rs.next()) {
                    lines.put(rs.getString(1), rs.getLong(2));
                    rejects.put(rs.getString(1), rs.getLong(3));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM ecpay_command WHERE source_kind = 'sql'")) {
                lines.put("sql", rs.next() ? rs.getLong(1) : 0L);
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM ecpay_command "
                    + "WHERE channel_delivered_at IS NULL AND state IN ('SUCCEEDED', 'DEAD')")) {
                undelivered = rs.next() ? rs.getLong(1) : 0L;
            }
        } catch (SQLException | RuntimeException e) {
            return new Snapshot(now, Map.of(), 0, Set.of(), Map.of(), Map.of(), 0, String.valueOf(e.getMessage()));
        }
        return new Snapshot(now, Map.copyOf(commands), oldestDue, Set.copyOf(paused), Map.copyOf(lines), Map.copyOf(rejects),
                undelivered, null);
    }
}
