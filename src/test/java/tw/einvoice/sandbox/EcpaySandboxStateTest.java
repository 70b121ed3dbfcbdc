package tw.einvoice.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.app.Application;
import tw.einvoice.app.RuntimeConfig;
import tw.einvoice.protocol.Credentials;

/**
 * Issue 17: the sandbox keeps what it did across restarts (as ECPay does), in a state folder, and a kill loses nothing
 * it answered. Sandboxes on a free port without a state folder (the tests') stay in memory.
 */
class EcpaySandboxStateTest {

    static final String STAGE = Credentials.PUBLIC_STAGE.merchantId();

    static EcpaySandbox start(Path dir) {
        return EcpaySandbox.builder().stateDir(dir).start();
    }

    @Test
    void aRestartedSandboxRefusesUsedRelateNumbersAndContinuesTheNumbers(@TempDir Path dir) throws Exception {
        String first;
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl());
            SandboxClient.Result issued = c.call("B2CInvoice/Issue", SandboxClient.issueData("Keep1"));
            assertEquals(1, issued.rtnCode(), issued.rtnMsg());
            first = issued.get("InvoiceNo");
            assertEquals("AB12345000", first);
            assertEquals(1, c.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Keep2", "KTSR2", 2, 0)).rtnCode());
            assertEquals(1, c.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Keep3", "KTSR3", 2, 0)).rtnCode());
            assertEquals(1, c.call("B2CInvoice/CancelDelayIssue", "{\"Tsr\":\"KTSR3\"}").rtnCode());
        }
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl());
            // ECPay's answer to a re-send after the restart: the RelateNumber is taken (letter case ignored)
            assertEquals(5070357, c.call("B2CInvoice/Issue", SandboxClient.issueData("Keep1")).rtnCode());
            assertEquals(5070357, c.call("B2CInvoice/Issue", SandboxClient.issueData("KEEP1")).rtnCode());
            assertEquals(5070357, c.call("B2CInvoice/Issue", SandboxClient.issueData("Keep2")).rtnCode(), "taken by a staging");
            SandboxClient.Result next = c.call("B2CInvoice/Issue", SandboxClient.issueData("Keep4"));
            assertEquals("AB12345001", next.get("InvoiceNo"), "numbers continue, never start over");
            SandboxClient.Result found = c.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"Keep1\"}");
            assertEquals(first, found.get("IIS_Number"));
            // the stagings too: Tsr taken, the staged one triggers, the cancelled one stays cancelled
            assertEquals(4000002, c.call("B2CInvoice/DelayIssue", SandboxClient.delayData("Keep5", "KTSR2", 2, 0)).rtnCode());
            assertEquals(4000004, c.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"KTSR2\",\"PayType\":\"2\"}").rtnCode());
            assertEquals(4000001, c.call("B2CInvoice/TriggerIssue", "{\"Tsr\":\"KTSR3\",\"PayType\":\"2\"}").rtnCode());
            String date = found.get("IIS_Create_Date").substring(0, 10);
            assertEquals(1, c.call("B2CInvoice/Invalid", "{\"InvoiceNo\":\"" + first + "\",\"InvoiceDate\":\"" + date
                    + "\",\"Reason\":\"test\"}").rtnCode());
        }
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl());
            assertEquals(5070453, c.call("B2CInvoice/Invalid", "{\"InvoiceNo\":\"" + first + "\",\"InvoiceDate\":\""
                    + sandbox.ledger().invoice(STAGE, "Keep1").orElseThrow().invoiceDate().substring(0, 10)
                    + "\",\"Reason\":\"again\"}").rtnCode(), "a voided invoice stays voided");
            assertEquals(List.of("AB12345000", "AB12345001", "AB12345002"),
                    sandbox.ledger().invoices(STAGE).stream().map(SandboxInvoice::invoiceNo).toList());
            assertEquals("KTSR2", sandbox.ledger().invoice(STAGE, "Keep2").orElseThrow().tsr());
            assertEquals("AB12345003", c.call("B2CInvoice/Issue", SandboxClient.issueData("Keep6")).get("InvoiceNo"));
        }
    }

    @Test
    void aKilledSandboxProcessLosesNothingItAnswered(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EcpaySandbox.class.getName(),
                "--port", Integer.toString(port), "--state-dir", dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<String, String> answered = new LinkedHashMap<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("ECPay sandbox listening on http://127.0.0.1:" + port), line);
            SandboxClient c = new SandboxClient("http://127.0.0.1:" + port);
            // calls in parallel, the last ones still running when the process is killed
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<String[]>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String relate = "Kill" + i;
                calls.add(pool.submit(() -> new String[] {relate,
                        c.call("B2CInvoice/Issue", SandboxClient.issueData(relate)).get("InvoiceNo")}));
            }
            for (int i = 0; i < 40; i++) {
                String[] r = calls.get(i).get(10, TimeUnit.SECONDS);
                answered.put(r[0], r[1]);
            }
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
            for (Future<String[]> f : calls.subList(40, calls.size())) {
                try {
                    String[] r = f.get(10, TimeUnit.SECONDS);
                    answered.put(r[0], r[1]);
                } catch (java.util.concurrent.ExecutionException lost) {
                    // no answer: it may or may not have been issued, as with ECPay
                }
            }
            pool.shutdownNow();
        } finally {
            process.destroyForcibly();
        }
        assertTrue(answered.size() >= 40, answered.toString());
        try (EcpaySandbox sandbox = start(dir)) {
            Map<String, String> kept = new LinkedHashMap<>();
            sandbox.ledger().invoices(STAGE).forEach(inv -> kept.put(inv.relateNumber(), inv.invoiceNo()));
            answered.forEach((relate, number) -> assertEquals(number, kept.get(relate), relate + " was answered, so it is kept"));
            // no number twice, and the next one follows the highest kept
            assertEquals(kept.size(), Set.copyOf(kept.values()).size());
            String next = new SandboxClient(sandbox.baseUrl()).call("B2CInvoice/Issue", SandboxClient.issueData("AfterKill")).get("InvoiceNo");
            assertEquals(String.format("AB%08d", EcpaySandbox.DEFAULT_TRACK_START + kept.size()), next);
            assertEquals(5070357, new SandboxClient(sandbox.baseUrl()).call("B2CInvoice/Issue",
                    SandboxClient.issueData(answered.keySet().iterator().next())).rtnCode());
        }
    }

    @Test
    void aLastLineCutShortByAKillIsSkippedAndADamagedFileIsRefused(@TempDir Path dir) throws Exception {
        try (EcpaySandbox sandbox = start(dir)) {
            assertEquals(1, new SandboxClient(sandbox.baseUrl()).call("B2CInvoice/Issue", SandboxClient.issueData("Cut1")).rtnCode());
        }
        Path file = dir.resolve(SandboxStore.STATE_FILE);
        Files.writeString(file, "{\"merchant\":\"2000132\",\"invoices\":[{\"relateNumber\":\"Cu", StandardOpenOption.APPEND);
        try (EcpaySandbox sandbox = start(dir)) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl());
            assertEquals(5070357, c.call("B2CInvoice/Issue", SandboxClient.issueData("Cut1")).rtnCode());
            assertEquals("AB12345001", c.call("B2CInvoice/Issue", SandboxClient.issueData("Cut2")).get("InvoiceNo"));
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.add(0, "not json");
        Files.write(file, lines);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(dir));
        assertTrue(e.getMessage().contains("damaged at line 1"), e.getMessage());
    }

    @Test
    void oneFolderServesOneSandbox(@TempDir Path dir) {
        try (EcpaySandbox first = start(dir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(dir));
            assertTrue(e.getMessage().contains("in use by another sandbox"), e.getMessage());
        }
        start(dir).close(); // free again once the first stopped
    }

    @Test
    void deletingTheFolderStartsOver(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("sandbox");
        try (EcpaySandbox sandbox = start(state)) {
            new SandboxClient(sandbox.baseUrl()).call("B2CInvoice/Issue", SandboxClient.issueData("Reset1"));
        }
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(SandboxStore.STATE_FILE))));
        }
        try (var files = Files.walk(state)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        try (EcpaySandbox sandbox = start(state)) {
            SandboxClient.Result again = new SandboxClient(sandbox.baseUrl()).call("B2CInvoice/Issue", SandboxClient.issueData("Reset1"));
            assertEquals(1, again.rtnCode());
            assertEquals("AB12345000", again.get("InvoiceNo"));
        }
    }

    @Test
    void aSandboxOnAFreePortKeepsItsStateInMemory(@TempDir Path dir) throws Exception {
        Properties p = new Properties();
        p.setProperty("sandbox.port", "0");
        p.setProperty("sandbox.state-dir", dir.resolve("unused").toString());
        try (EcpaySandbox sandbox = EcpaySandbox.fromProperties(p).start()) {
            assertNull(sandbox.stateDir());
            new SandboxClient(sandbox.baseUrl()).call("B2CInvoice/Issue", SandboxClient.issueData("Mem1"));
        }
        assertTrue(Files.notExists(dir.resolve("unused")));
        try (EcpaySandbox sandbox = EcpaySandbox.builder().start()) {
            assertNull(sandbox.stateDir(), "the builder's default");
        }
    }

    /** The main job's embedded sandbox gets work/sandbox from config/application-sandbox.properties, and keeps it. */
    @Test
    void theMainJobsSandboxKeepsItsStateInTheConfiguredFolder(@TempDir Path dir) throws Exception {
        try (RuntimeConfig config = RuntimeConfig.of("sandbox", Path.of("config"), new Properties())) {
            assertEquals("work/sandbox", config.withPrefix("sandbox.").getProperty("sandbox.state-dir"));
        }
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Properties overrides = new Properties();
        overrides.setProperty("sandbox.port", Integer.toString(port));
        overrides.setProperty("sandbox.state-dir", dir.toString());
        overrides.setProperty("journal.url", "jdbc:h2:mem:sandbox-state-app;DB_CLOSE_DELAY=-1");
        overrides.setProperty("intake.file.inbox", dir.resolve("inbox").toString());
        overrides.setProperty("intake.file.archive-dir", dir.resolve("archive").toString());
        String number;
        try (Application app = Application.start(RuntimeConfig.of("sandbox", Path.of("config"), overrides))) {
            assertEquals(dir, app.sandbox().stateDir());
            number = new SandboxClient(app.sandbox().baseUrl()).call("B2CInvoice/Issue", SandboxClient.issueData("App1")).get("InvoiceNo");
        }
        try (Application app = Application.start(RuntimeConfig.of("sandbox", Path.of("config"), overrides))) {
            SandboxClient c = new SandboxClient(app.sandbox().baseUrl());
            assertEquals(5070357, c.call("B2CInvoice/Issue", SandboxClient.issueData("App1")).rtnCode());
            assertEquals(number, app.sandbox().ledger().invoice(STAGE, "App1").orElseThrow().invoiceNo());
        }
    }
}
