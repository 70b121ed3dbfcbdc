package tw.einvoice.intake.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One SQL statement with named parameters ({@code :row_key}, {@code :reason}), read from a file users edit without
 * recompiling. Names are matched case-insensitively against the values given; a name with no value is bound as NULL.
 * Quoted text, comments and PostgreSQL casts ({@code ::jsonb}) are left alone.
 */
public final class NamedSql {

    private final String location;
    private final String jdbcSql;
    private final List<String> names;

    private NamedSql(String location, String sql) {
        this.location = location;
        List<String> found = new ArrayList<>();
        StringBuilder out = new StringBuilder(sql.length());
        int i = 0;
        while (i < sql.length()) {
            char ch = sql.charAt(i);
            if (ch == '\'' || ch == '"') {                       // quoted literal or identifier: copy as is
                int end = sql.indexOf(ch, i + 1);
                end = end < 0 ? sql.length() - 1 : end;
                out.append(sql, i, end + 1);
                i = end + 1;
            } else if (ch == '-' && sql.startsWith("--", i)) {  // line comment: drop it
                int end = sql.indexOf('\n', i);
                i = end < 0 ? sql.length() : end;
            } else if (ch == ':' && i + 1 < sql.length() && sql.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (ch == ':' && i + 1 < sql.length() && Character.isJavaIdentifierStart(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < sql.length() && Character.isJavaIdentifierPart(sql.charAt(end))) {
                    end++;
                }
                found.add(sql.substring(i + 1, end).toLowerCase(Locale.ROOT));
                out.append('?');
                i = end;
            } else {
                out.append(ch);
                i++;
            }
        }
        this.jdbcSql = out.toString().strip().replaceAll(";\\s*$", "");
        this.names = List.copyOf(found);
    }

    /** Reads the statement from {@code classpath:...}, {@code file:...} or a plain file path; blank means "none". */
    public static NamedSql load(String location) {
        if (location == null || location.isBlank()) {
            return null;
        }
        String where = location.strip();
        try {
            if (where.startsWith("classpath:")) {
                String name = where.substring("classpath:".length()).replaceFirst("^/", "");
                try (InputStream in = NamedSql.class.getClassLoader().getResourceAsStream(name)) {
                    if (in == null) {
                        throw new IllegalArgumentException("SQL file " + where + " is not on the classpath");
                    }
                    return new NamedSql(where, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            Path path = Path.of(where.startsWith("file:") ? where.substring("file:".length()) : where);
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("SQL file " + path.toAbsolutePath() + " does not exist");
            }
            return new NamedSql(where, Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SQL file " + where + ": " + e.getMessage(), e);
        }
    }

    public static NamedSql of(String sql) {
        return new NamedSql("(inline)", sql);
    }

    /** Runs the statement on the caller's connection (and transaction); returns the update count. */
    public int update(Connection c, Map<String, Object> values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(jdbcSql)) {
            for (int i = 0; i < names.size(); i++) {
                ps.setObject(i + 1, values.get(names.get(i)));
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new SQLException("SQL " + location + " failed: " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    public List<String> names() {
        return names;
    }

    public String jdbcSql() {
        return jdbcSql;
    }

    @Override
    public String toString() {
        return location;
    }
}
