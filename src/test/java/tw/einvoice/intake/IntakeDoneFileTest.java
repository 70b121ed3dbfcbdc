package tw.einvoice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.intake.IntakeFixtures.await;
import static tw.einvoice.intake.IntakeFixtures.count;
import static tw.einvoice.intake.IntakeFixtures.drop;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The done-file convention with {@code intake.file.done-file=required}: a drop is taken only once its done file
 * ({@code x.jsonl.done} or {@code x.jsonl.ok}) is there, however long it was written for; without one it waits (said
 * once in the log). The quiet period is set far beyond the test, so nothing here is taken for having been quiet.
 */
@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/intake-file.camel.yaml",
                "journal.url=jdbc:h2:mem:intake-done-file;DB_CLOSE_DELAY=-1",
                "intake.file.inbox=target/intake-done-file/inbox", "intake.file.archive-dir=target/intake-done-file/archive",
                "intake.file.poll-ms=100", "intake.file.read-lock-check-ms=100", "intake.results.period-ms=200",
                "intake.file.done-file=required", "intake.file.quiet-ms=600000",
                "intake.reject-channel=file:target/intake-done-file/dead-letter?fileName=rejects.jsonl&fileExist=Append"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntakeDoneFileTest {

    static final Path ROOT = Paths.get("target/intake-done-file");
    static final Path INBOX = ROOT.resolve("inbox");
    static final LogCapture LOG;

    static {
        IntakeFixtures.deleteTree(ROOT);
        LOG = new LogCapture();
    }

    @AfterAll
    static void stopCapture() {
        LOG.close();
    }

    @BeanInject
    CamelContext context;

    DataSource ds() {
        return context.getRegistry().lookupByNameAndType("journalDataSource", DataSource.class);
    }

    static byte[] line(String id) {
        return ("{\"id\":\"" + id + "\",\"operation\":\"B2CInvoice/CancelDelayIssue\",\"data\":{\"Tsr\":\"" + id.toUpperCase().replace("-", "")
                + "\"}}\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDropWithoutItsDoneFileWaitsAndIsTakenWhenTheDoneFileComes() throws Exception {
        int logStart = LOG.mark();
        drop(line("waiting-1"), INBOX, "waiting.jsonl");
        Thread.sleep(1500);
        assertTrue(Files.exists(INBOX.resolve("waiting.jsonl")), "taken without its done file");
        assertEquals(0, count(ds(), "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'waiting.jsonl'"));
        String log = LOG.since(logStart);
        assertEquals(1, log.lines().filter(l -> l.contains("waiting.jsonl waits for its done file (waiting.jsonl.done or "
                + "waiting.jsonl.ok), as intake.file.done-file=required")).count(), log);

        Files.write(INBOX.resolve("waiting.jsonl.ok"), new byte[0]);
        await("taken with its done file", 10_000, () -> count(ds(),
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'waiting.jsonl' AND inserted_count = 1") == 1);
        await("the done file deleted", 10_000, () -> !Files.exists(INBOX.resolve("waiting.jsonl.ok")));
        assertFalse(Files.exists(INBOX.resolve("waiting.jsonl")));
    }

    /** A writer pausing far longer than any read lock would wait, then writing the done file: every line is taken. */
    @Test
    void aSlowWriterInPlaceLosesNothingWithADoneFile() throws Exception {
        Files.createDirectories(INBOX);
        Path target = INBOX.resolve("slow-export.jsonl");
        try (OutputStream out = Files.newOutputStream(target)) {
            for (int i = 1; i <= 4; i++) {
                out.write(line("slow-export-" + i));
                out.flush();
                Thread.sleep(700);
            }
        }
        assertEquals(0, count(ds(), "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'slow-export.jsonl'"));
        Files.write(INBOX.resolve("slow-export.jsonl.done"), new byte[0]);
        await("taken", 10_000, () -> count(ds(),
                "SELECT COUNT(*) FROM ecpay_intake_file WHERE original_name = 'slow-export.jsonl'") == 1);
        assertEquals(4, count(ds(), "SELECT COUNT(*) FROM ecpay_command WHERE id LIKE 'slow-export-%'"));
        await("the done file deleted", 10_000, () -> !Files.exists(INBOX.resolve("slow-export.jsonl.done")));
        try (Stream<Path> s = Files.list(INBOX)) {
            assertEquals(0, s.filter(Files::isRegularFile).count(), "the inbox is empty");
        }
    }
}
