package tw.einvoice.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.Instant;
import java.time.Duration;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
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
    private volatile String product;
    private final CallbackStore callbacks;
    /** Outcomes and delivered marks recorded by concurrent senders share a commit (see {@link GroupCommit}). */
    private final GroupCommit commits;

    public Journal(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.callbacks = new CallbackStore(dataSource);
        this.commits = new GroupCommit(dataSource);
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
        return insertRow(c, command, source);
    }

    boolean isPostgres(Connection c) throws SQLException {
        return product(c).contains("postgres");
    }

    boolean isMariaDb(Connection c) throws SQLException {
        return product(c).contains("mariadb") || product(c).contains("mysql");
    }

    private String product(Connection c) throws SQLException {
        String name = product;
        if (name == null) {
            name = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
            product = name;
        }
        return name;
    }

    private Insert insertRow(Connection c, Command command, Source source) throws SQLException {
        LocalDateTime now = utc(clock.instant());
        String sql = "INSERT INTO ecpay_command (id, operation, merchant_id, payload, state, attempts, maybe_sent, "
                + "next_attempt_at, source_kind, source_name, source_ref, created_at, updated_at) "
                + "VALUES (?, ?, ?, ?, 'NEW', 0, FALSE, ?, ?, ?, ?, ?, ?)";
        // PostgreSQL aborts the whole transaction on a failed insert: there a duplicate id is no error but no row (one
        // round trip, where a savepoint around the insert took three); any other error still fails the insert
        boolean postgres = isPostgres(c);
        if (postgres) {
            sql += " ON CONFLICT (id) DO NOTHING";
        }
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
            return ps.executeUpdate() == 0 && postgres ? Insert.DUPLICATE : Insert.INSERTED;
        } catch (SQLException e) {
            if (isDuplicateKey(e)) {
                return Insert.DUPLICATE;
            }
            throw e;
        }
    }

    /**
     * A unique-key violation: the id is already journaled. Only that one: any other integrity error (a NOT NULL
     * column, say) must fail loudly rather than pass for a duplicate and drop the command.
     */
    static boolean isDuplicateKey(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            // 23505: H2 and PostgreSQL; MariaDB reports 23000 with its error 1062 (ER_DUP_ENTRY)
            if ("23505".equals(s.getSQLState()) || ("23000".equals(s.getSQLState()) && s.getErrorCode() == 1062)) {
                return true;
            }
        }
        return false;
    }

    // ---- dispatch: claim, complete, expire, pause -------------------------------------------------------------

    // one query per due state, ordered by the index (state, next_attempt_at) itself, so the database reads the first
    // rows of the index and stops at the limit: O(batch), not O(backlog) (ordering by next_attempt_at alone made H2
    // read and sort every due row of a 200,000-command backlog for each batch)
    static final List<String> DUE_STATES = List.of("NEW", "RETRY", "UNKNOWN");
    static final String CANDIDATES = "SELECT id, operation, merchant_id, payload, state, attempts, maybe_sent, "
            + "source_kind, source_name, source_ref, next_attempt_at, attempt_base FROM ecpay_command c "
            + "WHERE state = ? AND next_attempt_at <= ? "
            + "AND NOT EXISTS (SELECT 1 FROM ecpay_merchant_pause p WHERE p.merchant_id = c.merchant_id AND p.paused_until > ?) "
            + "ORDER BY state, next_attempt_at LIMIT ?";

    // state and attempts are the row's version: every transition changes one of them, so a row changed by another
    // instance since it was read no longer matches and the row count (0) says "not yours". maybe_sent is set before
    // the request goes out, so a crash during the call leaves the row marked as possibly sent.
    static final String CLAIM = "UPDATE ecpay_command SET state = 'IN_FLIGHT', claim_owner = ?, claim_expires_at = ?, "
            + "attempts = ?, maybe_sent = TRUE, updated_at = ? WHERE id = ? AND state = ? AND attempts = ?";

    /**
     * Claims up to {@code limit} due commands (NEW, RETRY or UNKNOWN whose time has come, of merchants not paused) for
     * {@code owner} until now + {@code lease}. Each row is taken by its own conditional UPDATE whose row count decides,
     * so two instances on one database never hold the same row (portable across H2, PostgreSQL and MariaDB). The
     * round's UPDATEs commit together, before any claim is returned (and so before any request leaves); they take their
     * rows in one order, earliest due then id, so two instances claiming at once wait for each other rather than deadlock
     * (should a database still report one, that round claims nothing and the next one tries again).
     */
    public List<Claim> claimDue(String owner, int limit, Duration lease) {
        LocalDateTime now = utc(clock.instant());
        LocalDateTime expires = now.plus(lease);
        List<Claim> claimed = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            List<Map.Entry<LocalDateTime, Claim>> due = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(CANDIDATES)) {
                for (String state : DUE_STATES) {
                    ps.setString(1, state);
                    ps.setObject(2, now);
                    ps.setObject(3, now);
                    ps.setInt(4, limit * 2); // a few spare rows: another instance may take some of them first
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            due.add(Map.entry(rs.getObject(11, LocalDateTime.class), new Claim(rs.getString(1), rs.getString(2),
                                    rs.getString(3), rs.getString(4), rs.getInt(6), rs.getBoolean(7),
                                    CommandState.valueOf(rs.getString(5)), owner, expires,
                                    new Source(rs.getString(8), rs.getString(9), rs.getString(10)), rs.getInt(12))));
                        }
                    }
                }
            }
            // the earliest due first, whatever their state
            due.sort(Map.Entry.<LocalDateTime, Claim>comparingByKey().thenComparing(e -> e.getValue().id()));
            List<Claim> candidates = due.stream().map(Map.Entry::getValue).toList();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
                for (Claim cand : candidates) {
                    if (claimed.size() >= limit) {
                        break;
                    }
                    int attempt = cand.attempt() + 1;
                    ps.setString(1, owner);
                    ps.setObject(2, expires);
                    ps.setInt(3, attempt);
                    ps.setObject(4, now);
                    ps.setString(5, cand.id());
                    ps.setString(6, cand.previousState().name());
                    ps.setInt(7, cand.attempt());
                    if (ps.executeUpdate() == 1) {
                        claimed.add(new Claim(cand.id(), cand.operation(), cand.merchantId(), cand.payload(), attempt,
                                cand.maybeSentBefore(), cand.previousState(), owner, expires, cand.source(), cand.attemptBase()));
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback(); // nothing claimed, nothing sent: the next round tries again
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            return claimed;
        } catch (SQLException e) {
            // rolled back; only a commit whose answer was lost may have claimed rows: IN_FLIGHT until their lease expires,
            // then reconciled
            throw new JournalException("cannot claim due commands: " + e.getMessage(), e);
        }
    }

    /**
     * Ends a claimed attempt in one UPDATE that also releases the claim. Only the owner of this very attempt may do it:
     * a claim that expired and was taken over (or re-claimed) is never overwritten. The attempt's audit row is written
     * with it, started and ended now.
     *
     * @return false when the claim was lost (the row is someone else's now)
     */
    public boolean complete(Claim claim, Completion done) {
        return complete(claim, done, new AttemptAudit(claim.owner(), utc(clock.instant()), 0, null, null));
    }

    static final String COMPLETE_WHERE = "WHERE id = ? AND claim_owner = ? AND state = 'IN_FLIGHT' AND attempts = ?";
    static final String ATTEMPT_COLUMNS = "command_id, attempt, kind, instance_id, started_at, ended_at, duration_ms, "
            + "http_status, trans_code, rtn_code, rtn_msg, outcome, state_after, reason, evidence, data_sha256, lookup_operation";
    static final String ATTEMPT_VALUES = "?, 'ATTEMPT', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

    /**
     * Same, with the attempt's audit row written in the same transaction: on PostgreSQL in the same statement (a
     * data-modifying WITH, so no extra round trip per command); on H2 and MariaDB the UPDATE and the INSERT commit
     * together. The commit is shared with outcomes other senders record at the same moment ({@link GroupCommit}); this
     * returns once it is done. A lost claim still gets its audit row (state_after LOST): ECPay may have acted on that
     * attempt.
     */
    public boolean complete(Claim claim, Completion done, AttemptAudit audit) {
        return complete(claim, done, audit, utc(clock.instant()));
    }

    /** Same, recorded as of {@code now} (from this journal's clock): {@link #completedRow} then gives the row as left. */
    public boolean complete(Claim claim, Completion done, AttemptAudit audit, LocalDateTime now) {
        String update = "UPDATE ecpay_command SET state = ?, next_attempt_at = ?, maybe_sent = ?, claim_owner = NULL, "
                + "claim_expires_at = NULL, last_http_status = ?, last_trans_code = ?, last_rtn_code = ?, last_rtn_msg = ?, "
                + "last_reason = ?, last_outcome = ?, evidence = ?, " + (done.reply() != null ? "reply = ?, " : "") + "updated_at = ? "
                + COMPLETE_WHERE;
        try {
            return commits.run(c -> {
                boolean kept;
                if (isPostgres(c)) {
                    try (PreparedStatement ps = c.prepareStatement("WITH done AS (" + update + " RETURNING id) INSERT INTO ecpay_attempt ("
                            + ATTEMPT_COLUMNS + ") SELECT done.id, " + ATTEMPT_VALUES + " FROM done")) {
                        int i = bindCompletion(ps, claim, done, now);
                        bindAttempt(ps, i, claim, done, audit, now, done.state().name(), done.reason());
                        kept = ps.executeUpdate() == 1;
                    }
                } else {
                    try (PreparedStatement up = c.prepareStatement(update)) {
                        bindCompletion(up, claim, done, now);
                        kept = up.executeUpdate() == 1;
                    }
                    if (kept) {
                        insertAttempt(c, claim, done, audit, now, done.state().name(), done.reason());
                    }
                }
                if (!kept) {
                    insertAttempt(c, claim, done, audit, now, "LOST", "claim lost before the outcome was recorded: " + done.reason());
                }
                return kept;
            });
        } catch (SQLException e) {
            throw new JournalException("cannot record the outcome of " + claim.id() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The row as {@link #complete} leaves it when it records {@code done} as of {@code now}, built from the claim and
     * the completion instead of read back (a command's channel message, one round trip fewer). {@code createdAt} is
     * not known here (null). Null when the completion has no reply of its own: the stored one is kept, which only the
     * journal knows.
     */
    public static CommandRow completedRow(Claim claim, Completion done, LocalDateTime now) {
        if (done.reply() == null) {
            return null;
        }
        return new CommandRow(claim.id(), claim.operation(), claim.merchantId(), claim.payload(), done.state(), claim.attempt(),
                done.maybeSent(), done.nextAttemptAt() == null ? now : done.nextAttemptAt(), null, null, done.httpStatus(),
                done.transCode(), done.rtnCode(), clip(done.rtnMsg(), 1000), clip(done.reason(), 1000), done.reply(),
                claim.source(), null, now, done.outcome() == null ? null : done.outcome().name(), null,
                done.evidence() == null ? null : done.evidence().name());
    }

    private static int bindCompletion(PreparedStatement ps, Claim claim, Completion done, LocalDateTime now) throws SQLException {
        int i = 1;
        ps.setString(i++, done.state().name());
        ps.setObject(i++, done.nextAttemptAt() == null ? now : done.nextAttemptAt());
        ps.setBoolean(i++, done.maybeSent());
        setInt(ps, i++, done.httpStatus());
        setInt(ps, i++, done.transCode());
        setInt(ps, i++, done.rtnCode());
        ps.setString(i++, clip(done.rtnMsg(), 1000));
        ps.setString(i++, clip(done.reason(), 1000));
        ps.setString(i++, done.outcome() == null ? null : done.outcome().name());
        ps.setString(i++, done.evidence() == null ? null : done.evidence().name());
        if (done.reply() != null) {
            ps.setString(i++, done.reply());
        }
        ps.setObject(i++, now);
        ps.setString(i++, claim.id());
        ps.setString(i++, claim.owner());
        ps.setInt(i++, claim.attempt());
        return i;
    }

    private static void insertAttempt(Connection c, Claim claim, Completion done, AttemptAudit audit, LocalDateTime now,
                                      String stateAfter, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ecpay_attempt (" + ATTEMPT_COLUMNS + ") VALUES (?, "
                + ATTEMPT_VALUES + ")")) {
            ps.setString(1, claim.id());
            bindAttempt(ps, 2, claim, done, audit, now, stateAfter, reason);
            ps.executeUpdate();
        }
    }

    /** The attempt's values after command_id, from parameter {@code i} on (in the order of {@link #ATTEMPT_VALUES}). */
    private static void bindAttempt(PreparedStatement ps, int i, Claim claim, Completion done, AttemptAudit audit,
                                    LocalDateTime now, String stateAfter, String reason) throws SQLException {
        ps.setInt(i++, claim.attempt());
        ps.setString(i++, clip(audit.instanceId(), 100));
        ps.setObject(i++, audit.startedAt() == null ? now : audit.startedAt());
        ps.setObject(i++, now);
        ps.setLong(i++, audit.durationMs());
        setInt(ps, i++, done.httpStatus());
        setInt(ps, i++, done.transCode());
        setInt(ps, i++, done.rtnCode());
        ps.setString(i++, clip(done.rtnMsg(), 1000));
        ps.setString(i++, done.outcome() == null ? null : done.outcome().name());
        ps.setString(i++, stateAfter);
        ps.setString(i++, clip(reason, 1000));
        ps.setString(i++, done.evidence() == null ? null : done.evidence().name());
        ps.setString(i++, audit.dataSha256());
        ps.setString(i, audit.lookupOperation());
    }

    /** One command's audit history, oldest first: every attempt and every re-drive. */
    public List<AttemptRow> attempts(String commandId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, command_id, attempt, kind, instance_id, started_at, ended_at, duration_ms, http_status, trans_code, "
                        + "rtn_code, rtn_msg, outcome, state_after, reason, evidence, data_sha256, lookup_operation, redrive_id "
                        + "FROM ecpay_attempt WHERE command_id = ? ORDER BY id")) {
            ps.setString(1, commandId);
            List<AttemptRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long duration = rs.getLong(8);
                    Long durationMs = rs.wasNull() ? null : duration;
                    out.add(new AttemptRow(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5),
                            rs.getObject(6, LocalDateTime.class), rs.getObject(7, LocalDateTime.class), durationMs,
                            intOrNull(rs, 9), intOrNull(rs, 10), intOrNull(rs, 11), rs.getString(12), rs.getString(13),
                            rs.getString(14), rs.getString(15), rs.getString(16), rs.getString(17), rs.getString(18),
                            rs.getString(19)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new JournalException("cannot read the attempts of " + commandId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes audit rows (attempts, re-drives) older than {@code keep}, {@code batch} rows per statement so that no
     * statement holds many locks or a long transaction; stops when a batch comes back short.
     *
     * @param keep how long rows are kept; null or zero keeps everything
     * @return how many attempt rows were deleted
     */
    public int purgeAudit(java.time.Duration keep, int batch) {
        if (keep == null || keep.isZero()) {
            return 0;
        }
        LocalDateTime cutoff = utc(clock.instant()).minus(keep);
        int total = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            String delete = isMariaDb(c) ? "DELETE FROM ecpay_attempt WHERE ended_at < ? LIMIT ?"
                    : "DELETE FROM ecpay_attempt WHERE id IN (SELECT id FROM ecpay_attempt WHERE ended_at < ? LIMIT ?)";
            try (PreparedStatement ps = c.prepareStatement(delete)) {
                int n;
                do {
                    ps.setObject(1, cutoff);
                    ps.setInt(2, batch);
                    n = ps.executeUpdate();
                    total += n;
                } while (n >= batch);
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM ecpay_redrive WHERE requested_at < ?")) {
                ps.setObject(1, cutoff);
                ps.executeUpdate();
            }
            return total;
        } catch (SQLException e) {
            throw new JournalException("cannot delete old audit rows: " + e.getMessage(), e);
        }
    }

    /**
     * Gives an unsent claim back exactly as it was before it was taken (state, attempts, maybe_sent), due now.
     * Only for a claim whose request was never sent.
     *
     * @return false when the claim was no longer held
     */
    public boolean release(Claim claim) {
        LocalDateTime now = utc(clock.instant());
        String sql = "UPDATE ecpay_command SET state = ?, attempts = ?, maybe_sent = ?, claim_owner = NULL, "
                + "claim_expires_at = NULL, updated_at = ? WHERE id = ? AND claim_owner = ? AND state = 'IN_FLIGHT' AND attempts = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, claim.previousState().name());
            ps.setInt(2, claim.attempt() - 1);
            ps.setBoolean(3, claim.maybeSentBefore());
            ps.setObject(4, now);
            ps.setString(5, claim.id());
            ps.setString(6, claim.owner());
            ps.setInt(7, claim.attempt());
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new JournalException("cannot release the claim on " + claim.id() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Claims whose lease ran out (the instance stopped, or a call outlived its lease) become UNKNOWN: the request may
     * have reached ECPay, so the command is reconciled, due after {@code delay}.
     *
     * @return how many claims expired
     */
    public int expireClaims(Duration delay) {
        LocalDateTime now = utc(clock.instant());
        String sql = "UPDATE ecpay_command SET state = 'UNKNOWN', maybe_sent = TRUE, claim_owner = NULL, claim_expires_at = NULL, "
                + "next_attempt_at = ?, last_reason = ?, updated_at = ? WHERE state = 'IN_FLIGHT' AND claim_expires_at < ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, now.plus(delay));
            ps.setString(2, "the claim expired before its outcome was recorded (instance stopped or call outlived its lease): "
                    + "reconciling");
            ps.setObject(3, now);
            ps.setObject(4, now);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new JournalException("cannot expire stale claims: " + e.getMessage(), e);
        }
    }

    /** Stops every instance from calling ECPay for {@code merchantId} until {@code until} (HTTP 403). */
    public void pauseMerchant(String merchantId, LocalDateTime until, String reason) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            for (int tries = 0; tries < 3; tries++) {
                try (PreparedStatement up = c.prepareStatement(
                        "UPDATE ecpay_merchant_pause SET paused_until = ?, reason = ? WHERE merchant_id = ?")) {
                    up.setObject(1, until);
                    up.setString(2, clip(reason, 1000));
                    up.setString(3, merchantId);
                    if (up.executeUpdate() == 1) {
                        return;
                    }
                }
                try (PreparedStatement in = c.prepareStatement(
                        "INSERT INTO ecpay_merchant_pause (merchant_id, paused_until, reason) VALUES (?, ?, ?)")) {
                    in.setString(1, merchantId);
                    in.setObject(2, until);
                    in.setString(3, clip(reason, 1000));
                    in.executeUpdate();
                    return;
                } catch (SQLException e) {
                    if (!isDuplicateKey(e)) {
                        throw e;
                    }
                    // another instance inserted it first: update it on the next pass
                }
            }
        } catch (SQLException e) {
            throw new JournalException("cannot pause merchant " + merchantId + ": " + e.getMessage(), e);
        }
    }

    /** When the merchant's pause ends, or null when it is not paused now. */
    public LocalDateTime pausedUntil(String merchantId) {
        LocalDateTime now = utc(clock.instant());
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT paused_until FROM ecpay_merchant_pause WHERE merchant_id = ? AND paused_until > ?")) {
            ps.setString(1, merchantId);
            ps.setObject(2, now);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1, LocalDateTime.class) : null;
            }
        } catch (SQLException e) {
            throw new JournalException("cannot read the pause of merchant " + merchantId + ": " + e.getMessage(), e);
        }
    }

    private static final String ROW_COLUMNS = "id, operation, merchant_id, payload, state, attempts, maybe_sent, "
            + "next_attempt_at, claim_owner, claim_expires_at, last_http_status, last_trans_code, last_rtn_code, last_rtn_msg, "
            + "last_reason, reply, source_kind, source_name, source_ref, created_at, updated_at, last_outcome, channel_delivered_at, evidence";

    /** One command as stored, or null. */
    public CommandRow find(String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + ROW_COLUMNS + " FROM ecpay_command WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? row(rs) : null;
            }
        } catch (SQLException e) {
            throw new JournalException("cannot read command " + id + ": " + e.getMessage(), e);
        }
    }

    /** A command's JSON columns that {@link #holding} searches. */
    public enum JsonColumn { PAYLOAD, REPLY }

    /**
     * Which commands hold a key that ECPay or another command names (a callback's Tsr or allowance number, a trigger's
     * DelayIssue): those of one operation and merchant whose JSON {@code column} holds {@code "field":"value"} as the
     * journal wrote it, newest first, at most {@code limit}. Along the index (operation, merchant_id, created_at), the
     * read stops at the limit; the text itself is not indexed, so this is for the rare lookup, not for every command.
     */
    public List<CommandRow> holding(String operation, String merchantId, JsonColumn column, String field, String value, int limit) {
        try (Connection c = dataSource.getConnection()) {
            return holding(c, operation, merchantId, column, field, value, limit);
        } catch (SQLException e) {
            throw new JournalException("cannot search " + operation + " commands of merchant " + merchantId + ": " + e.getMessage(), e);
        }
    }

    /** Same, on the caller's connection. */
    static List<CommandRow> holding(Connection c, String operation, String merchantId, JsonColumn column, String field,
                                    String value, int limit) throws SQLException {
        String json = tw.einvoice.protocol.Envelope.toJson(
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put(field, value));
        String fragment = json.substring(1, json.length() - 1);
        try (PreparedStatement ps = c.prepareStatement("SELECT " + ROW_COLUMNS + " FROM ecpay_command WHERE operation = ? "
                + "AND merchant_id = ? AND " + column.name().toLowerCase(java.util.Locale.ROOT) + " LIKE ? ESCAPE '!' "
                + "ORDER BY created_at DESC")) {
            ps.setString(1, operation);
            ps.setString(2, merchantId);
            ps.setString(3, "%" + LikeText.escaped(fragment) + "%");
            ps.setMaxRows(limit);
            List<CommandRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(row(rs));
                }
            }
            return rows;
        }
    }

    private static CommandRow row(ResultSet rs) throws SQLException {
        return new CommandRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                CommandState.valueOf(rs.getString(5)), rs.getInt(6), rs.getBoolean(7),
                rs.getObject(8, LocalDateTime.class), rs.getString(9), rs.getObject(10, LocalDateTime.class),
                intOrNull(rs, 11), intOrNull(rs, 12), intOrNull(rs, 13), rs.getString(14), rs.getString(15),
                rs.getString(16), new Source(rs.getString(17), rs.getString(18), rs.getString(19)),
                rs.getObject(20, LocalDateTime.class), rs.getObject(21, LocalDateTime.class), rs.getString(22),
                rs.getObject(23, LocalDateTime.class), rs.getString(24));
    }

    // ---- ECPay's callbacks (ecpay_callback) ---------------------------------------------------------------------

    /**
     * Records a callback ECPay sent, received now. A verified one is matched to the command that asked for it (by
     * Tsr / RelateNumber for DelayIssue, by the allowance number for AllowanceByCollegiate); an unverified one never is.
     *
     * @param merchantId the merchant whose keys verified it, or the MerchantID it named (null if none)
     * @param refusal    which check failed; null when verified
     */
    public CallbackRow recordCallback(tw.einvoice.protocol.EcpayCallback callback, String merchantId, boolean verified,
            String refusal, String remoteAddress) {
        return callbacks.record(callback, merchantId, verified, refusal, remoteAddress, utc(clock.instant()));
    }

    /** The callbacks matched to a command, oldest first. */
    public List<CallbackRow> callbacks(String commandId) {
        return callbacks.forCommand(commandId);
    }

    // ---- outcome channel delivery (the outbox) -----------------------------------------------------------------

    // a final row is waiting for delivery until channel_delivered_at is set; it is due for a re-publish once its last
    // publish (channel_attempt_at, or the completion itself: updated_at) is older than the grace period
    // per final state, through the index (state, channel_delivered_at): only undelivered final rows are read, however
    // many commands are waiting or long delivered
    static final String UNDELIVERED = "SELECT " + ROW_COLUMNS + " FROM ecpay_command "
            + "WHERE state = ? AND channel_delivered_at IS NULL "
            + "AND COALESCE(channel_attempt_at, updated_at) <= ? ORDER BY COALESCE(channel_attempt_at, updated_at) LIMIT ?";

    // the row count decides, as for dispatch claims: the first UPDATE moves channel_attempt_at to now, so the same
    // condition no longer matches for anyone else until the grace period has passed again (it must be above zero)
    static final String CLAIM_UNDELIVERED = "UPDATE ecpay_command SET channel_attempt_at = ? "
            + "WHERE id = ? AND channel_delivered_at IS NULL AND state IN ('SUCCEEDED', 'DEAD') "
            + "AND COALESCE(channel_attempt_at, updated_at) <= ?";

    /**
     * Claims up to {@code limit} final commands whose channel delivery is missing and whose last publish is older than
     * {@code after}, for publishing them again now. Each row is taken by its own conditional UPDATE, so instances
     * sharing the journal do not publish the same row at the same moment; an undelivered row comes back every
     * {@code after} until a publish succeeds.
     */
    public List<CommandRow> claimUndelivered(int limit, Duration after) {
        if (after.isZero() || after.isNegative()) {
            throw new IllegalArgumentException("the re-publish grace period must be above zero, not " + after);
        }
        LocalDateTime now = utc(clock.instant());
        LocalDateTime cutoff = now.minus(after);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            List<CommandRow> candidates = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(UNDELIVERED)) {
                for (String state : List.of("SUCCEEDED", "DEAD")) {
                    ps.setString(1, state);
                    ps.setObject(2, cutoff);
                    ps.setInt(3, limit * 2); // a few spare rows: another instance may take some of them first
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            candidates.add(row(rs));
                        }
                    }
                }
            }
            List<CommandRow> claimed = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(CLAIM_UNDELIVERED)) {
                for (CommandRow cand : candidates) {
                    if (claimed.size() >= limit) {
                        break;
                    }
                    ps.setObject(1, now);
                    ps.setString(2, cand.id());
                    ps.setObject(3, cutoff);
                    if (ps.executeUpdate() == 1) {
                        claimed.add(cand);
                    }
                }
            }
            return claimed;
        } catch (SQLException e) {
            throw new JournalException("cannot claim undelivered outcomes: " + e.getMessage(), e);
        }
    }

    // the state is tested in a form no index on state serves, so every optimiser finds the row by its key: H2 without
    // fresh statistics read it through ecpay_command_undelivered (state, channel_delivered_at) instead, visiting every
    // undelivered final row for each mark (15% of the job's CPU in a JFR profile)
    static final String MARK_DELIVERED = "UPDATE ecpay_command SET channel_delivered_at = ? "
            + "WHERE id = ? AND channel_delivered_at IS NULL AND CASE WHEN state IN ('SUCCEEDED', 'DEAD') THEN 1 ELSE 0 END = 1";

    /**
     * Records that the outcome channel accepted the message of final command {@code id}.
     *
     * @return false when it was already marked (another publish got there first) or the command is not final
     */
    public boolean markDelivered(String id) {
        LocalDateTime now = utc(clock.instant());
        try {
            return commits.run(c -> {
                try (PreparedStatement ps = c.prepareStatement(MARK_DELIVERED)) {
                    ps.setObject(1, now);
                    ps.setString(2, id);
                    return ps.executeUpdate() == 1;
                }
            });
        } catch (SQLException e) {
            throw new JournalException("cannot mark the outcome of " + id + " delivered: " + e.getMessage(), e);
        }
    }

    /** How many commands are in each state (states with none are absent). */
    public Map<CommandState, Integer> countByState() {
        Map<CommandState, Integer> counts = new EnumMap<>(CommandState.class);
        try (Connection c = dataSource.getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT state, COUNT(*) FROM ecpay_command GROUP BY state")) {
            while (rs.next()) {
                counts.put(CommandState.valueOf(rs.getString(1)), rs.getInt(2));
            }
            return counts;
        } catch (SQLException e) {
            throw new JournalException("cannot count commands: " + e.getMessage(), e);
        }
    }

    private static void setInt(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }

    private static Integer intOrNull(ResultSet rs, int index) throws SQLException {
        int v = rs.getInt(index);
        return rs.wasNull() ? null : v;
    }

    static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /**
     * An instant as the UTC wall time the journal stores. Truncated to the columns' milliseconds here, not rounded by
     * the database: a row written "due now" is due to a query made right after it, on every vendor.
     */
    public static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS), ZoneOffset.UTC);
    }
}
