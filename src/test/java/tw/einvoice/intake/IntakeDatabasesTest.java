package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.journal.Journal;
import tw.einvoice.testing.TestDatabases;
import tw.einvoice.camel.EcpayHeaders;

/**
 * Intake and result writing on every journal database: a duplicate inside one chunk's transaction must not lose
 * the rest of the chunk (PostgreSQL aborts a transaction on a failed insert), and the V3 table works everywhere.
 */
class IntakeDatabasesTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void aChunkWithADuplicateIsJournaledWholeAndReported(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2); DefaultCamelContext camel = new DefaultCamelContext()) {
            Journal journal = new Journal(ds, Clock.systemUTC());
            FileIntake intake = new FileIntake(journal, Clock.systemUTC());
            intake.setDefaultMerchantId("2000132");
            intake.setChunkSize(10);
            intake.setArchiveDir(tmp.resolve("archive").toString());
            // called by hand, without the file consumer's headers and its quiet period before: no waiting for growth
            intake.setQuietMs(0);
            Path inbox = Files.createDirectories(tmp.resolve("inbox"));
            Path file = inbox.resolve("db.jsonl");
            Files.writeString(file, String.join("\n",
                    "{\"id\":\"db-1\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"DBTSR1\"}}",
                    "{\"id\":\"db-1\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"DBTSR1\"}}",
                    "{\"id\":\"db-2\",\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"PayType\":\"2\"}}",
                    "{\"id\":\"db-3\",\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"Tsr\":\"DBTSR3\",\"PayType\":\"2\"}}",
                    "{\"id\":\"db-4\",\"operation\":\"B2BInvoice/IssueConfirm\",\"data\":{\"InvoiceNumber\":\"CD12345678\","
                            + "\"InvoiceDate\":\"2026-11-20\",\"Remark\":\"已確認\"}}"), StandardCharsets.UTF_8);
            Exchange ex = new DefaultExchange(camel);
            ex.getIn().setHeader(Exchange.FILE_NAME_ONLY, "db.jsonl");
            ex.getIn().setHeader(Exchange.FILE_PATH, file.toString());
            intake.stamp(ex);
            intake.openLocal(ex);
            @SuppressWarnings("unchecked")
            Iterator<List<DropLine>> chunks = ex.getIn().getBody(Iterator.class);
            List<FileIntake.Reject> rejects = intake.accept(chunks.next(), ex);
            assertEquals(1, rejects.size());
            assertEquals(3, rejects.get(0).line().number());
            assertTrue(intake.reject(rejects.get(0), ex).contains("\"field\":\"Tsr\""));
            intake.finish(ex);
            String source = ex.getIn().getHeader(EcpayHeaders.INTAKE_SOURCE_NAME, String.class);
            List<Map<String, Object>> rows = IntakeFixtures.query(ds,
                    "SELECT id, source_ref, payload FROM ecpay_command ORDER BY id");
            assertEquals(List.of("db-1", "db-3", "db-4"), rows.stream().map(r -> r.get("id")).toList());
            assertEquals(List.of("1", "4", "5"), rows.stream().map(r -> r.get("source_ref")).toList());
            assertTrue(((String) rows.get(2).get("payload")).contains("已確認"));
            Map<String, Object> f = IntakeFixtures.query(ds, "SELECT * FROM ecpay_intake_file").get(0);
            assertEquals(List.of(5L, 3L, 1L, 1L), List.of(((Number) f.get("line_count")).longValue(),
                    ((Number) f.get("inserted_count")).longValue(), ((Number) f.get("duplicate_count")).longValue(),
                    ((Number) f.get("rejected_count")).longValue()));

            // the file is archived by the consumer in the route; here by hand
            Files.createDirectories(tmp.resolve("archive"));
            Files.move(file, Path.of(ex.getIn().getHeader(EcpayHeaders.INTAKE_MOVE_TO, String.class)));
            IntakeReports reports = new IntakeReports(journal, Clock.systemUTC());
            reports.setDefaultMerchantId("2000132");
            reports.setQuietMs(0);
            assertEquals(0, reports.writeDue().size(), "reported while commands were NEW");
            // open: the progress file says where the drop stands (nothing to upload for a local drop)
            assertEquals(List.of(), reports.writeProgress());
            var open = LineParser.JSON.readTree(tmp.resolve("archive").resolve(DropFormat.stem(source) + ".progress.json").toFile());
            assertEquals(List.of("OPEN", "5", "3", "1", "1", "3", "1"), List.of(open.get("phase").asText(), open.get("lines").asText(),
                    open.get("journaled").asText(), open.get("duplicates").asText(), open.get("rejected").asText(),
                    open.get("waiting").asText(), open.get("final").asText()));
            IntakeProgress read = new IntakeFileStore(ds, Clock.systemUTC()).progress(source).orElseThrow();
            assertEquals(List.of(5L, 3L, 1L), List.of(read.lines(), read.commands().waiting(), read.finalLines()));
            assertEquals(List.of(source), reports.progress().stream().map(IntakeProgress::sourceName).toList());
            IntakeFixtures.finish(ds, "db-1", "SUCCEEDED", 1, "成功", null, "{\"RtnCode\":1}");
            IntakeFixtures.finish(ds, "db-3", "SUCCEEDED", 4000003, "排程成功", null, "{\"RtnCode\":4000003}");
            IntakeFixtures.finish(ds, "db-4", "DEAD", 1200125, "發票號碼不存在", "RtnCode 1200125", null);
            List<IntakeReports.ReportFile> written = reports.writeDue();
            // result, JSON Lines result, rejects, and the progress file finalised with them
            assertEquals(4, written.size());
            assertEquals(DropFormat.stem(source) + ".progress.json", written.get(3).getName());
            var progress = LineParser.JSON.readTree(written.get(3).getFile());
            assertTrue(progress.get("complete").asBoolean());
            assertEquals(5, progress.get("lines").asLong());
            assertEquals(4, progress.get("final").asLong(), progress.toString()); // the duplicate line is counted apart
            var result = IntakeFixtures.csv(tmp.resolve("archive").resolve(DropFormat.stem(source) + ".result.csv"));
            assertEquals(List.of("SUCCEEDED", "SUCCEEDED", "REJECTED", "SUCCEEDED", "DEAD"),
                    result.stream().map(r -> r.get("state")).toList());
            assertEquals(source + ":1", result.get(1).get("duplicateOf"));
            assertEquals("REPORTED", IntakeFixtures.query(ds, "SELECT state FROM ecpay_intake_file").get(0).get("state"));
            assertEquals(0, reports.writeDue().size());

            // uploading a result file back failed: the drop is reported again, its files written for another upload
            reports.uploadFailed(written.get(0), new java.io.IOException("SFTP server down"));
            assertEquals("INTAKEN", IntakeFixtures.query(ds, "SELECT state FROM ecpay_intake_file").get(0).get("state"));
            assertEquals(written.stream().map(IntakeReports.ReportFile::getName).toList(),
                    reports.writeDue().stream().map(IntakeReports.ReportFile::getName).toList());
            assertEquals("REPORTED", IntakeFixtures.query(ds, "SELECT state FROM ecpay_intake_file").get(0).get("state"));
        }
    }
}
