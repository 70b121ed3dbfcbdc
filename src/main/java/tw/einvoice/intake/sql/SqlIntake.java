package tw.einvoice.intake.sql;

import tw.einvoice.protocol.SafeText;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.einvoice.intake.IntakeKeys;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.Source;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.InvalidCommandException;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.camel.EcpayHeaders;

/**
 * Takes one row of an ERP table (selected by a camel-sql consumer) into the journal, exactly once.
 *
 * <p>The take SQL is a conditional update ({@code ... WHERE key = :row_key AND status = 'NEW'}) whose row count decides:
 * 1 = this instance owns the row, 0 = another instance took it first (or it is no longer pending). When the ERP table
 * lives in the journal's database the mark and the journal insert commit in ONE transaction; otherwise the journal
 * commits first and the mark second, so a crash in between leaves the row pending and its next take finds the command
 * already journaled (same id) and only marks it. Either way nothing is lost and nothing is journaled twice.
 *
 * <p>A row that is not a valid command is marked rejected with the reason (the reject SQL is conditional too, so only
 * one instance reports it) and the route sends it to the dead-letter channel.
 */
public class SqlIntake {

    static final int REASON_MAX = 1000;

    public enum Result { JOURNALED, DUPLICATE, REJECTED, SKIPPED }

    private static final Logger LOG = LoggerFactory.getLogger(SqlIntake.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private String source;
    private DataSource dataSource;
    private Journal journal;
    private String defaultMerchantId = "";
    private OperationCatalog catalog = OperationCatalog.standard();
    private NamedSql takeSql;
    private NamedSql rejectSql;
    private NamedSql resultSql;

    /**
     * Takes one selected row. Sets headers EcpayIntakeResult, EcpaySource, EcpayRowKey, EcpayCommandId
     * and, for a rejected row, EcpayReason; returns the command JSON, or for a rejected row a JSON report of it.
     */
    public String take(Map<String, Object> selected, Exchange exchange) throws SQLException {
        if (takeSql == null || rejectSql == null) {
            throw new IllegalStateException("SQL intake " + source + " needs both a take and a reject SQL file");
        }
        Map<String, Object> row = RowMapper.normalise(selected);
        String rowKey = RowMapper.rowKey(row);
        exchange.getMessage().setHeader(EcpayHeaders.SOURCE, source);
        exchange.getMessage().setHeader(EcpayHeaders.ROW_KEY, rowKey);
        row.putIfAbsent("row_key", rowKey);
        row.put("now", Journal.utc(journal.clock().instant()));
        Command command;
        try {
            command = new RowMapper(catalog, defaultMerchantId).map(row);
            IntakeKeys.check(command, catalog);
        } catch (InvalidCommandException e) {
            String reason = truncate(e.getMessage());
            row.put("reason", reason);
            Result r = mark(rejectSql, row) ? Result.REJECTED : Result.SKIPPED;
            exchange.getMessage().setHeader(EcpayHeaders.INTAKE_RESULT, r.name());
            exchange.getMessage().setHeader(EcpayHeaders.REASON, reason);
            if (r == Result.REJECTED) {
                LOG.warn("{} row {} rejected: {}", source, SafeText.log(rowKey), SafeText.log(reason));
            }
            return rejection(selected, rowKey, reason);
        }
        row.put("command_id", command.id());
        exchange.getMessage().setHeader(EcpayHeaders.COMMAND_ID, command.id());
        Result r = journalAndMark(command, row, rowKey);
        exchange.getMessage().setHeader(EcpayHeaders.INTAKE_RESULT, r.name());
        return command.toJson();
    }

    /**
     * Runs a source's select SQL once, reading at most one row: a missing table or a mistake in the SQL is found before
     * the routes start. Returns null when it runs, else the database's answer in one line.
     */
    public static String checkSelect(Connection c, String selectLocation) {
        NamedSql select;
        try {
            select = NamedSql.load(selectLocation);
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        if (select == null) {
            return "no select SQL file configured";
        }
        try (PreparedStatement ps = c.prepareStatement(select.jdbcSql())) {
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
            return null;
        } catch (SQLException e) {
            String m = String.valueOf(e.getMessage()).strip();
            int nl = m.indexOf('\n');
            return (nl < 0 ? m : m.substring(0, nl).strip()).replaceFirst(";\\s*SQL statement:$", "");
        }
    }

    /** A polled batch in random order (see the route: instances reading the same batch spread over it). */
    public java.util.List<Map<String, Object>> inRandomOrder(java.util.List<Map<String, Object>> rows) {
        java.util.List<Map<String, Object>> out = new java.util.ArrayList<>(rows);
        java.util.Collections.shuffle(out);
        return out;
    }

    private Result journalAndMark(Command command, Map<String, Object> row, String rowKey) throws SQLException {
        Source from = new Source("sql", source, rowKey);
        boolean sameDatabase = dataSource == journal.dataSource();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (takeSql.update(c, row) == 0) {
                    c.rollback();
                    return Result.SKIPPED;
                }
                Journal.Insert inserted;
                if (sameDatabase) {
                    inserted = journal.insert(c, command, from); // in the transaction of the mark
                    if (inserted == Journal.Insert.DUPLICATE) {
                        recordDuplicate(c, command.id(), rowKey);
                    }
                } else {
                    inserted = journal.insert(command, from); // commits before the mark (see class comment)
                    if (inserted == Journal.Insert.DUPLICATE) {
                        try (Connection j = journal.dataSource().getConnection()) {
                            recordDuplicate(j, command.id(), rowKey);
                        }
                    }
                }
                c.commit();
                return inserted == Journal.Insert.INSERTED ? Result.JOURNALED : Result.DUPLICATE;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * A row whose command was journaled before from another row (the same order twice): remembered, so that the
     * command's outcome is written back to this row too (route intake-sql-results-duplicates). Nothing is recorded when
     * the command came from this very row (taken again after a crash between journal and mark), nor twice.
     */
    private void recordDuplicate(Connection c, String commandId, String rowKey) throws SQLException {
        String firstSource;
        String firstRef;
        try (PreparedStatement ps = c.prepareStatement("SELECT source_name, source_ref FROM ecpay_command WHERE id = ?")) {
            ps.setString(1, commandId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                firstSource = rs.getString(1);
                firstRef = rs.getString(2);
            }
        }
        if (source.equals(firstSource) && rowKey.equals(firstRef)) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ecpay_sql_duplicate_row "
                + "(source_name, row_key, command_id, taken_at) SELECT ?, ?, ?, ? FROM ecpay_command WHERE id = ? "
                + "AND NOT EXISTS (SELECT 1 FROM ecpay_sql_duplicate_row WHERE source_name = ? AND row_key = ?)")) {
            ps.setString(1, source);
            ps.setString(2, rowKey);
            ps.setString(3, commandId);
            ps.setObject(4, Journal.utc(journal.clock().instant()));
            ps.setString(5, commandId);
            ps.setString(6, source);
            ps.setString(7, rowKey);
            ps.executeUpdate();
        }
        LOG.info("{} row {}: same command {} as {} row {}; row marked taken, it gets that command's outcome too", source,
                rowKey, commandId, firstSource, firstRef);
    }

    /** Runs a conditional mark in its own transaction; true when this instance changed the row. */
    private boolean mark(NamedSql sql, Map<String, Object> row) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return sql.update(c, row) > 0;
        }
    }

    /**
     * Writes a command's state and result back to its source row with the result SQL (if any). Parameters:
     * {@code row_key}, {@code command_id}, {@code state}, {@code rtn_code}, {@code rtn_msg}, {@code reason},
     * {@code invoice_no}, {@code reply}, {@code now}.
     */
    public void report(Map<String, Object> values) throws SQLException {
        if (resultSql == null) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            int n = resultSql.update(c, values);
            if (n == 0) {
                LOG.warn("{}: no row {} to write the result of command {} to", source, SafeText.log(values.get("row_key")),
                        SafeText.log(values.get("command_id")));
            }
        }
    }

    private String rejection(Map<String, Object> selected, String rowKey, String reason) {
        ObjectNode out = JSON.createObjectNode();
        out.put("source", "sql:" + source);
        out.put("rowKey", rowKey);
        out.put("reason", reason);
        ObjectNode columns = out.putObject("row");
        RowMapper.normalise(selected).forEach((k, v) -> columns.put(k, v == null ? null : RowMapper.text(v)));
        return out.toString();
    }

    private static String truncate(String s) {
        return s.length() <= REASON_MAX ? s : s.substring(0, REASON_MAX - 3) + "...";
    }

    // --- configuration (bean properties) ---

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    /** Where the results routes find this table's result statement. */
    public void setResults(SqlResults results) {
        results.register(this);
    }

    public void setDataSource(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void setJournal(Journal journal) {
        this.journal = journal;
    }

    public void setDefaultMerchantId(String defaultMerchantId) {
        this.defaultMerchantId = defaultMerchantId == null ? "" : defaultMerchantId;
    }

    public void setCatalog(OperationCatalog catalog) {
        this.catalog = catalog;
    }

    /** The conditional "mark as taken" statement (file path or classpath: location). */
    public void setTakeSql(String location) {
        this.takeSql = NamedSql.load(location);
    }

    /** The conditional "mark as rejected" statement; {@code :reason} is the plain-language reason. */
    public void setRejectSql(String location) {
        this.rejectSql = NamedSql.load(location);
    }

    /** Optional: the statement that writes a command's result back to its row (blank: none, e.g. read a view). */
    public void setResultSql(String location) {
        this.resultSql = NamedSql.load(location);
    }
}
