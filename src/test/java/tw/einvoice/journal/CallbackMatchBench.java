package tw.einvoice.journal;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tw.einvoice.protocol.EcpayCallback;
import tw.einvoice.testing.TestDatabases;

/**
 * What matching a callback to its command costs when the ERP gives its own ids (no default-id shortcut: the Tsr is
 * searched in the payloads), on each database, with {@code -Dbench.commands} DelayIssue commands of one merchant
 * (100,000): the newest command, one a tenth of the way back, and the oldest. Runs with {@code -Dbench=true}.
 */
class CallbackMatchBench {

    @Test
    void matchCostByAge() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("bench"), "a benchmark: -Dbench=true");
        int n = Integer.getInteger("bench.commands", 100_000);
        for (TestDatabases db : TestDatabases.values()) {
            try (HikariDataSource ds = db.fresh(2)) {
                fill(ds, n);
                Journal journal = new Journal(ds, Clock.systemUTC());
                for (int round = 0; round < 2; round++) { // the first round warms up
                    StringBuilder line = new StringBuilder("MATCH " + db + " " + n + " DelayIssue commands:");
                    for (int i : new int[] {n - 1, n - 1 - n / 10, 0}) {
                        long t0 = System.nanoTime();
                        CallbackRow row = journal.recordCallback(EcpayCallback.parse(EcpayCallback.Kind.DELAY_ISSUE,
                                "MerchantID=2000132&Tsr=TSR" + i), "2000132", true, null, null);
                        long us = (System.nanoTime() - t0) / 1000;
                        if (!("ERP-" + i).equals(row.commandId())) {
                            throw new AssertionError("matched " + row.commandId() + " for ERP-" + i);
                        }
                        line.append(String.format(" %s %,d µs;", i == n - 1 ? "newest" : i == 0 ? "oldest" : "a tenth back", us));
                    }
                    if (round == 1) {
                        System.out.println(line);
                    }
                }
            }
        }
    }

    /** n DelayIssue commands with ids of the ERP's own, one second apart, oldest first. */
    private static void fill(HikariDataSource ds, int n) throws Exception {
        LocalDateTime start = LocalDateTime.of(2026, 1, 1, 0, 0);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO ecpay_command (id, "
                + "operation, merchant_id, payload, state, attempts, maybe_sent, next_attempt_at, created_at, updated_at) "
                + "VALUES (?, 'B2CInvoice/DelayIssue', '2000132', ?, 'SUCCEEDED', 1, TRUE, ?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < n; i++) {
                LocalDateTime at = start.plusSeconds(i);
                ps.setString(1, "ERP-" + i);
                ps.setString(2, "{\"RelateNumber\":\"ORD" + i + "\",\"Tsr\":\"TSR" + i + "\",\"PayType\":\"2\",\"PayAct\":\"ECPAY\","
                        + "\"DelayFlag\":\"2\",\"DelayDay\":0,\"NotifyURL\":\"https://erp.example/ecpay/notify/delay-issue\","
                        + "\"CustomerEmail\":\"buyer@example.com\",\"Print\":\"0\",\"Donation\":\"0\",\"TaxType\":\"1\",\"SalesAmount\":200,"
                        + "\"InvType\":\"07\",\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"禮盒\",\"ItemCount\":1,\"ItemWord\":\"盒\","
                        + "\"ItemPrice\":200,\"ItemAmount\":200}],\"MerchantID\":\"2000132\"}");
                ps.setObject(3, at);
                ps.setObject(4, at);
                ps.setObject(5, at);
                ps.addBatch();
                if (i % 1000 == 999) {
                    ps.executeBatch();
                    c.commit();
                }
            }
            ps.executeBatch();
            c.commit();
        }
    }
}
