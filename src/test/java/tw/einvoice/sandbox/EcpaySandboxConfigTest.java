package tw.einvoice.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.protocol.Credentials;

/** Configuration by properties, by command-line options, and the standalone process. */
class EcpaySandboxConfigTest {

    static final String OTHER = "3000001:AbCdEfGh12345678:HgFeDcBa87654321";

    @Test
    void propertiesConfigureMerchantsFaultsAndTracks() throws Exception {
        Properties p = new Properties();
        p.setProperty("sandbox.port", "0");
        p.setProperty("sandbox.merchants", OTHER + " , 2000132:ejCk326UnaZWKisg:q9jcZX8Ib9LM8wYk");
        p.setProperty("sandbox.track-size", "1");
        p.setProperty("sandbox.fault.1.operation", "B2CInvoice/GetIssue");
        p.setProperty("sandbox.fault.1.kind", "http-503");
        p.setProperty("sandbox.fault.1.times", "1");
        p.setProperty("sandbox.fault.2.kind", "rtn-code");
        p.setProperty("sandbox.fault.2.rtn-code", "9999999");
        p.setProperty("sandbox.fault.2.operation", "B2CInvoice/Invalid");
        try (EcpaySandbox sandbox = EcpaySandbox.fromProperties(p).start()) {
            SandboxClient other = new SandboxClient(sandbox.baseUrl()).as(EcpaySandbox.parseMerchant(OTHER));
            assertEquals(503, other.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"A1\"}").status());
            assertEquals(1, other.call("B2CInvoice/Issue", SandboxClient.issueData("A1")).rtnCode());
            assertEquals(1100040, other.call("B2CInvoice/Issue", SandboxClient.issueData("A2")).rtnCode());
            assertEquals(9999999, other.call("B2CInvoice/Invalid",
                    "{\"InvoiceNo\":\"AB12345000\",\"InvoiceDate\":\"2026-01-01\",\"Reason\":\"x\"}").rtnCode());
            assertEquals(1, new SandboxClient(sandbox.baseUrl()).call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"A1\"}").transCode());
        }
    }

    @Test
    void withExplicitMerchantsTheStageMerchantIsUnknown() throws Exception {
        Properties p = new Properties();
        p.setProperty("sandbox.merchants", OTHER);
        try (EcpaySandbox sandbox = EcpaySandbox.fromProperties(p).start()) {
            assertEquals(115, new SandboxClient(sandbox.baseUrl()).call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"A1\"}").transCode());
        }
    }

    @Test
    void badConfigurationIsExplainedWithoutEchoingSecrets() {
        Properties p = new Properties();
        p.setProperty("sandbox.merchants", "3000001:ShortKey:HgFeDcBa87654321");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EcpaySandbox.fromProperties(p));
        assertFalse(e.getMessage().contains("ShortKey"), e.getMessage());
        assertTrue(e.getMessage().contains("HashKey"), e.getMessage());
        IllegalArgumentException noIv = assertThrows(IllegalArgumentException.class,
                () -> EcpaySandbox.parseMerchant("3000001:AbCdEfGh12345678"));
        assertFalse(noIv.getMessage().contains("AbCdEfGh12345678"), noIv.getMessage());

        Properties f = new Properties();
        f.setProperty("sandbox.fault.x.kind", "meteor");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EcpaySandbox.fromProperties(f)).getMessage()
                .startsWith("sandbox.fault.x"));
        Properties port = new Properties();
        port.setProperty("sandbox.port", "eighty");
        assertThrows(IllegalArgumentException.class, () -> EcpaySandbox.fromProperties(port));
    }

    @Test
    void commandLineOptionsWinOverAPropertiesFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sandbox.properties");
        Files.writeString(file, "sandbox.port=7000\nsandbox.seed=5\nsandbox.fault.1.kind=drop\n");
        Properties p = EcpaySandbox.parseArgs(new String[] {"--port", "0", "--properties", file.toString(),
                "--merchant", OTHER, "--fault", "operation=B2CInvoice/Issue,kind=work-done-drop,rate=0.5", "--seed=9"});
        assertEquals("0", p.getProperty("sandbox.port"));
        assertEquals("9", p.getProperty("sandbox.seed"));
        assertEquals(OTHER, p.getProperty("sandbox.merchants"));
        assertEquals("drop", p.getProperty("sandbox.fault.1.kind"));
        assertEquals("work-done-drop", p.getProperty("sandbox.fault.1000.kind"));
        assertEquals("9580", EcpaySandbox.parseArgs(new String[0]).getProperty("sandbox.port"));
        assertThrows(IllegalArgumentException.class, () -> EcpaySandbox.parseArgs(new String[] {"--colour", "red"}));
        assertThrows(IllegalArgumentException.class, () -> EcpaySandbox.parseArgs(new String[] {"--fault", "kind=nope"}));
        assertThrows(IllegalArgumentException.class, () -> EcpaySandbox.parseArgs(new String[] {"--port"}));
    }

    @Test
    void theEmbeddedFactoryReadsBeanFriendlyArguments() throws Exception {
        try (EcpaySandbox sandbox = EcpaySandbox.embedded("", 0, "",
                "operation=B2CInvoice/GetIssue,kind=http-403,times=1; kind=latency,latency-ms=1").start()) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl());
            assertEquals(403, c.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"A1\"}").status());
            assertEquals(1, c.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"A1\"}").transCode());
            assertEquals(2, sandbox.ledger().faults(FaultRule.Kind.LATENCY));
        }
    }

    /** docs/sandbox.md, "Run it on its own": the class started as a process of its own. */
    @Test
    void theStandaloneProcessPrintsItsUrlAndServes() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EcpaySandbox.class.getName(),
                "--port", "0", "--merchant", Credentials.PUBLIC_STAGE.merchantId() + ":ejCk326UnaZWKisg:q9jcZX8Ib9LM8wYk")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("ECPay sandbox listening on http://127.0.0.1:"), line);
            String url = line.replaceFirst("^ECPay sandbox listening on (\\S+).*$", "$1");
            assertEquals(1, new SandboxClient(url).call("B2CInvoice/Issue", SandboxClient.issueData("Standalone1")).rtnCode());
            assertFalse(line.contains("ejCk326UnaZWKisg"), line);
        } finally {
            process.destroy();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the sandbox stops on SIGTERM");
        }
    }
}
