package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.intake.IntakeFixtures.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A server that refuses the configured password. Start-up does not connect; the first poll tries the password once
 * (JSch would repeat it 6 times, until the server's "Too many authentication failures"), says so in one line, and no
 * further login is tried for intake.sftp.login-retry, however often the route polls (every 100 ms here, for 8 s);
 * the health check ecpay/sftp is DOWN meanwhile, with the reason.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/intake-file.camel.yaml,"
                + "file:routes/intake-sftp.camel.yaml",
                "journal.url=jdbc:h2:mem:intake-sftp-login;DB_CLOSE_DELAY=-1",
                "intake.file.inbox=target/sftp-login-test/local-inbox",
                "intake.sftp.enabled=true", "intake.sftp.host=127.0.0.1", "intake.sftp.user=erp",
                "intake.sftp.password=not-the-password",
                "intake.sftp.known-hosts-file=target/sftp-login-test/known_hosts",
                "intake.sftp.work-dir=target/sftp-login-test/download", "intake.sftp.local-dir=target/sftp-login-test/archive",
                "intake.sftp.upload-dir=target/sftp-login-test/upload", "intake.sftp.upload-results=true",
                "intake.sftp.poll-ms=100", "intake.sftp.retry-max=PT1S", "intake.sftp.timeout-ms=5000",
                "intake.reject-channel=file:target/sftp-login-test/dead-letter?fileName=rejects.jsonl&fileExist=Append"})
class SftpLoginRefusedTest {

    static final Path ROOT = Paths.get("target/sftp-login-test");
    static final SftpServerFixture SERVER;
    static final int MARK;

    static {
        IntakeFixtures.deleteTree(ROOT);
        LogLines.start();
        MARK = LogLines.mark();
        try {
            SERVER = new SftpServerFixture(ROOT.resolve("server"));
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

    @Test
    void aRefusedPasswordIsTriedOnceSaidOnceAndNotRetriedForTheLoginBackOff() throws Exception {
        await("the first login refused", 10_000, () -> SERVER.passwordAttempts.get() > 0);
        Thread.sleep(8_000);
        assertEquals(1, SERVER.passwordAttempts.get(), "password tries at the server");
        assertEquals(1, SERVER.sessions.get(), "connections to the server");

        List<String> said = LogLines.since(MARK).stream()
                .filter(l -> l.contains("SftpPollStrategy") || l.contains("remote.Sftp") || l.contains("RemoteFile")).toList();
        assertEquals(1, said.size(), String.join("\n", said));
        assertTrue(said.get(0).contains("refused: login failed") && said.get(0).contains("PT30M"), said.get(0));
        assertTrue(!said.get(0).contains("not-the-password"), "the password is never logged");

        HealthCheck.Result sftp = HealthCheckHelper.invoke(context, "full").stream()
                .filter(r -> r.getCheck().getId().equals("sftp")).findFirst().orElseThrow();
        assertEquals(HealthCheck.State.DOWN, sftp.getState());
        assertEquals("login", sftp.getDetails().get("problem"));
        assertTrue(sftp.getMessage().orElse("").contains("login failed"), sftp.getMessage().toString());
    }
}
