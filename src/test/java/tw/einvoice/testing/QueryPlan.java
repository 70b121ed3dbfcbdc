package tw.einvoice.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A statement's plan as the database itself gives it: H2 {@code EXPLAIN ANALYZE} (it runs the statement: an UPDATE is
 * rolled back), PostgreSQL and MariaDB {@code EXPLAIN}. Tests assert on it what matters to them.
 *
 * @param text  the whole plan on one line
 * @param steps MariaDB: one per table read (empty on the other databases)
 */
public record QueryPlan(String text, List<Step> steps) {

    /** One table read of a MariaDB plan. */
    public record Step(String table, String key, String type, long rows, String extra) {
        public boolean fullScan() {
            return "ALL".equals(type) || "index".equals(type);
        }
    }

    public static QueryPlan of(TestDatabases db, Connection c, String sql, Object... params) throws Exception {
        String explain = db == TestDatabases.H2 ? "EXPLAIN ANALYZE " : "EXPLAIN ";
        boolean update = sql.startsWith("UPDATE");
        if (update) {
            c.setAutoCommit(false); // EXPLAIN ANALYZE runs it: rolled back
        }
        StringBuilder plan = new StringBuilder();
        List<Step> steps = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(explain + sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    if (db == TestDatabases.MARIADB) {
                        Step s = new Step(String.valueOf(rs.getString("table")), rs.getString("key"), rs.getString("type"),
                                rs.getLong("rows"), String.valueOf(rs.getString("Extra")));
                        steps.add(s);
                        plan.append(s.table()).append(':').append(s.key()).append(" type=").append(s.type())
                                .append(" rows=").append(s.rows()).append(' ').append(s.extra()).append(' ');
                    } else {
                        for (int k = 1; k <= columns; k++) {
                            plan.append(rs.getString(k)).append(' ');
                        }
                    }
                }
            }
        } finally {
            if (update) {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
        return new QueryPlan(plan.toString().replaceAll("\\s+", " "), List.copyOf(steps));
    }

    /** H2: the most rows any table read of the plan scanned. */
    public long h2ScanCount() {
        long max = 0;
        Matcher m = Pattern.compile("scanCount: (\\d+)").matcher(text);
        while (m.find()) {
            max = Math.max(max, Long.parseLong(m.group(1)));
        }
        return max;
    }
}
