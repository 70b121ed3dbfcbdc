package tw.einvoice.console;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import tw.einvoice.journal.JournalDatabase;
import tw.einvoice.journal.LikeText;

/**
 * What the console shows, read from the journal's tables; it never writes. Every statement is bounded (LIMIT) and
 * goes by an index where the journal has one (state, source_name, primary key); the overview's "today" and
 * calls-per-minute figures read rows by time and are cached by the caller for a few seconds.
 */
public final class ConsoleQueries {

    /** Taiwan's day: "today" starts at midnight Asia/Taipei; the journal keeps UTC. */
    static final ZoneId TAIPEI = ZoneId.of("Asia/Taipei");
    static final List<String> STATES = List.of("NEW", "IN_FLIGHT", "RETRY", "UNKNOWN", "SUCCEEDED", "DEAD");
    static final Set<String> ISSUED = Set.of("B2CInvoice/Issue", "B2CInvoice/TriggerIssue", "B2CInvoice/VoidWithReIssue");
    static final Set<String> VOIDED = Set.of("B2CInvoice/Invalid", "B2CInvoice/VoidWithReIssue");
    static final Set<String> ALLOWANCES = Set.of("B2CInvoice/Allowance", "B2CInvoice/AllowanceByCollegiate");

    private final DataSource dataSource;
    private final Clock clock;
    private final String vendor;
    /** Tables a journal of an older schema may lack, by name: whether this one has them. */
    private final Map<String, Boolean> tables = new java.util.concurrent.ConcurrentHashMap<>();

    public ConsoleQueries(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.vendor = JournalDatabase.vendor(dataSource);
    }

    // ---------------------------------------------------------------------------------------------- overview

    public Map<String, Object> overview(int hours, Set<Integer> alertTransCodes, Set<Integer> alertRtnCodes, Duration waitingAlert) {
        Instant now = clock.instant();
        LocalDateTime todayStart = utc(LocalDate.now(clock.withZone(TAIPEI)).atStartOfDay(TAIPEI).toInstant());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", now.toString());
        out.put("todayStartsAt", todayStart.toInstant(ZoneOffset.UTC).toString());
        out.put("statesTotal", countBy("SELECT state, COUNT(*) FROM ecpay_command GROUP BY state"));
        out.put("statesToday", countBy("SELECT state, COUNT(*) FROM ecpay_command WHERE created_at >= ? GROUP BY state", todayStart));
        Map<String, Long> okTotal = countBy("SELECT operation, COUNT(*) FROM ecpay_command WHERE state = 'SUCCEEDED' GROUP BY operation");
        Map<String, Long> okToday = countBy("SELECT operation, COUNT(*) FROM ecpay_command WHERE state = 'SUCCEEDED' "
                + "AND updated_at >= ? GROUP BY operation", todayStart);
        out.put("invoicesTotal", invoiceCounts(okTotal));
        out.put("invoicesToday", invoiceCounts(okToday));
        out.put("callsPerMinute", callsPerMinute(now, hours));
        out.put("alerts", alerts(now, alertTransCodes, alertRtnCodes, waitingAlert));
        return out;
    }

    private static Map<String, Long> invoiceCounts(Map<String, Long> byOperation) {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("issued", sum(byOperation, ISSUED));
        out.put("voided", sum(byOperation, VOIDED));
        out.put("allowances", sum(byOperation, ALLOWANCES));
        return out;
    }

    private static long sum(Map<String, Long> counts, Set<String> keys) {
        return counts.entrySet().stream().filter(e -> keys.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    /** Attempts ended per minute (UTC minute, oldest first), from the attempt audit when present, else each command's last attempt. */
    List<Map<String, Object>> callsPerMinute(Instant now, int hours) {
        Instant since = now.minus(Duration.ofHours(hours)).truncatedTo(ChronoUnit.MINUTES);
        String minute = switch (vendor) {
            case "mariadb" -> "DATE_FORMAT(%s, '%%Y-%%m-%%d %%H:%%i')";
            case "postgresql" -> "to_char(date_trunc('minute', %s), 'YYYY-MM-DD HH24:MI')";
            default -> "FORMATDATETIME(%s, 'yyyy-MM-dd HH:mm')";
        };
        String sql = hasAttemptTable()
                ? "SELECT " + minute.formatted("ended_at") + " AS m, COUNT(*) FROM ecpay_attempt WHERE kind = 'ATTEMPT' AND ended_at >= ? GROUP BY m"
                : "SELECT " + minute.formatted("updated_at") + " AS m, COUNT(*) FROM ecpay_command WHERE attempts > 0 AND updated_at >= ? GROUP BY m";
        Map<String, Long> counts = countBy(sql, utc(since));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Instant t = since; !t.isAfter(now); t = t.plus(Duration.ofMinutes(1))) {
            String key = utc(t).toString().substring(0, 16).replace('T', ' ');
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("minute", t.toString());
            point.put("calls", counts.getOrDefault(key, 0L));
            out.add(point);
        }
        return out;
    }

    private Map<String, Object> alerts(Instant now, Set<Integer> transCodes, Set<Integer> rtnCodes, Duration waitingAlert) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pausedMerchants", rows("SELECT merchant_id, paused_until, reason FROM ecpay_merchant_pause WHERE paused_until > ? "
                + "ORDER BY merchant_id LIMIT 100", utc(now)));
        List<Object> codes = new ArrayList<>();
        StringBuilder where = new StringBuilder();
        if (!transCodes.isEmpty()) {
            where.append("last_trans_code IN (").append(marks(transCodes.size())).append(')');
            codes.addAll(transCodes);
        }
        if (!rtnCodes.isEmpty()) {
            where.append(where.length() > 0 ? " OR " : "").append("last_rtn_code IN (").append(marks(rtnCodes.size())).append(')');
            codes.addAll(rtnCodes);
        }
        out.put("deadNeedingPerson", where.length() == 0 ? List.of() : rows("SELECT last_trans_code AS trans_code, "
                + "last_rtn_code AS rtn_code, COUNT(*) AS commands, MAX(last_rtn_msg) AS rtn_msg, MAX(last_reason) AS reason "
                + "FROM ecpay_command WHERE state = 'DEAD' AND (" + where + ") GROUP BY last_trans_code, last_rtn_code "
                + "ORDER BY commands DESC LIMIT 50", codes.toArray()));
        List<Map<String, Object>> oldest = rows("SELECT id, state, operation, created_at, next_attempt_at, last_reason AS reason "
                + "FROM ecpay_command WHERE state IN ('NEW', 'RETRY', 'UNKNOWN', 'IN_FLIGHT') ORDER BY created_at LIMIT 1");
        Map<String, Object> waiting = oldest.isEmpty() ? null : oldest.get(0);
        if (waiting != null) {
            Instant created = Instant.parse((String) waiting.get("created_at"));
            waiting.put("ageSeconds", Duration.between(created, now).toSeconds());
            waiting.put("needsPerson", Duration.between(created, now).compareTo(waitingAlert) > 0);
        }
        out.put("oldestWaiting", waiting);
        return out;
    }

    // ---------------------------------------------------------------------------------------------- batches

    /** The newest dropped files and the SQL sources, each with its commands by state. */
    public Map<String, Object> batches(int limit, List<String> sqlSources) {
        List<Map<String, Object>> files = rows("SELECT source_name, source_kind, original_name, archive_path, format, line_count, "
                + "inserted_count, duplicate_count, rejected_count, state, received_at, updated_at FROM ecpay_intake_file "
                + "ORDER BY received_at DESC LIMIT " + Math.max(1, Math.min(limit, 500)));
        List<String> names = new ArrayList<>();
        files.forEach(f -> names.add((String) f.get("source_name")));
        Map<String, Map<String, Long>> states = statesBySource(names);
        for (Map<String, Object> f : files) {
            Map<String, Long> s = states.getOrDefault((String) f.get("source_name"), Map.of());
            f.put("progress", progress(s, ((Number) f.get("line_count")).longValue(), ((Number) f.get("rejected_count")).longValue(),
                    ((Number) f.get("duplicate_count")).longValue()));
        }
        List<Map<String, Object>> sql = new ArrayList<>();
        Map<String, Map<String, Long>> sqlStates = statesBySource(sqlSources);
        for (String source : sqlSources) {
            Map<String, Long> s = sqlStates.getOrDefault(source, Map.of());
            long rejected = "ecpay_inbox".equals(source) ? countInboxRejected() : 0;
            long journaled = s.values().stream().mapToLong(Long::longValue).sum();
            if (journaled + rejected == 0) {
                continue; // a source that never delivered anything (not enabled here)
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("source_name", source);
            row.put("source_kind", "sql");
            row.put("progress", progress(s, journaled + rejected, rejected, 0));
            sql.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("files", files);
        out.put("sql", sql);
        return out;
    }

    public Map<String, Object> batch(String sourceName) {
        List<Map<String, Object>> rows = rows("SELECT source_name, source_kind, original_name, archive_path, format, line_count, "
                + "inserted_count, duplicate_count, rejected_count, state, received_at, updated_at FROM ecpay_intake_file "
                + "WHERE source_name = ?", sourceName);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static Map<String, Object> progress(Map<String, Long> s, long lines, long rejected, long duplicates) {
        long succeeded = s.getOrDefault("SUCCEEDED", 0L);
        long dead = s.getOrDefault("DEAD", 0L);
        long retrying = s.getOrDefault("RETRY", 0L) + s.getOrDefault("UNKNOWN", 0L);
        long waiting = s.getOrDefault("NEW", 0L) + s.getOrDefault("IN_FLIGHT", 0L);
        long journaled = succeeded + dead + retrying + waiting;
        long done = succeeded + dead + rejected + duplicates;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("lines", lines);
        p.put("journaled", journaled);
        p.put("succeeded", succeeded);
        p.put("waiting", waiting);
        p.put("retrying", retrying);
        p.put("dead", dead);
        p.put("rejected", rejected);
        p.put("duplicates", duplicates);
        p.put("percent", lines == 0 ? 100 : (int) Math.min(100, done * 100 / lines));
        return p;
    }

    private Map<String, Map<String, Long>> statesBySource(List<String> names) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return out;
        }
        String sql = "SELECT source_name, state, COUNT(*) FROM ecpay_command WHERE source_name IN (" + marks(names.size())
                + ") GROUP BY source_name, state";
        query(sql, names.toArray(), rs -> {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getLong(3));
            }
            return null;
        });
        return out;
    }

    private long countInboxRejected() {
        try {
            return query("SELECT COUNT(*) FROM ecpay_inbox WHERE status = 'REJECTED'", new Object[0], rs -> rs.next() ? rs.getLong(1) : 0L);
        } catch (IllegalStateException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------------------------------------- commands

    /** Filters: text (id, RelateNumber, InvoiceNo, Tsr: any text of the id, Data or reply), state, operation, merchant, day (Taipei). */
    public List<Map<String, Object>> searchCommands(String text, String state, String operation, String merchant, LocalDate day,
                                                    String source, int limit) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (notBlank(text)) {
            String like = "%" + LikeText.escaped(text.strip()) + "%";
            where.append(" AND (id = ? OR payload LIKE ? ESCAPE '!' OR reply LIKE ? ESCAPE '!')");
            args.add(text.strip());
            args.add(like);
            args.add(like);
        }
        if (notBlank(state)) {
            where.append(" AND state = ?");
            args.add(state.strip());
        }
        if (notBlank(operation)) {
            where.append(" AND operation = ?");
            args.add(operation.strip());
        }
        if (notBlank(merchant)) {
            where.append(" AND merchant_id = ?");
            args.add(merchant.strip());
        }
        if (notBlank(source)) {
            where.append(" AND source_name = ?");
            args.add(source.strip());
        }
        if (day != null) {
            where.append(" AND created_at >= ? AND created_at < ?");
            args.add(utc(day.atStartOfDay(TAIPEI).toInstant()));
            args.add(utc(day.plusDays(1).atStartOfDay(TAIPEI).toInstant()));
        }
        return rows("SELECT id, operation, merchant_id, state, attempts, last_trans_code AS trans_code, last_rtn_code AS rtn_code, "
                + "last_rtn_msg AS rtn_msg, source_name, source_ref, created_at, updated_at FROM ecpay_command" + where
                + " ORDER BY created_at DESC LIMIT " + Math.max(1, Math.min(limit, 500)), args.toArray());
    }

    /** One command with everything the journal knows of it; null when unknown. */
    public Map<String, Object> command(String id) {
        List<Map<String, Object>> rows = rows("SELECT * FROM ecpay_command WHERE id = ?", id);
        if (rows.isEmpty()) {
            return null;
        }
        Map<String, Object> c = rows.get(0);
        c.remove("claim_owner");
        if (hasAttemptTable()) {
            c.put("attemptsAudit", rows("SELECT * FROM ecpay_attempt WHERE command_id = ? ORDER BY id LIMIT 1000", id));
        }
        if (hasTable("ecpay_callback", "command_id")) {
            // ECPay's calls back (docs/callbacks.md); only verified ones are ever matched to a command
            c.put("callbacks", rows("SELECT id, received_at, kind, verified, tsr, relate_number, invoice_no, allowance_no, "
                    + "rtn_code, remote_address FROM ecpay_callback WHERE command_id = ? ORDER BY id LIMIT 100", id));
        }
        return c;
    }

    // ---------------------------------------------------------------------------------------------- dead letters

    public Map<String, Object> deadLetters() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("groups", rows("SELECT last_trans_code AS trans_code, last_rtn_code AS rtn_code, MAX(last_rtn_msg) AS rtn_msg, "
                + "MAX(last_reason) AS reason, COUNT(*) AS commands, MIN(updated_at) AS first_at, MAX(updated_at) AS last_at, "
                + "MAX(id) AS example_id FROM ecpay_command WHERE state = 'DEAD' GROUP BY last_trans_code, last_rtn_code "
                + "ORDER BY commands DESC LIMIT 200"));
        out.put("commands", rows("SELECT id, operation, merchant_id, attempts, maybe_sent, last_http_status AS http_status, "
                + "last_trans_code AS trans_code, last_rtn_code AS rtn_code, last_rtn_msg AS rtn_msg, last_reason AS reason, "
                + "source_name, updated_at FROM ecpay_command WHERE state = 'DEAD' ORDER BY updated_at DESC LIMIT 200"));
        out.put("rejectedFiles", rows("SELECT source_name, original_name, rejected_count, received_at FROM ecpay_intake_file "
                + "WHERE rejected_count > 0 ORDER BY received_at DESC LIMIT 100"));
        List<Map<String, Object>> inbox;
        try {
            inbox = rows("SELECT reason, COUNT(*) AS cnt, MAX(taken_at) AS last_at FROM ecpay_inbox WHERE status = 'REJECTED' "
                    + "GROUP BY reason ORDER BY cnt DESC LIMIT 100");
        } catch (IllegalStateException e) {
            inbox = List.of();
        }
        out.put("rejectedRows", inbox);
        return out;
    }

    // ---------------------------------------------------------------------------------------------- plumbing

    boolean hasAttemptTable() {
        return hasTable("ecpay_attempt", "command_id");
    }

    private boolean hasTable(String table, String column) {
        return tables.computeIfAbsent(table, name -> {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.executeQuery("SELECT " + column + " FROM " + name + " WHERE 1 = 0").close();
                return true;
            } catch (SQLException e) {
                return false;
            }
        });
    }

    private Map<String, Long> countBy(String sql, Object... args) {
        Map<String, Long> out = new LinkedHashMap<>();
        query(sql, args, rs -> {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
            return null;
        });
        return out;
    }

    /** Rows as maps with lower-case column names; time stamps as ISO-8601 UTC text. */
    List<Map<String, Object>> rows(String sql, Object... args) {
        return query(sql, args, rs -> {
            ResultSetMetaData md = rs.getMetaData();
            List<Map<String, Object>> out = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String name = md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT);
                    int type = md.getColumnType(i);
                    Object v;
                    if (type == java.sql.Types.TIMESTAMP || type == java.sql.Types.TIMESTAMP_WITH_TIMEZONE) {
                        LocalDateTime t = rs.getObject(i, LocalDateTime.class);
                        v = t == null ? null : t.toInstant(ZoneOffset.UTC).toString();
                    } else if (type == java.sql.Types.CLOB) {
                        v = rs.getString(i);
                    } else {
                        v = rs.getObject(i);
                        if (v instanceof Number n && !(v instanceof Integer || v instanceof Long)) {
                            v = n.longValue();
                        }
                    }
                    row.put(name, v);
                }
                out.add(row);
            }
            return out;
        });
    }

    private interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> T query(String sql, Object[] args, Reader<T> reader) {
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    return reader.read(rs);
                }
            } finally {
                c.setReadOnly(false);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("journal query failed: " + e.getMessage(), e);
        }
    }

    private static String marks(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    static LocalDateTime utc(Instant i) {
        return LocalDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
