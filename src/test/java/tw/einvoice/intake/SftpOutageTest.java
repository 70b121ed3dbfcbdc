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
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The partner's SFTP server goes away while a drop's results wait to be uploaded, and comes back. Polls every 100 ms
 * (100 times the default rate): 12 s of outage here are 20 minutes at the default 10 s poll. Counted on the real log
 * output: one line when the server goes, one when it is back - no stack trace per poll or per waiting file - and the
 * health check ecpay/sftp is DOWN meanwhile. The polled folder is nested (partner/inbox): results go to
 * intake.sftp.results-dir relative to the login folder, as documented.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/intake-file.camel.yaml,"
                + "file:routes/intake-sftp.camel.yaml",
                "journal.url=jdbc:h2:mem:intake-sftp-outage;DB_CLOSE_DELAY=-1",
                "intake.file.inbox=target/sftp-outage-test/local-inbox",
                "intake.sftp.enabled=true", "intake.sftp.host=127.0.0.1", "intake.sftp.user=erp",
                "intake.sftp.password=drop-secret", "intake.sftp.directory=partner/inbox",
                "intake.sftp.known-hosts-file=target/sftp-outage-test/known_hosts",
                "intake.sftp.work-dir=target/sftp-outage-test/download", "intake.sftp.local-dir=target/sftp-outage-test/archive",
                "intake.sftp.upload-dir=target/sftp-outage-test/upload",
                "intake.sftp.poll-ms=100", "intake.sftp.retry-max=PT1S", "intake.sftp.timeout-ms=5000",
                "intake.results.period-ms=200", "intake.sftp.upload-results=true",
                "intake.reject-channel=file:target/sftp-outage-test/dead-letter?fileName=rejects.jsonl&fileExist=Append"})
class SftpOutageTest {

    static final Path ROOT = Paths.get("target/sftp-outage-test");
    static final SftpServerFixture SERVER;

    static {
        IntakeFixtures.deleteTree(ROOT);
        LogLines.start();
        try {
            SERVER = new SftpServerFixture(ROOT.resolve("server"));
            Files.createDirectories(SERVER.root.resolve("partner/inbox"));
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
        LogLines.stop();
    }

    @BeanInject
    CamelContext context;

    HealthCheck.Result check(String id) {
        return HealthCheckHelper.invoke(context, "full").stream().filter(r -> r.getCheck().getId().equals(id))
                .findFirst().orElseThrow(() -> new AssertionError("no health check " + id));
    }

    @Test
    void aServerThatGoesAwayIsSaidOnceAndTheResultsWaitQuietlyUntilItIsBack() throws Exception {
        DataSource ds = context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
        String line = "{\"id\":\"out-%d\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"OUTTSR%d\"}}\n";
        drop((String.format(line, 1, 1) + String.format(line, 2, 2)).getBytes(StandardCharsets.UTF_8),
                SERVER.root.resolve("partner/inbox"), "outage.jsonl");
        await("the drop taken in", 20_000, () -> count(ds,
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'outage.jsonl'") == 1);
        String source = (String) query(ds, "SELECT source_name FROM ecpay_intake_file WHERE original_name = 'outage.jsonl'")
                .get(0).get("source_name");
        await("archived remotely", 10_000, () -> Files.exists(SERVER.root.resolve("partner/inbox/archive").resolve(source)));
        await("ecpay/sftp UP", 5_000, () -> check("sftp").getState() == HealthCheck.State.UP);

        int mark = LogLines.mark();
        SERVER.stopListening();
        // the commands end while the server is away: their results are written and wait to be uploaded
        IntakeFixtures.finish(ds, "out-1", "SUCCEEDED", 1, "ok", null, "{\"RtnCode\":1}");
        IntakeFixtures.finish(ds, "out-2", "SUCCEEDED", 1, "ok", null, "{\"RtnCode\":1}");
        Path upload = ROOT.resolve("upload");
        String stem = DropFormat.stem(source);
        await("results waiting in the upload folder", 10_000, () -> Files.exists(upload.resolve(stem + ".result.csv"))
                && Files.exists(upload.resolve(stem + ".result.jsonl")));
        Thread.sleep(12_000);

        List<String> outage = LogLines.since(mark);
        List<String> sftpLines = outage.stream().filter(l -> !l.contains("results written")).toList();
        // the results written once (one line), and the state said once: nothing per poll, per attempt or per file
        assertTrue(outage.size() <= 3, outage.size() + " lines in 12 s of outage:\n" + String.join("\n", outage));
        assertEquals(1, sftpLines.size(), String.join("\n", outage));
        assertTrue(sftpLines.get(0).contains("SFTP intake from erp@127.0.0.1:" + SERVER.port() + " failed: server unreachable"),
                sftpLines.get(0));
        assertTrue(outage.stream().noneMatch(l -> l.startsWith("\tat ") || l.matches("^(Caused by: )?[\\w.$]+(Exception|Error)\\b.*")), String.join("\n", outage));

        HealthCheck.Result down = check("sftp");
        assertEquals(HealthCheck.State.DOWN, down.getState());
        assertTrue(down.getMessage().orElse("").contains("server unreachable"), down.getMessage().toString());
        assertEquals("unreachable", down.getDetails().get("problem"));
        // the two result files and the progress file finalised with them
        assertEquals(3L, ((Number) down.getDetails().get("uploads.waiting")).longValue());
        // Camel's own consumer check agrees
        assertEquals(HealthCheck.State.DOWN, check("consumer:intake-sftp").getState());
        assertTrue(Files.exists(upload.resolve(stem + ".result.csv")), "the results still wait");

        SERVER.startListening();
        Path results = SERVER.root.resolve("results");
        await("results uploaded once the server is back", 15_000, () -> Files.exists(results.resolve(stem + ".result.csv"))
                && Files.exists(results.resolve(stem + ".result.jsonl")));
        await("ecpay/sftp UP again", 5_000, () -> check("sftp").getState() == HealthCheck.State.UP);
        await("the upload folder emptied", 5_000, () -> !Files.exists(upload.resolve(stem + ".result.csv")));
        assertEquals(Files.readString(ROOT.resolve("archive").resolve(stem + ".result.csv")),
                Files.readString(results.resolve(stem + ".result.csv")));
        assertTrue(LogLines.since(mark).stream().anyMatch(l -> l.contains("works again")), "the recovery is said");
    }
}
