package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.intake.IntakeFixtures.await;
import static tw.einvoice.intake.IntakeFixtures.count;
import static tw.einvoice.intake.IntakeFixtures.drop;
import static tw.einvoice.intake.IntakeFixtures.query;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The shipped SFTP intake route against a real SFTP server (password login, host key checked against a known_hosts
 * file): both formats end to end, remote archive, results uploaded back, and a download that breaks off.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/intake-file.camel.yaml,"
                + "file:routes/intake-sftp.camel.yaml",
                "journal.url=jdbc:h2:mem:intake-sftp;DB_CLOSE_DELAY=-1",
                "intake.file.inbox=target/sftp-test/local-inbox",
                "intake.sftp.enabled=true", "intake.sftp.host=127.0.0.1", "intake.sftp.user=erp",
                "intake.sftp.password=drop-secret",
                "intake.sftp.known-hosts-file=target/sftp-test/known_hosts",
                "intake.sftp.work-dir=target/sftp-test/download", "intake.sftp.local-dir=target/sftp-test/archive",
                "intake.sftp.poll-ms=200", "intake.sftp.timeout-ms=5000", "intake.results.period-ms=200",
                "intake.sftp.upload-results=true",
                "intake.reject-channel=file:target/sftp-test/dead-letter?fileName=rejects.jsonl&fileExist=Append"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SftpIntakeRouteTest {

    static final Path ROOT = Paths.get("target/sftp-test");
    static final SftpServerFixture SERVER;

    static {
        IntakeFixtures.deleteTree(ROOT);
        try {
            SERVER = new SftpServerFixture(ROOT.resolve("server"));
            Files.writeString(ROOT.resolve("known_hosts"), SERVER.knownHostsLine(false));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // the port is only known now: a JVM system property overrides the configuration (Camel's default)
        System.setProperty("intake.sftp.port", Integer.toString(SERVER.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty("intake.sftp.port");
        SERVER.close();
    }

    @BeanInject
    CamelContext context;

    DataSource ds() {
        return context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
    }

    String sourceOf(String originalName) throws InterruptedException {
        await(originalName + " taken in", 20_000, () -> count(ds(),
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = ?", originalName) > 0);
        return (String) query(ds(), "SELECT source_name FROM ecpay_intake_file WHERE original_name = ?", originalName)
                .get(0).get("source_name");
    }

    @Test
    void dropsOverSftpAreJournaledArchivedAndAnsweredWithResultFiles() throws Exception {
        Path inbox = SERVER.root.resolve("inbox");
        drop(Files.readAllBytes(Paths.get("examples/seed-operations.jsonl")), inbox, "orders.jsonl");
        drop(Files.readAllBytes(Paths.get("examples/seed-operations.csv")), inbox, "orders.csv");
        String jsonl = sourceOf("orders.jsonl");
        String csv = sourceOf("orders.csv");
        for (String source : List.of(jsonl, csv)) {
            Map<String, Object> f = query(ds(), "SELECT * FROM ecpay_intake_file WHERE source_name = ?", source).get(0);
            assertEquals("sftp", f.get("source_kind"));
            assertEquals(List.of(13L, 6L, 0L, 7L), List.of(((Number) f.get("line_count")).longValue(),
                    ((Number) f.get("inserted_count")).longValue(), ((Number) f.get("duplicate_count")).longValue(),
                    ((Number) f.get("rejected_count")).longValue()));
        }
        assertEquals(12, count(ds(), "SELECT COUNT(*) FROM ecpay_command WHERE source_kind = 'sftp'"));
        assertEquals("4", query(ds(), "SELECT source_ref FROM ecpay_command WHERE id = 'ex-getinvalid-0001'").get(0).get("source_ref"));

        // moved to the remote archive; a local copy is kept for the results
        await("remote archive", 10_000, () -> Files.exists(SERVER.root.resolve("inbox/archive").resolve(jsonl))
                && Files.exists(SERVER.root.resolve("inbox/archive").resolve(csv)));
        assertTrue(Files.notExists(inbox.resolve("orders.jsonl")) && Files.notExists(inbox.resolve("orders.csv")));
        assertEquals(Files.readString(Paths.get("examples/seed-operations.jsonl")),
                Files.readString(ROOT.resolve("archive").resolve(jsonl)));

        IntakeFixtures.settleExamples(ds(), "ex", false);
        IntakeFixtures.settleExamples(ds(), "cx", false);
        Path results = SERVER.root.resolve("results");
        String jStem = DropFormat.stem(jsonl);
        String cStem = DropFormat.stem(csv);
        await("results uploaded", 15_000, () -> Files.exists(results.resolve(jStem + ".result.csv"))
                && Files.exists(results.resolve(jStem + ".result.jsonl")) && Files.exists(results.resolve(jStem + ".rejects.jsonl"))
                && Files.exists(results.resolve(cStem + ".result.csv")) && Files.exists(results.resolve(cStem + ".rejects.csv")));
        List<CSVRecord> rows = IntakeFixtures.csv(results.resolve(cStem + ".result.csv"));
        assertEquals(13, rows.size());
        assertEquals("LA25008606", rows.get(5).get("InvoiceNo"));
        assertEquals("DEAD", rows.get(4).get("state"));
        assertEquals(Files.readString(ROOT.resolve("archive").resolve(jStem + ".result.jsonl")),
                Files.readString(results.resolve(jStem + ".result.jsonl")));
        assertEquals(8, IntakeFixtures.jsonLines(results.resolve(jStem + ".rejects.jsonl")).size());
    }

    @Test
    void aDownloadThatBreaksOffIsTakenAgainWithoutDuplicates() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 3000; i++) {
            sb.append("{\"id\":\"big-").append(i).append("\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"BIGTSR")
                    .append(i).append("\"}}\n");
        }
        SERVER.dropConnectionOnce("big-drop", 40_000);
        drop(sb.toString().getBytes(StandardCharsets.UTF_8), SERVER.root.resolve("inbox"), "big-drop.jsonl");
        String source = sourceOf("big-drop.jsonl");
        assertEquals(1, SERVER.drops(), "the download was not broken off");
        Map<String, Object> f = query(ds(), "SELECT * FROM ecpay_intake_file WHERE source_name = ?", source).get(0);
        assertEquals(3000L, ((Number) f.get("inserted_count")).longValue());
        assertEquals(0L, ((Number) f.get("duplicate_count")).longValue());
        assertEquals(1, count(ds(), "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'big-drop.jsonl'"));
        assertEquals(3000, count(ds(), "SELECT COUNT(*) FROM ecpay_command WHERE id LIKE 'big-%'"));
        assertEquals(3000, count(ds(), "SELECT COUNT(*) FROM ecpay_command WHERE source_name = ?", source));
    }
}
