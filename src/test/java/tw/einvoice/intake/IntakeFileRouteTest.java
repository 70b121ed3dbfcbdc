package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.intake.IntakeFixtures.await;
import static tw.einvoice.intake.IntakeFixtures.count;
import static tw.einvoice.intake.IntakeFixtures.drop;
import static tw.einvoice.intake.IntakeFixtures.exists;
import static tw.einvoice.intake.IntakeFixtures.only;
import static tw.einvoice.intake.IntakeFixtures.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The shipped local-folder intake route with the shipped configuration (paths under target/, fast polling). */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/intake-file.camel.yaml",
                "journal.url=jdbc:h2:mem:intake-file;DB_CLOSE_DELAY=-1",
                "intake.file.inbox=target/intake-file-test/inbox",
                "intake.file.archive-dir=target/intake-file-test/archive",
                "intake.file.poll-ms=100", "intake.file.read-lock-check-ms=200", "intake.file.quiet-ms=300", "intake.results.period-ms=200",
                "intake.reject-channel=file:target/intake-file-test/dead-letter?fileName=rejects.jsonl&fileExist=Append"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntakeFileRouteTest {

    static final Path ROOT = Paths.get("target/intake-file-test");
    static final Path INBOX = ROOT.resolve("inbox");
    static final Path ARCHIVE = ROOT.resolve("archive");

    static final LogCapture LOG;

    static {
        IntakeFixtures.deleteTree(ROOT);
        LOG = new LogCapture();
    }

    @org.junit.jupiter.api.AfterAll
    static void stopCapture() {
        LOG.close();
    }

    @BeanInject
    CamelContext context;

    DataSource ds() {
        return context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
    }

    String sourceOf(String originalName) {
        return await1(() -> {
            List<Map<String, Object>> rows = query(ds(), "SELECT source_name FROM ecpay_intake_file WHERE original_name = ?",
                    originalName);
            return rows.isEmpty() ? null : (String) rows.get(0).get("source_name");
        });
    }

    private static <T> T await1(java.util.function.Supplier<T> s) {
        long end = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < end) {
            T v = s.get();
            if (v != null) {
                return v;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("timed out");
    }

    /** Every seed operation, good and bad lines, in both formats: journal, dead letters, results and rejects. */
    @Test
    void jsonLinesAndCsvDropsBecomeCommandsRejectsAndResultFiles() throws Exception {
        drop(Files.readAllBytes(Paths.get("examples/seed-operations.jsonl")), INBOX, "orders.jsonl");
        drop(Files.readAllBytes(Paths.get("examples/seed-operations.csv")), INBOX, "orders.csv");
        String jsonl = sourceOf("orders.jsonl");
        String csv = sourceOf("orders.csv");

        for (String source : List.of(jsonl, csv)) {
            Map<String, Object> f = query(ds(), "SELECT * FROM ecpay_intake_file WHERE source_name = ?", source).get(0);
            assertEquals(13L, ((Number) f.get("line_count")).longValue(), source);
            assertEquals(6L, ((Number) f.get("inserted_count")).longValue(), source);
            assertEquals(0L, ((Number) f.get("duplicate_count")).longValue(), source);
            assertEquals(7L, ((Number) f.get("rejected_count")).longValue(), source);
        }
        List<Map<String, Object>> commands = query(ds(), "SELECT id, operation, state, source_kind, source_ref FROM ecpay_command "
                + "WHERE source_name = ? ORDER BY CAST(source_ref AS INT)", jsonl);
        assertEquals(List.of("ex-word-0001", "ex-cancel-0001", "ex-trigger-0001", "ex-getinvalid-0001", "ex-confirm-0001",
                "B2CInvoice/Issue:2000132:EXREL20261122000002"), commands.stream().map(r -> r.get("id")).toList());
        assertEquals(List.of("1", "2", "3", "4", "5", "6"), commands.stream().map(r -> r.get("source_ref")).toList());
        assertTrue(commands.stream().allMatch(r -> "NEW".equals(r.get("state")) && "file".equals(r.get("source_kind"))));
        assertEquals(List.of("2", "3", "4", "5", "6", "7"), query(ds(), "SELECT source_ref FROM ecpay_command WHERE source_name = ? "
                + "ORDER BY CAST(source_ref AS INT)", csv).stream().map(r -> r.get("source_ref")).toList());
        String confirm = (String) query(ds(), "SELECT payload FROM ecpay_command WHERE id = 'cx-confirm-0001'").get(0).get("payload");
        assertTrue(confirm.contains("已確認, 謝謝") && confirm.contains("\"MerchantID\":\"2000132\""), confirm);

        // the archive holds both drops, the inbox is empty
        assertTrue(Files.isRegularFile(ARCHIVE.resolve(jsonl)) && Files.isRegularFile(ARCHIVE.resolve(csv)));
        try (Stream<Path> s = Files.list(INBOX)) {
            assertEquals(0, s.filter(Files::isRegularFile).count());
        }

        // each bad line went to the dead-letter channel with its file, line, field and reason
        Path deadLetter = ROOT.resolve("dead-letter/rejects.jsonl");
        await("14 dead letters", 10_000, () -> Files.exists(deadLetter) && lines(deadLetter) == 14);
        List<JsonNode> dead = IntakeFixtures.jsonLines(deadLetter);
        List<JsonNode> deadJsonl = dead.stream().filter(n -> n.get("file").asText().equals(jsonl)).toList();
        assertEquals(List.of(7L, 8L, 9L, 10L, 11L, 12L, 13L), deadJsonl.stream().map(n -> n.get("line").asLong()).toList());
        assertEquals(LineParserTest.BAD_FIELDS_JSONL.stream().map(s -> s.substring(1)).toList(),
                deadJsonl.stream().map(n -> n.get("field").asText()).toList());
        assertTrue(deadJsonl.get(3).get("reason").asText().contains("2026-02-30"), deadJsonl.get(3).toString());
        assertEquals("ex-word-bad", deadJsonl.get(0).get("id").asText());

        // not every command is final yet: no result files
        IntakeFixtures.settleExamples(ds(), "ex", true);
        Thread.sleep(800);
        assertFalse(exists(ARCHIVE, ".result.csv"), "results written before all commands were final");

        IntakeFixtures.settleExamples(ds(), "ex", false);
        IntakeFixtures.settleExamples(ds(), "cx", false);
        await("result files", 10_000, () -> exists(ARCHIVE, "orders.result.jsonl") && count(ds(),
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE state = 'REPORTED'") == 2);

        String jStem = DropFormat.stem(jsonl);
        List<CSVRecord> result = IntakeFixtures.csv(ARCHIVE.resolve(jStem + ".result.csv"));
        assertEquals(13, result.size());
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "DEAD", "SUCCEEDED", "REJECTED", "REJECTED",
                "REJECTED", "REJECTED", "REJECTED", "REJECTED", "REJECTED"), result.stream().map(r -> r.get("state")).toList());
        assertEquals("4000004", result.get(2).get("RtnCode"));
        assertEquals("LA25008605", result.get(5).get("InvoiceNo"));
        assertEquals("2026-08-15 23:29:10", result.get(5).get("InvoiceDate"));
        assertEquals("5706", result.get(5).get("RandomNumber"));
        assertEquals("1200125", result.get(4).get("RtnCode"));
        assertEquals("InvoiceStatus", result.get(6).get("field"));
        assertEquals("13", result.get(12).get("line"));

        List<JsonNode> resultJson = IntakeFixtures.jsonLines(ARCHIVE.resolve(jStem + ".result.jsonl"));
        assertEquals(13, resultJson.size());
        assertEquals("LA25008605", resultJson.get(5).get("reply").get("InvoiceNo").asText());

        // rejects: the 7 rejected lines and the dead one, in the input format, with the reason
        List<JsonNode> rejects = IntakeFixtures.jsonLines(ARCHIVE.resolve(jStem + ".rejects.jsonl"));
        assertEquals(List.of(5L, 7L, 8L, 9L, 10L, 11L, 12L, 13L), rejects.stream().map(n -> n.get("reject").get("line").asLong()).toList());
        assertEquals("ex-confirm-0001", rejects.get(0).get("id").asText());
        assertTrue(rejects.get(0).get("reject").get("reason").asText().startsWith("DEAD"));
        assertEquals("CD12345678", rejects.get(0).get("data").get("InvoiceNumber").asText());
        assertTrue(rejects.get(7).get("input").asText().startsWith("{\"id\":\"ex-broken\""));

        String cStem = DropFormat.stem(csv);
        assertFalse(Files.exists(ARCHIVE.resolve(cStem + ".result.jsonl")));
        List<CSVRecord> cResult = IntakeFixtures.csv(ARCHIVE.resolve(cStem + ".result.csv"));
        assertEquals(13, cResult.size());
        assertEquals("2", cResult.get(0).get("line"));
        assertEquals("LA25008606", cResult.get(5).get("InvoiceNo"));
        List<CSVRecord> cRejects = IntakeFixtures.csv(ARCHIVE.resolve(cStem + ".rejects.csv"));
        assertEquals(List.of("6", "8", "9", "10", "11", "12", "13", "14"), cRejects.stream().map(r -> r.get("rejectLine")).toList());
        assertEquals("Items", cRejects.get(6).get("rejectField"));
        assertEquals("cx-word-bad", cRejects.get(1).get("id"));
        assertEquals("1130000012", cRejects.get(1).get("TrackID"));

        // a rejects file is a valid drop: fixed lines would go in, the dead one is already journaled
        drop(Files.readAllBytes(ARCHIVE.resolve(cStem + ".rejects.csv")), INBOX, "again.csv");
        Map<String, Object> again = query(ds(), "SELECT * FROM ecpay_intake_file WHERE source_name = ?", sourceOf("again.csv")).get(0);
        assertEquals(List.of(8L, 0L, 1L, 7L), List.of(((Number) again.get("line_count")).longValue(),
                ((Number) again.get("inserted_count")).longValue(), ((Number) again.get("duplicate_count")).longValue(),
                ((Number) again.get("rejected_count")).longValue()));
    }

    /** The same file dropped again journals nothing new: every line is a duplicate and says of what. */
    @Test
    void theSameFileDroppedTwiceIsAllDuplicates() throws Exception {
        byte[] content = ("{\"id\":\"dup-1\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"DUPTSR1\"}}\n"
                + "{\"id\":\"dup-2\",\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"Tsr\":\"DUPTSR2\",\"PayType\":\"2\"}}\n"
                + "{\"id\":\"dup-1\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"DUPTSR1\"}}\n")
                .getBytes(StandardCharsets.UTF_8);
        drop(content, INBOX, "twice.jsonl");
        String first = sourceOf("twice.jsonl");
        IntakeFixtures.finish(ds(), "dup-1", "SUCCEEDED", 1, "成功", null, null);
        IntakeFixtures.finish(ds(), "dup-2", "SUCCEEDED", 4000003, "排程成功", null, null);
        drop(content, INBOX, "twice.jsonl");
        await("second intake", 10_000, () -> count(ds(), "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'twice.jsonl'") == 2);
        String second = (String) query(ds(), "SELECT source_name FROM ecpay_intake_file WHERE original_name = 'twice.jsonl' "
                + "AND source_name <> ?", first).get(0).get("source_name");
        Map<String, Object> f = query(ds(), "SELECT * FROM ecpay_intake_file WHERE source_name = ?", second).get(0);
        assertEquals(0L, ((Number) f.get("inserted_count")).longValue());
        assertEquals(3L, ((Number) f.get("duplicate_count")).longValue());
        assertEquals(2L, count(ds(), "SELECT COUNT(*) FROM ecpay_command WHERE id LIKE 'dup-%'"));
        Path result = ARCHIVE.resolve(DropFormat.stem(second) + ".result.csv");
        await("result of the second drop", 10_000, () -> Files.exists(result));
        List<CSVRecord> rows = IntakeFixtures.csv(result);
        assertEquals(List.of(first + ":1", first + ":2", first + ":1"), rows.stream().map(r -> r.get("duplicateOf")).toList());
        assertEquals("4000003", rows.get(1).get("RtnCode"));
        // within the first drop, the repeated line is a duplicate of line 1
        Path firstResult = ARCHIVE.resolve(DropFormat.stem(first) + ".result.csv");
        await("result of the first drop", 10_000, () -> Files.exists(firstResult));
        assertEquals(List.of("", "", first + ":1"), IntakeFixtures.csv(firstResult).stream().map(r -> r.get("duplicateOf")).toList());
    }

    /** Empty drops do not wait in the inbox: JSON Lines is taken with no lines, a CSV without a header fails. */
    @Test
    void emptyFilesAreTakenNotLeftWaiting() throws Exception {
        drop(new byte[0], INBOX, "empty.jsonl");
        drop(new byte[0], INBOX, "empty.csv");
        await("empty.csv in .failed", 10_000, () -> exists(INBOX.resolve(".failed"), "empty.csv"));
        await("empty.jsonl recorded", 10_000, () -> count(ds(),
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'empty.jsonl' AND line_count = 0") == 1);
        await("empty.jsonl archived", 10_000, () -> !Files.exists(INBOX.resolve("empty.jsonl")));
        assertFalse(Files.exists(INBOX.resolve("empty.csv")));
    }

    /** Binary garbage is moved to .failed and journals nothing. */
    @Test
    void anUnreadableFileGoesToFailed() throws Exception {
        byte[] garbage = new byte[4096];
        new java.util.Random(7).nextBytes(garbage);
        garbage[10] = 0;
        drop(garbage, INBOX, "garbage.csv");
        await("garbage in .failed", 10_000, () -> exists(INBOX.resolve(".failed"), "garbage.csv"));
        assertFalse(Files.exists(INBOX.resolve("garbage.csv")));
        assertEquals(0, count(ds(), "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'garbage.csv'"));
        assertEquals(0, count(ds(), "SELECT COUNT(*) FROM ecpay_command WHERE source_name LIKE '%garbage.csv'"));
    }

    /** A .big5.csv drop is read as Big5. */
    @Test
    void big5CsvIsDecoded() throws Exception {
        String text = "id,operation,InvoiceNumber,InvoiceDate,Remark\r\n"
                + "b5-1,B2BInvoice/IssueConfirm,CD32345678,2026-11-20,已確認發票\r\n"
                + "b5-2,B2BInvoice/IssueConfirm,CD32345679,2026-13-01,日期錯誤\r\n";
        drop(text.getBytes(DropFormat.BIG5), INBOX, "confirm.big5.csv");
        String source = sourceOf("confirm.big5.csv");
        String payload = (String) query(ds(), "SELECT payload FROM ecpay_command WHERE id = 'b5-1'").get(0).get("payload");
        assertTrue(payload.contains("已確認發票"), payload);
        assertEquals(DropFormat.BIG5.name(), query(ds(), "SELECT charset FROM ecpay_intake_file WHERE source_name = ?", source).get(0).get("charset"));
        IntakeFixtures.finish(ds(), "b5-1", "SUCCEEDED", 1, "成功", null, null);
        Path rejects = ARCHIVE.resolve(DropFormat.stem(source) + ".rejects.big5.csv");
        await("Big5 rejects file", 10_000, () -> Files.exists(rejects));
        String back = new String(Files.readAllBytes(rejects), DropFormat.BIG5);
        assertTrue(back.contains("b5-2,B2BInvoice/IssueConfirm,CD32345679,2026-13-01,日期錯誤,3,InvoiceDate,"), back);
    }

    /** A file still being written is not taken until it stops growing (readLock=changed): no half files. */
    @Test
    void aFileStillBeingWrittenIsTakenOnlyWhenComplete() throws Exception {
        Files.createDirectories(INBOX);
        Path target = INBOX.resolve("slow.jsonl");
        try (OutputStream out = Files.newOutputStream(target)) {
            for (int i = 1; i <= 20; i++) {
                out.write(("{\"id\":\"slow-" + i + "\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"SLOW" + i
                        + "\"}}\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(60);
            }
        }
        String source = sourceOf("slow.jsonl");
        assertEquals(20, count(ds(), "SELECT COUNT(*) FROM ecpay_command WHERE source_name = ?", source));
        assertEquals(1, count(ds(), "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'slow.jsonl'"));
    }

    /**
     * The hostile probe's writer: one line at a time straight into the inbox, pausing longer than the quiet period, so
     * the file is taken while it is still being written and the writer goes on appending to the archived copy. Its
     * results are even written between two lines. No line may be lost silently: every line ends up in the result file
     * once (journaled, or NOT_TAKEN and in the rejects file), with an ERROR in the log, and the rejects file takes the
     * rest in when dropped again.
     */
    @Test
    void aWriterAppendingAfterTheFileWasTakenLosesNoLineSilently() throws Exception {
        int logStart = LOG.mark();
        Files.createDirectories(INBOX);
        Path target = INBOX.resolve("appending.jsonl");
        int total = 6;
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(target)) {
                for (int i = 1; i <= total; i++) {
                    out.write(("{\"id\":\"appending-" + i + "\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":"
                            + "\"APPENDING" + i + "\"}}\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(1000);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        String source = sourceOf("appending.jsonl");
        // the commands taken become final at once, so results are written while the writer is still at work
        IntakeFixtures.finishAll(ds(), source, "SUCCEEDED");
        Path result = ARCHIVE.resolve(DropFormat.stem(source) + ".result.csv");
        await("a first result file", 10_000, () -> Files.exists(result));
        writer.join();
        await("a result file with every line", 20_000, () -> {
            try {
                return Files.exists(result) && IntakeFixtures.csv(result).size() == total;
            } catch (IOException e) {
                return false;
            }
        });
        await("reported", 10_000, () -> count(ds(), "SELECT COUNT(*) FROM ecpay_intake_file WHERE source_name = ? AND state = 'REPORTED'",
                source) == 1);
        long taken = count(ds(), "SELECT COUNT(*) FROM ecpay_command WHERE source_name = ?", source);
        assertTrue(taken >= 1 && taken < total, "taken while still being written: " + taken + " of " + total + " lines");

        List<CSVRecord> rows = IntakeFixtures.csv(result);
        assertEquals(List.of("1", "2", "3", "4", "5", "6"), rows.stream().map(r -> r.get("line")).toList());
        for (CSVRecord r : rows) {
            String expected = Long.parseLong(r.get("line")) <= taken ? "SUCCEEDED" : "NOT_TAKEN";
            assertEquals(expected, r.get("state"), r.toString());
            assertEquals("appending-" + r.get("line"), r.get("id"));
        }
        List<JsonNode> rejects = IntakeFixtures.jsonLines(ARCHIVE.resolve(DropFormat.stem(source) + ".rejects.jsonl"));
        assertEquals(total - taken, rejects.size());
        assertTrue(rejects.get(0).get("reject").get("reason").asText().contains("written after the file was taken"), rejects.toString());
        String log = LOG.since(logStart);
        assertTrue(log.contains("were never taken (lines " + (taken + 1) + " to " + total + ")"), log);
        assertTrue(log.contains("changed after its result files were written"), log);

        // the rejects file is a drop: the lines not taken go in
        drop(Files.readAllBytes(ARCHIVE.resolve(DropFormat.stem(source) + ".rejects.jsonl")), INBOX, "appending-rest.jsonl");
        String rest = sourceOf("appending-rest.jsonl");
        assertEquals(total - taken, count(ds(), "SELECT COUNT(*) FROM ecpay_command WHERE source_name = ?", rest));
        assertEquals(total, count(ds(), "SELECT COUNT(*) FROM ecpay_command WHERE id LIKE 'appending-%'"));
    }

    /**
     * Formula-like values from the ERP and in ECPay's replies: the CSV result and rejects files neutralise them with a
     * leading quote, the JSON outputs keep them, and a rejects file dropped again gives the journal the original values.
     */
    @Test
    void formulasAreNeutralisedInCsvFilesOnlyAndComeBackWhole() throws Exception {
        drop(("{\"id\":\"=fx-json-1\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"@FXJSON1\"}}\n")
                .getBytes(StandardCharsets.UTF_8), INBOX, "formulas.jsonl");
        drop(("id,operation,InvoiceNumber,InvoiceDate,Remark\n"
                + "-fx-csv-1,B2BInvoice/IssueConfirm,CD12340001,2026-11-20,=SUM(A1:A9)\n"
                + "fx-csv-2,B2BInvoice/IssueConfirm,CD12340002,2026-11-20,'+quoted\n").getBytes(StandardCharsets.UTF_8), INBOX,
                "formulas.csv");
        String json = sourceOf("formulas.jsonl");
        String csv = sourceOf("formulas.csv");
        String hostileReply = "{\"RtnCode\":1,\"RtnMsg\":\"=HYPERLINK(\\\"http://evil.example\\\")\",\"InvoiceNo\":\"@AB12345678\","
                + "\"InvoiceDate\":\"+2026-11-20\",\"RandomNumber\":\"-123\"}";
        IntakeFixtures.finish(ds(), "=fx-json-1", "SUCCEEDED", 1, "=HYPERLINK(\"http://evil.example\")", null, hostileReply);
        IntakeFixtures.finish(ds(), "-fx-csv-1", "DEAD", 1200125, "\tno such invoice", "-DEAD: @reason", null);
        IntakeFixtures.finish(ds(), "fx-csv-2", "SUCCEEDED", 1, "成功", null, null);
        Path jsonResult = ARCHIVE.resolve(DropFormat.stem(json) + ".result.csv");
        Path csvRejects = ARCHIVE.resolve(DropFormat.stem(csv) + ".rejects.csv");
        await("result files", 10_000, () -> Files.exists(jsonResult) && Files.exists(csvRejects));

        CSVRecord row = IntakeFixtures.csv(jsonResult).get(0);
        assertEquals("'=fx-json-1", row.get("id"));
        assertEquals("'=HYPERLINK(\"http://evil.example\")", row.get("RtnMsg"));
        assertEquals("'@AB12345678", row.get("InvoiceNo"));
        assertEquals("'+2026-11-20", row.get("InvoiceDate"));
        assertEquals("'-123", row.get("RandomNumber"));
        JsonNode jsonRow = IntakeFixtures.jsonLines(ARCHIVE.resolve(DropFormat.stem(json) + ".result.jsonl")).get(0);
        assertEquals("=fx-json-1", jsonRow.get("id").asText());
        assertEquals("=HYPERLINK(\"http://evil.example\")", jsonRow.get("RtnMsg").asText());
        assertEquals("@AB12345678", jsonRow.get("reply").get("InvoiceNo").asText());

        List<CSVRecord> rejects = IntakeFixtures.csv(csvRejects);
        assertEquals(1, rejects.size());
        assertEquals("'-fx-csv-1", rejects.get(0).get("id"));
        assertEquals("'=SUM(A1:A9)", rejects.get(0).get("Remark"));
        assertTrue(rejects.get(0).get("rejectReason").startsWith("DEAD: -DEAD: @reason"), rejects.get(0).toString());
        CSVRecord second = IntakeFixtures.csv(ARCHIVE.resolve(DropFormat.stem(csv) + ".result.csv")).get(1);
        assertEquals("fx-csv-2", second.get("id"));
        String payload = (String) query(ds(), "SELECT payload FROM ecpay_command WHERE id = '-fx-csv-1'").get(0).get("payload");
        assertTrue(payload.contains("\"Remark\":\"=SUM(A1:A9)\""), payload);
        assertTrue(((String) query(ds(), "SELECT payload FROM ecpay_command WHERE id = 'fx-csv-2'").get(0).get("payload"))
                .contains("\"Remark\":\"'+quoted\""));

        // the rejects file dropped again: the quote added for spreadsheets is read back, so the line is the same command
        drop(Files.readAllBytes(csvRejects), INBOX, "formulas-again.csv");
        Map<String, Object> again = query(ds(), "SELECT * FROM ecpay_intake_file WHERE source_name = ?", sourceOf("formulas-again.csv")).get(0);
        assertEquals(1L, ((Number) again.get("duplicate_count")).longValue(), again.toString());
        assertEquals(0L, ((Number) again.get("inserted_count")).longValue(), again.toString());
    }

    /**
     * A done file that comes after its drop was already taken (the writer paused longer than the quiet period before
     * writing it) is removed, so that it cannot announce the next drop of that name as complete while it is written.
     */
    @Test
    void aDoneFileWithoutItsDropIsRemoved() throws Exception {
        Files.createDirectories(INBOX);
        Path marker = INBOX.resolve("late-marker.jsonl.done");
        Files.write(marker, new byte[0]);
        await("the done file without its drop removed", 10_000, () -> !Files.exists(marker));
        // a done file whose drop is there stays until the drop is taken
        drop(("{\"id\":\"marked-1\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"MARKED1\"}}\n")
                .getBytes(StandardCharsets.UTF_8), INBOX, "marked.jsonl");
        Files.write(INBOX.resolve("marked.jsonl.ok"), new byte[0]);
        sourceOf("marked.jsonl");
        await("its done file removed", 10_000, () -> !Files.exists(INBOX.resolve("marked.jsonl.ok")));
    }

    private static long lines(Path p) {
        try {
            return Files.readAllLines(p).stream().filter(l -> !l.isBlank()).count();
        } catch (IOException e) {
            return -1;
        }
    }
}
