package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/** Shared helpers of the intake tests: folders, drops, journal queries, and playing the dispatcher's part. */
final class IntakeFixtures {

    private IntakeFixtures() {
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Drops a file the way an ERP should: written under a temporary name, then renamed. */
    static void drop(byte[] content, Path inbox, String name) throws IOException {
        Files.createDirectories(inbox);
        Path part = inbox.resolve(name + ".part");
        Files.write(part, content);
        Files.move(part, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        fail("timed out after " + timeoutMs + " ms waiting for " + what);
    }

    static List<Map<String, Object>> query(DataSource ds, String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static long count(DataSource ds, String sql, Object... args) {
        return ((Number) query(ds, sql, args).get(0).values().iterator().next()).longValue();
    }

    /** Plays the dispatcher: a command's final state with ECPay's answer. */
    static void finish(DataSource ds, String id, String state, Integer rtnCode, String rtnMsg, String reason, String reply) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE ecpay_command SET state = ?, last_rtn_code = ?, last_rtn_msg = ?, last_reason = ?, reply = ? WHERE id = ?")) {
            ps.setString(1, state);
            ps.setObject(2, rtnCode);
            ps.setString(3, rtnMsg);
            ps.setString(4, reason);
            ps.setString(5, reply);
            ps.setString(6, id);
            if (ps.executeUpdate() != 1) {
                fail("no command " + id + " in the journal");
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Plays the dispatcher for every command of a drop: all of them final in {@code state}. */
    static void finishAll(DataSource ds, String sourceName, String state) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE ecpay_command SET state = ?, last_rtn_code = 1, last_rtn_msg = 'ok' WHERE source_name = ?")) {
            ps.setString(1, state);
            ps.setString(2, sourceName);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The one file in {@code dir} whose name ends so, waiting for it. */
    static Path only(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
            if (found.size() != 1) {
                fail("expected one *" + suffix + " in " + dir + ", found " + found);
            }
            return found.get(0);
        }
    }

    static boolean exists(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(suffix));
        } catch (IOException e) {
            return false;
        }
    }

    static List<CSVRecord> csv(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(new java.io.StringReader(text))
                .getRecords();
    }

    static List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(LineParser.JSON.readTree(line));
            }
        }
        return out;
    }

    /** Plays the dispatcher for the example commands (prefix ex or cx); {@code leaveOneOpen} keeps one NEW. */
    static void settleExamples(DataSource ds, String p, boolean leaveOneOpen) {
        String upper = p.toUpperCase(java.util.Locale.ROOT);
        finish(ds, p + "-word-0001", "SUCCEEDED", 1, "成功", null, "{\"RtnCode\":1,\"RtnMsg\":\"成功\"}");
        finish(ds, p + "-cancel-0001", "SUCCEEDED", 1, "成功", null, "{\"RtnCode\":1,\"RtnMsg\":\"成功\"}");
        finish(ds, p + "-trigger-0001", "SUCCEEDED", 4000004, "開立發票成功", null,
                "{\"RtnCode\":4000004,\"RtnMsg\":\"開立發票成功\"}");
        finish(ds, p + "-getinvalid-0001", "SUCCEEDED", 1, "查詢成功", null,
                "{\"RtnCode\":1,\"RtnMsg\":\"查詢成功\",\"InvoiceNo\":\"AB12345678\",\"Reason\":\"退貨\"}");
        if (!leaveOneOpen) {
            finish(ds, p + "-confirm-0001", "DEAD", 1200125, "發票號碼不存在",
                    "RtnCode 1200125: 發票號碼不存在", "{\"RtnCode\":1200125,\"RtnMsg\":\"發票號碼不存在\"}");
        }
        String invoiceNo = p.equals("ex") ? "LA25008605" : "LA25008606";
        finish(ds, "B2CInvoice/Issue:2000132:" + upper + "REL20261122000002", "SUCCEEDED", 1, "開立發票成功", null,
                "{\"RtnCode\":1,\"RtnMsg\":\"開立發票成功\",\"InvoiceNo\":\"" + invoiceNo
                        + "\",\"InvoiceDate\":\"2026-08-15 23:29:10\",\"RandomNumber\":\"5706\"}");
    }

}
