package tw.einvoice.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.protocol.ResultClassifier;
import tw.einvoice.protocol.SafeText;

/**
 * Sends DEAD commands again, chosen by a {@link RedriveSelection}. The journal decides how, per command:
 * <ul>
 *   <li>never reached ECPay (maybe_sent false): RESEND, due now as RETRY;</li>
 *   <li>an earlier attempt may have reached ECPay: RECONCILE, due now as UNKNOWN, so the dispatcher re-sends it with the
 *       same key and adopts the earlier result after looking it up when ECPay answers "already done" (the
 *       reconciliation path of every UNKNOWN command: nothing is issued twice);</li>
 *   <li>may have reached ECPay and its operation has no lookup, or must never be re-sent (an Allowance): SKIP, with
 *       why; check at ECPay by hand.</li>
 * </ul>
 * Re-driven commands get a fresh attempt budget (attempt numbers keep growing), their channel delivery is reset so the
 * new outcome is published, and each gets a REDRIVE row in the audit; the re-drive itself (who, when, selection,
 * counts) is a row of ecpay_redrive. A dry run reports the same plan and writes nothing.
 */
public class Redrive {

    public enum Route { RESEND, RECONCILE, SKIP }

    /** One selected command and what the re-drive does (or would do) with it. */
    public record Item(String id, String operation, Integer transCode, Integer rtnCode, String reason, String source,
                       LocalDateTime diedAt, Route route, String why) {
    }

    /** @param id the re-drive's id in the audit; null for a dry run */
    public record Result(String id, boolean dryRun, String by, RedriveSelection selection, List<Item> items) {

        public long count(Route route) {
            return items.stream().filter(i -> i.route() == route).count();
        }
    }


    private static final Logger LOG = LoggerFactory.getLogger(Redrive.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final Journal journal;
    private final OperationCatalog catalog = OperationCatalog.standard();

    public Redrive(Journal journal) {
        this.journal = journal;
    }

    /**
     * For {@code direct:redrive}: the body is the selection as JSON (plus {@code "dryRun"} and, without the
     * {@code EcpayRedriveBy} header, {@code "by"}); the answer is the result as JSON. A bad selection is an
     * IllegalArgumentException with a plain message.
     */
    public String handle(String body, String by, String via) {
        JsonNode node;
        try {
            node = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the selection is not JSON: " + e.getOriginalMessage());
        }
        RedriveSelection selection = RedriveSelection.fromJson(node);
        String who = by != null && !by.isBlank() ? by : node.path("by").asText("");
        return toJson(run(selection, who.isBlank() ? "direct:redrive" : who, via == null || via.isBlank() ? "route" : via,
                node.path("dryRun").asBoolean(false))).toString();
    }

    /** Selects the DEAD commands, and unless {@code dryRun} makes them due again in one transaction. */
    public Result run(RedriveSelection selection, String by, String via, boolean dryRun) {
        String who = by == null || by.isBlank() ? "unknown" : by.strip();
        LocalDateTime now = Journal.utc(journal.clock().instant());
        String id = dryRun ? null : "rd-" + ID_TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = journal.dataSource().getConnection()) {
            List<Item> planned = select(c, selection);
            if (dryRun) {
                return new Result(null, true, who, selection, planned);
            }
            c.setAutoCommit(false);
            try {
                List<Item> done = apply(c, planned, id, who, now);
                Result result = new Result(id, false, who, selection, done);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO ecpay_redrive (id, requested_at, requested_by, via, "
                        + "selection, matched, resent, reconciled, skipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, id);
                    ps.setObject(2, now);
                    ps.setString(3, clip(who, 100));
                    ps.setString(4, clip(via, 20));
                    ps.setString(5, clip(selection.toJson().toString(), 2000));
                    ps.setInt(6, done.size());
                    ps.setInt(7, (int) result.count(Route.RESEND));
                    ps.setInt(8, (int) result.count(Route.RECONCILE));
                    ps.setInt(9, (int) result.count(Route.SKIP));
                    ps.executeUpdate();
                }
                c.commit();
                LOG.info("re-drive {} by {} via {}: {} matched, {} resent, {} reconciled, {} skipped; selection {}", id,
                        SafeText.log(who), via, done.size(), result.count(Route.RESEND), result.count(Route.RECONCILE),
                        result.count(Route.SKIP), SafeText.log(selection.toJson().toString()));
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new JournalException("cannot re-drive: " + e.getMessage(), e);
        }
    }

    private List<Item> select(Connection c, RedriveSelection s) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT id, operation, maybe_sent, last_trans_code, last_rtn_code, last_reason, "
                + "source_name, updated_at FROM ecpay_command WHERE state = 'DEAD'");
        List<Object> args = new ArrayList<>();
        in(sql, args, "id", s.ids());
        in(sql, args, "last_trans_code", s.transCodes());
        in(sql, args, "last_rtn_code", s.rtnCodes());
        if (s.reason() != null) {
            sql.append(" AND last_reason LIKE ? ESCAPE '!'");
            args.add("%" + LikeText.escaped(s.reason()) + "%");
        }
        if (s.source() != null) {
            // a dropped file is archived as "<received stamp>-<name>": its dropped name selects it too
            sql.append(" AND (source_name = ? OR source_name LIKE ? ESCAPE '!')");
            args.add(s.source());
            args.add("%-" + LikeText.escaped(s.source()));
        }
        if (s.operation() != null) {
            sql.append(" AND operation = ?");
            args.add(s.operation());
        }
        if (s.from() != null) {
            sql.append(" AND updated_at >= ?");
            args.add(Journal.utc(s.from()));
        }
        if (s.to() != null) {
            sql.append(" AND updated_at < ?");
            args.add(Journal.utc(s.to()));
        }
        sql.append(" ORDER BY updated_at, id LIMIT ?");
        args.add(s.limit());
        List<Item> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Integer trans = (Integer) nullable(rs, 4);
                    Integer rtn = (Integer) nullable(rs, 5);
                    out.add(plan(rs.getString(1), rs.getString(2), rs.getBoolean(3), trans, rtn, rs.getString(6),
                            rs.getString(7), rs.getObject(8, LocalDateTime.class)));
                }
            }
        }
        return out;
    }

    private Item plan(String id, String operation, boolean maybeSent, Integer transCode, Integer rtnCode, String reason,
                      String source, LocalDateTime diedAt) {
        if (!maybeSent) {
            return new Item(id, operation, transCode, rtnCode, reason, source, diedAt, Route.RESEND, "never reached ECPay");
        }
        Operation op = catalog.find(operation);
        if (op == null) {
            return new Item(id, operation, transCode, rtnCode, reason, source, diedAt, Route.SKIP,
                    "an earlier attempt may have reached ECPay and the operation is unknown here");
        }
        if (op.noResendKey()) {
            return new Item(id, operation, transCode, rtnCode, reason, source, diedAt, Route.SKIP,
                    "an earlier attempt may have reached ECPay; " + ResultClassifier.notResent(op));
        }
        if (op.adoptWith() == null) {
            return new Item(id, operation, transCode, rtnCode, reason, source, diedAt, Route.SKIP,
                    "an earlier attempt may have reached ECPay and " + operation + " has no lookup to reconcile it with: "
                            + "check at ECPay, then send it under a new key if it is not there");
        }
        return new Item(id, operation, transCode, rtnCode, reason, source, diedAt, Route.RECONCILE,
                "an earlier attempt may have reached ECPay: re-sent with the same key, an \"already done\" answer looked up "
                        + "with " + op.adoptWith().operation() + " and adopted");
    }

    // attempts unchanged: the row is taken only if nobody changed it since it was read (the same version check as claims)
    static final String REDRIVE = "UPDATE ecpay_command SET state = ?, next_attempt_at = ?, attempt_base = attempts, "
            + "channel_delivered_at = NULL, channel_attempt_at = NULL, last_reason = ?, updated_at = ? "
            + "WHERE id = ? AND state = 'DEAD' AND updated_at = ?";

    private List<Item> apply(Connection c, List<Item> planned, String redriveId, String by, LocalDateTime now)
            throws SQLException {
        List<Item> done = new ArrayList<>();
        try (PreparedStatement up = c.prepareStatement(REDRIVE);
             PreparedStatement audit = c.prepareStatement("INSERT INTO ecpay_attempt (command_id, attempt, kind, instance_id, "
                     + "started_at, ended_at, duration_ms, trans_code, rtn_code, state_after, reason, redrive_id) "
                     + "SELECT id, attempts, 'REDRIVE', ?, ?, ?, 0, last_trans_code, last_rtn_code, state, ?, ? "
                     + "FROM ecpay_command WHERE id = ?")) {
            for (Item item : planned) {
                if (item.route() == Route.SKIP) {
                    done.add(item);
                    continue;
                }
                String state = item.route() == Route.RESEND ? "RETRY" : "UNKNOWN";
                String note = "re-driven by " + by + " (" + redriveId + ", " + item.route() + "); it was dead: " + item.reason();
                up.setString(1, state);
                up.setObject(2, now);
                up.setString(3, clip(note, 1000));
                up.setObject(4, now);
                up.setString(5, item.id());
                up.setObject(6, item.diedAt());
                if (up.executeUpdate() != 1) {
                    done.add(new Item(item.id(), item.operation(), item.transCode(), item.rtnCode(), item.reason(), item.source(),
                            item.diedAt(), Route.SKIP, "changed since it was selected (re-driven by someone else?)"));
                    continue;
                }
                audit.setString(1, clip(by, 100));
                audit.setObject(2, now);
                audit.setObject(3, now);
                audit.setString(4, clip(note, 1000));
                audit.setString(5, redriveId);
                audit.setString(6, item.id());
                audit.executeUpdate();
                done.add(item);
            }
        }
        return done;
    }

    /** The result as JSON: the re-drive's id, counts and one entry per selected command. */
    public static ObjectNode toJson(Result r) {
        ObjectNode out = JSON.createObjectNode();
        if (r.id() != null) {
            out.put("redriveId", r.id());
        }
        out.put("dryRun", r.dryRun());
        out.put("by", r.by());
        out.set("selection", r.selection().toJson());
        out.put("matched", r.items().size());
        out.put("resent", r.count(Route.RESEND));
        out.put("reconciled", r.count(Route.RECONCILE));
        out.put("skipped", r.count(Route.SKIP));
        ArrayNode items = out.putArray("commands");
        for (Item i : r.items()) {
            ObjectNode o = items.addObject();
            o.put("id", i.id());
            o.put("operation", i.operation());
            if (i.transCode() != null) {
                o.put("transCode", i.transCode());
            }
            if (i.rtnCode() != null) {
                o.put("rtnCode", i.rtnCode());
            }
            o.put("reason", i.reason());
            o.put("source", i.source());
            o.put("diedAt", i.diedAt() == null ? null : i.diedAt().toString() + "Z");
            o.put("route", i.route().name());
            o.put("why", i.why());
        }
        return out;
    }

    private static void in(StringBuilder sql, List<Object> args, String column, List<?> values) {
        if (values.isEmpty()) {
            return;
        }
        sql.append(" AND ").append(column).append(" IN (").append("?, ".repeat(values.size() - 1)).append("?)");
        args.addAll(values);
    }

    private static Object nullable(ResultSet rs, int index) throws SQLException {
        int v = rs.getInt(index);
        return rs.wasNull() ? null : v;
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
