package tw.einvoice.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tw.einvoice.testing.TestDatabases;

/**
 * One journal the main job runs on in a benchmark: a fresh PostgreSQL schema (as the tests make them) or an embedded
 * H2 file in the run's folder, and how the benchmark reads the completion times back once the job has stopped.
 */
record JournalTarget(String name, String url, String user, String schema) {

    static JournalTarget postgresql() {
        try (HikariDataSource fresh = TestDatabases.POSTGRESQL.fresh(2)) {
            String url = fresh.getJdbcUrl();
            return new JournalTarget("PostgreSQL", url, "postgres", url.replaceFirst(".*currentSchema=", ""));
        }
    }

    static JournalTarget h2(Path dir) {
        return new JournalTarget("H2", "jdbc:h2:file:" + dir.toAbsolutePath().resolve("journal/ecpay"), "sa", null);
    }

    /** The journal.url the main job is given: counted by {@link CountingDriver}. */
    String countedUrl() {
        return CountingDriver.PREFIX + url.substring("jdbc:".length());
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, "");
    }

    /** Completion times (epoch ms, ascending) of the SUCCEEDED commands whose source name contains {@code tag}. */
    List<Long> completions(String tag) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT updated_at FROM ecpay_command "
                + "WHERE state = 'SUCCEEDED' AND source_name LIKE ? ORDER BY updated_at")) {
            ps.setString(1, "%" + tag + "%");
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC).toEpochMilli());
                }
            }
        }
        return out;
    }

    /** Commands by state for the source names containing {@code tag}. */
    Map<String, Long> states(String tag) throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT state, COUNT(*) FROM ecpay_command "
                + "WHERE source_name LIKE ? GROUP BY state")) {
            ps.setString(1, "%" + tag + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** Drops the PostgreSQL schema the run used (H2 files go with the run's temporary folder). */
    void dispose() {
        if (schema == null) {
            return;
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        } catch (SQLException e) {
            System.out.println("bench: schema " + schema + " not dropped: " + e.getMessage());
        }
    }
}
