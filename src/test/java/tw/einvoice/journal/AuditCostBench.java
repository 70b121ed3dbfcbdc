package tw.einvoice.journal;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.protocol.Verdict;
import tw.einvoice.testing.TestDatabases;

/**
 * What the attempt audit costs per completion, on each database, in one run: the completion as it was before the audit
 * (one UPDATE, autocommit) against {@link Journal#complete(Claim, Completion, AttemptAudit)} (PostgreSQL: the same
 * UPDATE and the audit INSERT in one statement; H2 and MariaDB: both in one transaction). Claims are made alike for both.
 * Runs with {@code -Dbench=true}; size {@code -Dbench.commands} (2,000 per side).
 */
class AuditCostBench {

    // the completion before the audit existed: kept here as the baseline
    static final String BARE = "UPDATE ecpay_command SET state = ?, next_attempt_at = ?, maybe_sent = ?, claim_owner = NULL, "
            + "claim_expires_at = NULL, last_http_status = ?, last_trans_code = ?, last_rtn_code = ?, last_rtn_msg = ?, "
            + "last_reason = ?, last_outcome = ?, evidence = ?, updated_at = ? " + Journal.COMPLETE_WHERE;

    @Test
    void auditCostPerCompletion() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("bench"), "a benchmark: -Dbench=true");
        int n = Integer.getInteger("bench.commands", 2_000);
        for (TestDatabases db : TestDatabases.values()) {
            try (HikariDataSource ds = db.fresh(4)) {
                Journal journal = new Journal(ds, Clock.systemUTC());
                measure(journal, ds, 200, true); // warm-up of both paths
                measure(journal, ds, 200, false);
                double bare = measure(journal, ds, n, false);
                double audited = measure(journal, ds, n, true);
                System.out.printf("AUDIT %-11s completion without audit %6.0f µs, with audit %6.0f µs (%+.0f%%)%n", db,
                        bare, audited, (audited / bare - 1) * 100);
            }
        }
    }

    /** Mean microseconds per completion of {@code n} fresh commands. */
    private static double measure(Journal journal, HikariDataSource ds, int n, boolean audited) throws Exception {
        String tag = Long.toString(System.nanoTime(), 36);
        for (int i = 0; i < n; i++) {
            journal.insert(Command.parse("{\"id\":\"" + tag + "-" + i + "\",\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":"
                    + "{\"Tsr\":\"" + tag + i + "\",\"PayType\":\"2\"}}", OperationCatalog.standard(), "2000132"), null);
        }
        long total = 0;
        int done = 0;
        while (done < n) {
            List<Claim> claims = journal.claimDue("bench", 100, Duration.ofMinutes(5));
            for (Claim c : claims) {
                Completion ok = new Completion(CommandState.SUCCEEDED, null, true, "ok", 200, 1, 1, "ok", null, Verdict.SUCCESS, null);
                long t0 = System.nanoTime();
                if (audited) {
                    journal.complete(c, ok, new AttemptAudit("bench", Journal.utc(java.time.Instant.now()), 5, "ab".repeat(32), null));
                } else {
                    bare(ds, c, ok);
                }
                total += System.nanoTime() - t0;
                done++;
            }
        }
        return total / 1000.0 / n;
    }

    private static void bare(HikariDataSource ds, Claim claim, Completion done) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(BARE)) {
            java.time.LocalDateTime now = Journal.utc(java.time.Instant.now());
            ps.setString(1, done.state().name());
            ps.setObject(2, now);
            ps.setBoolean(3, done.maybeSent());
            ps.setInt(4, done.httpStatus());
            ps.setInt(5, done.transCode());
            ps.setInt(6, done.rtnCode());
            ps.setString(7, done.rtnMsg());
            ps.setString(8, done.reason());
            ps.setString(9, done.outcome().name());
            ps.setString(10, null);
            ps.setObject(11, now);
            ps.setString(12, claim.id());
            ps.setString(13, claim.owner());
            ps.setInt(14, claim.attempt());
            ps.executeUpdate();
        }
    }
}
