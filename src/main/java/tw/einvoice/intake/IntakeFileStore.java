package tw.einvoice.intake;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.JournalException;

/** The {@code ecpay_intake_file} table: one row per taken-in file, until its result files are written. */
public final class IntakeFileStore {

    /** A taken-in file. */
    public record IntakeFile(String sourceName, String kind, String originalName, String archivePath, DropFormat format,
                             String charset, long lines, long inserted, long duplicates, long rejected) {
    }

    private final DataSource dataSource;
    private final Clock clock;

    public IntakeFileStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    public void record(IntakeFile f) {
        String sql = "INSERT INTO ecpay_intake_file (source_name, source_kind, original_name, archive_path, format, charset, "
                + "line_count, inserted_count, duplicate_count, rejected_count, state, received_at, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'INTAKEN', ?, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, f.sourceName());
            ps.setString(2, f.kind());
            ps.setString(3, f.originalName());
            ps.setString(4, f.archivePath());
            ps.setString(5, f.format().extension());
            ps.setString(6, f.charset());
            ps.setLong(7, f.lines());
            ps.setLong(8, f.inserted());
            ps.setLong(9, f.duplicates());
            ps.setLong(10, f.rejected());
            ps.setObject(11, Journal.utc(clock.instant()));
            ps.setObject(12, Journal.utc(clock.instant()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new JournalException("cannot record intake of " + f.sourceName() + ": " + e.getMessage(), e);
        }
    }

    /** A file left REPORTING this long was abandoned by an instance that stopped while writing its results. */
    static final Duration STALE_REPORTING = Duration.ofMinutes(10);

    /**
     * Files waiting for their result files whose own commands are all final (SUCCEEDED or DEAD), and files whose
     * reporting was abandoned (see {@link #STALE_REPORTING}).
     */
    public List<IntakeFile> dueForReport() {
        String sql = "SELECT f.* FROM ecpay_intake_file f WHERE (f.state = 'INTAKEN' OR (f.state = 'REPORTING' AND f.updated_at < ?)) "
                + "AND NOT EXISTS (SELECT 1 FROM ecpay_command c WHERE c.source_name = f.source_name "
                + "AND c.state NOT IN ('SUCCEEDED', 'DEAD')) ORDER BY f.received_at";
        List<IntakeFile> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, Journal.utc(clock.instant().minus(STALE_REPORTING)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
        } catch (SQLException e) {
            throw new JournalException("cannot list intake files: " + e.getMessage(), e);
        }
        return out;
    }

    /** Files of this kind whose results were written within {@code window}. */
    public List<IntakeFile> recentlyReported(String kind, Duration window) {
        String sql = "SELECT f.* FROM ecpay_intake_file f WHERE f.state = 'REPORTED' AND f.source_kind = ? AND f.updated_at > ?";
        List<IntakeFile> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, kind);
            ps.setObject(2, Journal.utc(clock.instant().minus(window)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
        } catch (SQLException e) {
            throw new JournalException("cannot list intake files: " + e.getMessage(), e);
        }
        return out;
    }

    private static IntakeFile row(ResultSet rs) throws SQLException {
        return new IntakeFile(rs.getString("source_name"), rs.getString("source_kind"),
                rs.getString("original_name"), rs.getString("archive_path"),
                DropFormat.valueOf(rs.getString("format").toUpperCase(java.util.Locale.ROOT)), rs.getString("charset"),
                rs.getLong("line_count"), rs.getLong("inserted_count"), rs.getLong("duplicate_count"),
                rs.getLong("rejected_count"));
    }

    /**
     * The journaled commands of one source (a drop's source name, or a SQL source's table) by state. Reads that
     * source's entries of the (source_name, state) index only, never the whole journal.
     */
    static final String COUNTS = "SELECT state, COUNT(*) FROM ecpay_command WHERE source_name = ? GROUP BY state";

    public IntakeProgress.StateCounts counts(String sourceName) {
        String sql = COUNTS;
        long waiting = 0, inFlight = 0, retrying = 0, unknown = 0, succeeded = 0, dead = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, sourceName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long n = rs.getLong(2);
                    switch (rs.getString(1)) {
                        case "NEW" -> waiting += n;
                        case "IN_FLIGHT" -> inFlight += n;
                        case "RETRY" -> retrying += n;
                        case "UNKNOWN" -> unknown += n;
                        case "SUCCEEDED" -> succeeded += n;
                        case "DEAD" -> dead += n;
                        default -> unknown += n; // a state this release does not know yet: not final
                    }
                }
            }
        } catch (SQLException e) {
            throw new JournalException("cannot count commands of " + sourceName + ": " + e.getMessage(), e);
        }
        return new IntakeProgress.StateCounts(waiting, inFlight, retrying, unknown, succeeded, dead);
    }

    /** A taken-in file still waiting for its result files, with when it was received. */
    record Unreported(IntakeFile file, Instant receivedAt) {
    }

    /** Taken-in files whose result files are not written yet (INTAKEN or REPORTING), oldest first. */
    List<Unreported> unreported() {
        String sql = "SELECT f.* FROM ecpay_intake_file f WHERE f.state IN ('INTAKEN', 'REPORTING') ORDER BY f.received_at";
        List<Unreported> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Unreported(row(rs), instant(rs, "received_at")));
            }
        } catch (SQLException e) {
            throw new JournalException("cannot list intake files: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The progress of every taken-in file whose result files are not written yet (drops still being read are known
     * only to the instance reading them: {@link IntakeReports#progress()} adds those).
     */
    public List<IntakeProgress> progress() {
        List<IntakeProgress> out = new ArrayList<>();
        for (Unreported u : unreported()) {
            out.add(progress(u.file(), u.receivedAt(), IntakeProgress.OPEN, null));
        }
        return out;
    }

    /** The progress of one taken-in file, by source name (its archive name), whatever its state. */
    public Optional<IntakeProgress> progress(String sourceName) {
        String sql = "SELECT f.* FROM ecpay_intake_file f WHERE f.source_name = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, sourceName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String phase = "REPORTED".equals(rs.getString("state")) ? IntakeProgress.REPORTED : IntakeProgress.OPEN;
                return Optional.of(progress(row(rs), instant(rs, "received_at"), phase, null));
            }
        } catch (SQLException e) {
            throw new JournalException("cannot read intake file " + sourceName + ": " + e.getMessage(), e);
        }
    }

    IntakeProgress progress(IntakeFile f, Instant receivedAt, String phase, List<String> results) {
        return new IntakeProgress(f.sourceName(), f.kind(), f.originalName(), phase, f.duplicates(), f.rejected(),
                counts(f.sourceName()), receivedAt, clock.instant(), results);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        java.time.LocalDateTime t = rs.getObject(column, java.time.LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    /** Takes over an abandoned REPORTING file; the row count decides between instances. */
    public boolean reclaimStale(String sourceName) {
        String sql = "UPDATE ecpay_intake_file SET updated_at = ? WHERE source_name = ? AND state = 'REPORTING' AND updated_at < ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, Journal.utc(clock.instant()));
            ps.setString(2, sourceName);
            ps.setObject(3, Journal.utc(clock.instant().minus(STALE_REPORTING)));
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new JournalException("cannot update intake file " + sourceName + ": " + e.getMessage(), e);
        }
    }

    /** Moves a file from one state to another; false when another instance got there first. */
    public boolean transition(String sourceName, String from, String to) {
        String sql = "UPDATE ecpay_intake_file SET state = ?, updated_at = ? WHERE source_name = ? AND state = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, to);
            ps.setObject(2, Journal.utc(clock.instant()));
            ps.setString(3, sourceName);
            ps.setString(4, from);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new JournalException("cannot update intake file " + sourceName + ": " + e.getMessage(), e);
        }
    }
}
