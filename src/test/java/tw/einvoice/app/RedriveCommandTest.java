package tw.einvoice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.journal.Claim;
import tw.einvoice.journal.CommandState;
import tw.einvoice.journal.Completion;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.JournalDatabase;
import tw.einvoice.journal.Source;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.protocol.Verdict;

/**
 * bin/ecpay-redrive as an operator runs it (the commands of docs/redrive-and-audit.md): the shell script, a JVM of its own,
 * config/ from the project folder.
 */
class RedriveCommandTest {

    @TempDir
    Path dir;

    record Run(int exit, String stdout, String stderr) {
    }

    private Run redrive(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", "bin/ecpay-redrive"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("ECPAY_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().keySet().removeIf(k -> k.startsWith("JOURNAL_") || k.startsWith("ECPAY_PROFILE"));
        pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ecpay-redrive did not finish");
        return new Run(p.exitValue(), java.nio.file.Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                java.nio.file.Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    private String url() {
        return "jdbc:h2:file:" + dir.resolve("journal/ecpay").toAbsolutePath();
    }

    /** Two commands dead of TransCode 110 and one of RtnCode 1100040, in an H2 file journal nobody holds open. */
    private void journalWithDeadCommands() {
        try (HikariDataSource ds = JournalDatabase.open(url(), "sa", "", 2)) {
            Journal journal = new Journal(ds, Clock.systemUTC());
            for (String id : List.of("k-1", "k-2", "t-1")) {
                journal.insert(Command.parse("{\"id\":\"" + id + "\",\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"Tsr\":\""
                        + id + "\",\"PayType\":\"2\"}}", OperationCatalog.standard(), "2000132"), Source.file("20261130-orders.jsonl", 1));
            }
            for (Claim c : journal.claimDue("node-1", 10, Duration.ofMinutes(1))) {
                boolean key = c.id().startsWith("k");
                journal.complete(c, new Completion(CommandState.DEAD, null, false, key ? "TransCode 110" : "RtnCode 1100040",
                        key ? 500 : 200, key ? 110 : 1, key ? null : 1100040, null, null, Verdict.DEAD, null));
            }
        }
    }

    @Test
    void aDryRunListsTheCommandsAndTheReDriveIsRecordedWithWhoAndWhat() throws Exception {
        journalWithDeadCommands();
        Run dry = redrive("journal.url=" + url(), "--trans-code", "110", "--dry-run");
        assertEquals(0, dry.exit(), dry.stderr());
        assertTrue(dry.stdout().contains("RESEND    k-1  B2CInvoice/TriggerIssue  TransCode 110"), dry.stdout());
        assertTrue(dry.stdout().contains("dry run, nothing changed: 2 matched, 2 to resend, 0 to reconcile, 0 to skip"), dry.stdout());

        Run done = redrive("journal.url=" + url(), "--trans-code", "110", "--source", "orders.jsonl", "--by", "ops-bob");
        assertEquals(0, done.exit(), done.stderr());
        assertTrue(done.stdout().matches("(?s).*re-drive rd-\\S+ by ops-bob: 2 matched, 2 resent, 0 reconciled, 0 skipped.*"), done.stdout());
        try (HikariDataSource ds = JournalDatabase.open(url(), "sa", "", 2); Connection c = ds.getConnection();
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id, state FROM ecpay_command ORDER BY id")) {
                List<String> states = new ArrayList<>();
                while (rs.next()) {
                    states.add(rs.getString(1) + "=" + rs.getString(2));
                }
                assertEquals(List.of("k-1=RETRY", "k-2=RETRY", "t-1=DEAD"), states);
            }
            try (ResultSet rs = s.executeQuery("SELECT requested_by, via, selection, matched FROM ecpay_redrive")) {
                assertTrue(rs.next());
                assertEquals("ops-bob", rs.getString(1));
                assertEquals("cli", rs.getString(2));
                assertEquals("{\"transCodes\":[110],\"source\":\"orders.jsonl\",\"limit\":10000}", rs.getString(3));
                assertEquals(2, rs.getInt(4));
            }
        }
    }

    @Test
    void mistakesAreOneLineAndAJournalHeldByTheRunningJobIsNamed() throws Exception {
        Run none = redrive("journal.url=" + url());
        assertEquals(2, none.exit());
        assertTrue(none.stderr().startsWith("ecpay-redrive: say which dead commands to re-drive"), none.stderr());
        Run bad = redrive("--rtn-code", "abc");
        assertEquals(2, bad.exit());
        assertTrue(bad.stderr().startsWith("ecpay-redrive: 'abc' is not a list of codes"), bad.stderr());

        journalWithDeadCommands();
        try (HikariDataSource held = JournalDatabase.open(url(), "sa", "", 2)) {
            Run locked = redrive("journal.url=" + url(), "--all");
            assertEquals(1, locked.exit());
            assertTrue(locked.stderr().contains("the running job holds the embedded H2 journal"), locked.stderr());
            assertEquals(CommandState.DEAD, new Journal(held, Clock.systemUTC()).find("k-1").state());
        }
    }
}
