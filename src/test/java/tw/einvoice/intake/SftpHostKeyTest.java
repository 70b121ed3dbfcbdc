package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.intake.IntakeFixtures.await;
import static tw.einvoice.intake.IntakeFixtures.count;
import static tw.einvoice.intake.IntakeFixtures.drop;

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
 * Host key checking and key login: while known_hosts holds another key for the server, nothing is read and the
 * log says why in one sentence; once the right key is there, the drop is taken in (private-key login, no password).
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/intake-file.camel.yaml,"
                + "file:routes/intake-sftp.camel.yaml",
                "journal.url=jdbc:h2:mem:intake-sftp-key;DB_CLOSE_DELAY=-1",
                "intake.file.inbox=target/sftp-key-test/local-inbox",
                "intake.sftp.enabled=true", "intake.sftp.host=127.0.0.1", "intake.sftp.user=erp",
                "intake.sftp.password=", "intake.sftp.private-key-file=target/sftp-key-test/id_ecdsa",
                "intake.sftp.known-hosts-file=target/sftp-key-test/known_hosts",
                "intake.sftp.work-dir=target/sftp-key-test/download", "intake.sftp.local-dir=target/sftp-key-test/archive",
                "intake.sftp.poll-ms=200", "intake.sftp.timeout-ms=5000", "intake.results.period-ms=500",
                "intake.reject-channel=file:target/sftp-key-test/dead-letter?fileName=rejects.jsonl&fileExist=Append"})
class SftpHostKeyTest {

    static final Path ROOT = Paths.get("target/sftp-key-test");
    static final SftpServerFixture SERVER;

    static {
        IntakeFixtures.deleteTree(ROOT);
        try {
            SERVER = new SftpServerFixture(ROOT.resolve("server"));
            SERVER.writeClientKey(ROOT.resolve("id_ecdsa"));
            Files.writeString(ROOT.resolve("known_hosts"), SERVER.knownHostsLine(true));
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
    void anUnknownHostKeyIsRefusedUntilTheRightKeyIsKnown() throws Exception {
        DataSource ds = context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
        SftpPollStrategy polls = context.getRegistry().lookupByNameAndType("sftpPollStrategy", SftpPollStrategy.class);
        byte[] content = "{\"id\":\"key-1\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"KEYTSR1\"}}\n"
                .getBytes(StandardCharsets.UTF_8);
        drop(content, SERVER.root.resolve("inbox"), "keyed.jsonl");

        await("a refused poll", 10_000, () -> polls.getLastError() != null);
        Thread.sleep(1000); // several more polls
        String error = polls.getLastError();
        assertTrue(error.contains("host key") && error.contains("target/sftp-key-test/known_hosts")
                && error.contains("ssh-keyscan"), error);
        assertTrue(Files.exists(SERVER.root.resolve("inbox/keyed.jsonl")), "the file was touched");
        assertEquals(0, SERVER.downloads.get());
        assertEquals(0, count(ds, "SELECT COUNT(*) FROM ecpay_command"));

        Files.writeString(ROOT.resolve("known_hosts"), SERVER.knownHostsLine(false));
        await("intake once the key is known", 15_000, () -> count(ds,
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'keyed.jsonl'") == 1);
        assertEquals("sftp", IntakeFixtures.query(ds, "SELECT source_kind FROM ecpay_command WHERE id = 'key-1'").get(0).get("source_kind"));
        await("poll error cleared", 5_000, () -> polls.getLastError() == null);
    }
}
