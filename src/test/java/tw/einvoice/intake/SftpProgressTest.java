package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static tw.einvoice.intake.IntakeFixtures.await;
import static tw.einvoice.intake.IntakeFixtures.count;
import static tw.einvoice.intake.IntakeFixtures.drop;
import static tw.einvoice.intake.IntakeFixtures.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * An SFTP drop's progress file goes where its results go: uploaded while the drop is open, uploaded again when its
 * counts change, and last in its final form beside the uploaded result files. (No dispatcher here: the test ends the
 * commands itself, so each step is seen.)
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/intake-file.camel.yaml,"
                + "file:routes/intake-sftp.camel.yaml",
                "journal.url=jdbc:h2:mem:intake-sftp-progress;DB_CLOSE_DELAY=-1",
                "intake.file.inbox=target/sftp-progress-test/local-inbox",
                "intake.sftp.enabled=true", "intake.sftp.host=127.0.0.1", "intake.sftp.user=erp",
                "intake.sftp.password=drop-secret", "intake.sftp.directory=inbox",
                "intake.sftp.known-hosts-file=target/sftp-progress-test/known_hosts",
                "intake.sftp.work-dir=target/sftp-progress-test/download", "intake.sftp.local-dir=target/sftp-progress-test/archive",
                "intake.sftp.upload-dir=target/sftp-progress-test/upload",
                "intake.sftp.poll-ms=100", "intake.sftp.timeout-ms=5000", "intake.sftp.upload-results=true",
                "intake.results.period-ms=200", "intake.progress-file.period-ms=100",
                "intake.reject-channel=file:target/sftp-progress-test/dead-letter?fileName=rejects.jsonl&fileExist=Append"})
class SftpProgressTest {

    static final Path ROOT = Paths.get("target/sftp-progress-test");
    static final SftpServerFixture SERVER;

    static {
        IntakeFixtures.deleteTree(ROOT);
        try {
            SERVER = new SftpServerFixture(ROOT.resolve("server"));
            Files.createDirectories(SERVER.root.resolve("inbox"));
            Files.writeString(ROOT.resolve("known_hosts"), SERVER.knownHostsLine(false));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        System.setProperty("intake.sftp.port", Integer.toString(SERVER.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty("intake.sftp.port");
        SERVER.close();
    }

    @BeanInject
    CamelContext context;

    @Test
    void theProgressFileIsUploadedWhereTheResultsGo() throws Exception {
        DataSource ds = context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
        String line = "{\"id\":\"sp-%d\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"SPTSR%d\"}}\n";
        drop((String.format(line, 1, 1) + String.format(line, 2, 2) + "{\"id\":\"sp-bad\"}\n").getBytes(StandardCharsets.UTF_8),
                SERVER.root.resolve("inbox"), "progress.jsonl");
        await("the drop taken in", 20_000, () -> count(ds,
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'progress.jsonl'") == 1);
        String source = (String) query(ds, "SELECT source_name FROM ecpay_intake_file WHERE original_name = 'progress.jsonl'")
                .get(0).get("source_name");
        Path remote = SERVER.root.resolve("results").resolve(DropFormat.stem(source) + ".progress.json");
        Path remoteResult = SERVER.root.resolve("results").resolve(DropFormat.stem(source) + ".result.csv");

        await("open progress uploaded", 20_000, () -> read(remote) != null && read(remote).get("waiting").asLong() == 2);
        JsonNode open = read(remote);
        assertEquals("OPEN", open.get("phase").asText());
        assertEquals(3, open.get("lines").asLong());
        assertEquals(1, open.get("rejected").asLong());
        assertEquals(1, open.get("final").asLong());
        assertFalse(Files.exists(remoteResult), "results before the commands ended");

        IntakeFixtures.finish(ds, "sp-1", "SUCCEEDED", 1, "ok", null, "{\"RtnCode\":1}");
        await("changed counts uploaded again", 20_000, () -> read(remote) != null && read(remote).get("succeeded").asLong() == 1);
        JsonNode partway = read(remote);
        assertEquals(java.util.List.of(1L, 2L, 3L), java.util.List.of(partway.get("waiting").asLong(), partway.get("final").asLong(),
                partway.get("lines").asLong()));
        assertFalse(partway.get("complete").asBoolean());
        assertFalse(Files.exists(remoteResult), "results before every command ended");

        IntakeFixtures.finish(ds, "sp-2", "DEAD", 1200125, "no", "RtnCode 1200125", null);
        await("final progress uploaded", 20_000, () -> read(remote) != null && read(remote).get("complete").asBoolean());
        JsonNode done = read(remote);
        assertEquals(3, done.get("final").asLong());
        assertEquals(1, done.get("dead").asLong());
        await("results uploaded", 10_000, () -> Files.exists(remoteResult));
        assertEquals(Files.readString(ROOT.resolve("archive").resolve(DropFormat.stem(source) + ".progress.json")),
                Files.readString(remote));
    }

    /** The uploaded progress file, or null while it is not there (or being replaced). */
    static JsonNode read(Path path) {
        try {
            return Files.exists(path) ? LineParser.JSON.readTree(Files.readString(path)) : null;
        } catch (Exception e) {
            return null;
        }
    }
}
