package tw.einvoice.intake.sql;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/** Small JDBC helpers for the tests: run a shipped SQL file, query rows, wait for a condition. */
final class Sql {

    private Sql() {
    }

    static void runFile(DataSource ds, String path) throws Exception {
        String text = Files.readString(Path.of(path)).replaceAll("(?m)^\\s*--.*$", "");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String statement : text.split(";\\s*(\\n|$)")) {
                if (!statement.isBlank()) {
                    s.execute(statement);
                }
            }
        }
    }

    static void update(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    static List<Map<String, Object>> rows(DataSource ds, String sql) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(Locale.ROOT), v instanceof java.sql.Clob cl
                            ? cl.getSubString(1, (int) cl.length()) : v);
                }
                out.add(row);
            }
        }
        return out;
    }

    static Map<String, Map<String, Object>> byKey(DataSource ds, String sql, String key) throws Exception {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Map<String, Object> row : rows(ds, sql)) {
            out.put(String.valueOf(row.get(key)), row);
        }
        return out;
    }

    static void await(String what, long timeoutMs, Check check) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!check.ok()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }
}
