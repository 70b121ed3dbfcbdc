package tw.einvoice.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.Instant;
import javax.sql.DataSource;
import tw.einvoice.protocol.Command;

/**
 * The command journal: one row per command. Inserting a command whose id is already there is a no-op reported as
 * a duplicate. All times are UTC and come from the injected clock, so every instance agrees and tests control time.
 */
public class Journal {

    public enum Insert { INSERTED, DUPLICATE }

    private final DataSource dataSource;
    private final Clock clock;

    public Journal(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Clock clock() {
        return clock;
    }

    /** Journals a validated command as NEW, due now. */
    public Insert insert(Command command, Source source) {
        try (Connection c = dataSource.getConnection()) {
            return insert(c, command, source);
        } catch (SQLException e) {
            throw new JournalException("cannot journal command " + command.id() + ": " + e.getMessage(), e);
        }
    }

    /** Same, on the caller's connection and transaction (a source row marked taken in the same transaction). */
    public Insert insert(Connection c, Command command, Source source) throws SQLException {
        LocalDateTime now = utc(clock.instant());
        String sql = "INSERT INTO ecpay_command (id, operation, merchant_id, payload, state, attempts, maybe_sent, "
                + "next_attempt_at, source_kind, source_name, source_ref, created_at, updated_at) "
                + "VALUES (?, ?, ?, ?, 'NEW', 0, FALSE, ?, ?, ?, ?, ?, ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, command.id());
            ps.setString(2, command.operation());
            ps.setString(3, command.merchantId());
            ps.setString(4, tw.einvoice.protocol.Envelope.toJson(command.data()));
            ps.setObject(5, now);
            ps.setString(6, source == null ? null : source.kind());
            ps.setString(7, source == null ? null : source.name());
            ps.setString(8, source == null ? null : source.ref());
            ps.setObject(9, now);
            ps.setObject(10, now);
            ps.executeUpdate();
            return Insert.INSERTED;
        } catch (SQLException e) {
            if (isDuplicateKey(e)) {
                return Insert.DUPLICATE;
            }
            throw e;
        }
    }

    /** SQLState class 23 (integrity constraint) on the primary key: the id is already journaled. */
    static boolean isDuplicateKey(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            if (s.getSQLState() != null && s.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }

    public static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
