package tw.einvoice.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.testing.MutableClock;
import tw.einvoice.testing.TestDatabases;

/**
 * The daily summary on each database: final commands counted on the Asia/Taipei day they became final (a command
 * final at 23:59:59 and one at 00:00:00 Taipei fall on two days), per merchant, operation and state, with SalesAmount
 * and AllowanceAmount summed; commands not final yet left out. The file is written once after the configured time.
 * Also the SQL intake's progress views: per inbox batch and per source.
 */
class DailySummaryTest {

    static final String ISSUE = "B2CInvoice/Issue";

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void finalCommandsPerTaipeiDayMerchantOperationAndState(TestDatabases db, @TempDir Path tmp) throws Exception {
        try (HikariDataSource ds = db.fresh(2); Connection c = ds.getConnection()) {
            insert(c, "a", ISSUE, "2000132", "SUCCEEDED", "2026-11-29T15:59:59", "{\"RelateNumber\":\"a\",\"SalesAmount\":100}");
            insert(c, "b", ISSUE, "2000132", "SUCCEEDED", "2026-11-29T16:00:00", "{\"RelateNumber\":\"b\",\"SalesAmount\":350}");
            insert(c, "c", ISSUE, "2000132", "SUCCEEDED", "2026-11-30T10:00:00", "{\"SalesAmount\":\"50\",\"RelateNumber\":\"c\"}");
            insert(c, "d", "B2CInvoice/Allowance", "2000132", "SUCCEEDED", "2026-11-30T11:00:00",
                    "{\"InvoiceNo\":\"AB12345678\",\"Items\":[{\"ItemAmount\":15},{\"ItemAmount\":5}],\"AllowanceAmount\":20}");
            insert(c, "e", ISSUE, "2000132", "DEAD", "2026-11-30T12:00:00", "{\"RelateNumber\":\"e\",\"SalesAmount\":70}");
            insert(c, "f", ISSUE, "2000132", "RETRY", "2026-11-30T12:00:00", "{\"RelateNumber\":\"f\",\"SalesAmount\":9}");
            insert(c, "g", "B2CInvoice/CancelDelayIssue", "2000132", "SUCCEEDED", "2026-11-30T13:00:00", "{\"Tsr\":\"T1\"}");
            insert(c, "h", ISSUE, "3000000", "SUCCEEDED", "2026-11-30T15:59:59", "{\"RelateNumber\":\"h\",\"SalesAmount\":1000}");
            insert(c, "i", ISSUE, "3000000", "SUCCEEDED", "2026-11-30T16:00:00", "{\"RelateNumber\":\"i\",\"SalesAmount\":1}");

            MutableClock clock = new MutableClock(Instant.parse("2026-11-30T16:05:00Z")); // 00:05 on 1 December in Taipei
            DailySummary summary = new DailySummary(ds, clock);
            summary.setDir(tmp.resolve("reports").toString());
            summary.setTime("00:10");
            assertEquals(List.of("2026-11-29,2000132,B2CInvoice/Issue,SUCCEEDED,1,100"), lines(summary.rows(LocalDate.of(2026, 11, 29))));
            List<String> day = List.of(
                    "2026-11-30,2000132,B2CInvoice/Allowance,SUCCEEDED,1,20",
                    "2026-11-30,2000132,B2CInvoice/CancelDelayIssue,SUCCEEDED,1,",
                    "2026-11-30,2000132,B2CInvoice/Issue,DEAD,1,70",
                    "2026-11-30,2000132,B2CInvoice/Issue,SUCCEEDED,2,400",
                    "2026-11-30,3000000,B2CInvoice/Issue,SUCCEEDED,1,1000");
            assertEquals(day, lines(summary.rows(LocalDate.of(2026, 11, 30))));

            assertNull(summary.writeDue(), "written before 00:10 Taipei");
            clock.advance(Duration.ofMinutes(6));
            Path file = summary.writeDue();
            assertEquals(tmp.resolve("reports").resolve("summary-2026-11-30.csv"), file);
            List<String> expected = new ArrayList<>(List.of("date,merchant_id,operation,state,commands,amount"));
            expected.addAll(day);
            assertEquals(expected, Files.readAllLines(file, StandardCharsets.UTF_8));
            assertNull(summary.writeDue(), "written twice");
            try (var s = Files.list(tmp.resolve("reports"))) {
                assertEquals(List.of("summary-2026-11-30.csv"), s.map(p -> p.getFileName().toString()).toList());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void sqlIntakeProgressPerInboxBatchAndPerSource(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2); Connection c = ds.getConnection()) {
            inbox(c, "r1", "B1", "TAKEN");
            inbox(c, "r2", "B1", "TAKEN");
            inbox(c, "r3", "B1", "REJECTED");
            inbox(c, "r4", "B1", "NEW");
            inbox(c, "r5", "B2", "TAKEN");
            insert(c, "r1", ISSUE, "2000132", "SUCCEEDED", "2026-11-30T10:00:00", "{}");
            insert(c, "r2", ISSUE, "2000132", "RETRY", "2026-11-30T10:00:00", "{}");
            insert(c, "r5", ISSUE, "2000132", "DEAD", "2026-11-30T10:00:00", "{}");
            assertEquals(List.of(4L, 1L, 1L, 2L, 0L, 1L, 1L, 0L, 2L), longs(c, "SELECT row_count, untaken, rejected, journaled, "
                    + "waiting, retrying, succeeded, dead, final_count FROM ecpay_inbox_progress WHERE batch_id = 'B1'"));
            assertEquals(List.of(3L, 0L, 0L, 1L, 0L, 1L, 1L, 2L), longs(c, "SELECT journaled, waiting, in_flight, retrying, "
                    + "unknown_outcome, succeeded, dead, final_count FROM ecpay_source_progress WHERE source_name = 'ecpay_inbox'"));
        }
    }

    static void insert(Connection c, String id, String operation, String merchant, String state, String updatedUtc,
                       String payload) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ecpay_command (id, operation, merchant_id, payload, state, "
                + "attempts, maybe_sent, next_attempt_at, created_at, updated_at, source_kind, source_name, source_ref) "
                + "VALUES (?, ?, ?, ?, ?, 1, TRUE, ?, ?, ?, 'sql', 'ecpay_inbox', ?)")) {
            LocalDateTime at = LocalDateTime.parse(updatedUtc);
            ps.setString(1, id);
            ps.setString(2, operation);
            ps.setString(3, merchant);
            ps.setString(4, payload);
            ps.setString(5, state);
            ps.setObject(6, at);
            ps.setObject(7, at.minusHours(1));
            ps.setObject(8, at);
            ps.setString(9, id);
            ps.executeUpdate();
        }
    }

    static void inbox(Connection c, String id, String batch, String status) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ecpay_inbox (id, operation, payload, status, batch_id) "
                + "VALUES (?, 'B2CInvoice/Issue', '{}', ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, status);
            ps.setString(3, batch);
            ps.executeUpdate();
        }
    }

    static List<Long> longs(Connection c, String sql) throws Exception {
        List<Long> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                out.add(rs.getLong(i));
            }
        }
        return out;
    }

    static List<String> lines(List<DailySummary.Row> rows) {
        return rows.stream().map(r -> r.date() + "," + r.merchantId() + "," + r.operation() + "," + r.state() + ","
                + r.commands() + "," + (r.amount() == null ? "" : r.amount().stripTrailingZeros().toPlainString())).toList();
    }
}
