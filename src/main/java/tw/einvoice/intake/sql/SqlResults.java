package tw.einvoice.intake.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import tw.einvoice.journal.Journal;

/**
 * Writes journal results back to the SQL source rows they came from: for one journal row (selected by the results
 * route), finds the {@link SqlIntake} whose source it names and runs that intake's result SQL. The route marks the
 * journal row reported afterwards, so each change of state is written back once (a repeat is a harmless re-update).
 *
 * <p>Each table's intake registers itself here ({@link SqlIntake#setResults}): the intakes are beans of the route
 * template sql-intake, which live with their route and are not in Camel's registry.
 */
public class SqlResults {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<SqlIntake> intakes = new CopyOnWriteArrayList<>();
    private java.time.Clock clock = java.time.Clock.systemUTC();

    public void report(Map<String, Object> journalRow) throws SQLException {
        Map<String, Object> row = RowMapper.normalise(journalRow);
        String sourceName = RowMapper.text(row.get("source_name"));
        for (SqlIntake intake : intakes) {
            if (sourceName.equals(intake.getSource())) {
                intake.report(values(row));
            }
        }
    }

    /** A table's intake: its rows get their commands' results (when it has a result statement). */
    void register(SqlIntake intake) {
        if (!intakes.contains(intake)) {
            intakes.add(intake);
        }
    }

    /** The result SQL's parameters, taken from one ecpay_command row. */
    Map<String, Object> values(Map<String, Object> row) {
        Map<String, Object> v = new HashMap<>();
        v.put("row_key", row.get("source_ref"));
        v.put("command_id", row.get("id"));
        v.put("state", row.get("state"));
        v.put("rtn_code", row.get("last_rtn_code"));
        v.put("rtn_msg", row.get("last_rtn_msg"));
        v.put("reason", row.get("last_reason"));
        v.put("reply", row.get("reply"));
        String invoiceNo = field(row.get("reply"), "InvoiceNo", "InvoiceNumber");
        v.put("invoice_no", invoiceNo != null ? invoiceNo : field(row.get("payload"), "InvoiceNo", "InvoiceNumber"));
        v.put("now", Journal.utc(clock.instant()));
        return v;
    }

    private static String field(Object json, String... names) {
        if (json == null || !json.toString().strip().startsWith("{")) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(json.toString());
            for (String name : names) {
                if (node.hasNonNull(name) && !node.get(name).asText().isEmpty()) {
                    return node.get(name).asText();
                }
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    public void setClock(java.time.Clock clock) {
        this.clock = clock;
    }
}
