package tw.einvoice.app;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.protocol.Credentials;

/** Each configuration mistake ends in one specific line; the shipped profiles pass where they should. */
class StartupChecksTest {

    static final Path CONFIG = Path.of("config");
    static final String OWN_KEY = "AbCdEfGh12345678";
    static final String OWN_IV = "1234567890abcdef";

    @TempDir
    Path tmp;

    static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    /** Runs one check on a profile with overrides and returns its one line. */
    static String failure(String profile, Properties overrides, Consumer<StartupChecks> check) {
        try (RuntimeConfig config = RuntimeConfig.of(profile, CONFIG, overrides)) {
            StartupException e = assertThrows(StartupException.class, () -> check.accept(new StartupChecks(config)));
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertFalse(e.getMessage().contains(Credentials.PUBLIC_STAGE.hashKey()) || e.getMessage().contains(OWN_KEY),
                    "no HashKey in " + e.getMessage());
            return e.getMessage();
        }
    }

    @Test
    void theEmbeddedProfilePassesEveryCheck() {
        try (RuntimeConfig config = RuntimeConfig.of("sandbox", CONFIG, props("journal.url", "jdbc:h2:mem:checks", "sandbox.port", "0",
                "intake.file.inbox", tmp.resolve("inbox").toString()))) {
            assertDoesNotThrow(() -> new StartupChecks(config).runAll());
            assertTrue(config.flag("sandbox.enabled"));
            assertTrue(Files.isDirectory(tmp.resolve("inbox")), "a missing drop folder is created");
        }
    }

    @Test
    void foldersItCreatesAreReadableByTheOwnerOnly() throws Exception {
        assumeTrue(java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path outbox = tmp.resolve("data/outbox/success");
        try (RuntimeConfig config = RuntimeConfig.of("sandbox", CONFIG, props("intake.file.inbox", tmp.resolve("data/inbox").toString(),
                "ecpay.channel.success", "file:" + outbox + "?tempPrefix=.writing-"))) {
            new StartupChecks(config).folders();
        }
        for (Path dir : List.of(tmp.resolve("data"), tmp.resolve("data/inbox"), tmp.resolve("data/outbox"), outbox)) {
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)),
                    dir.toString());
        }
    }

    @Test
    void profileValuesOverrideTheBaseFile() {
        try (RuntimeConfig config = RuntimeConfig.of("stage", CONFIG, new Properties())) {
            assumeTrue(System.getenv("ECPAY_BASE_URL") == null);
            assertEquals("https://einvoice-stage.ecpay.com.tw", config.get("ecpay.base-url").orElseThrow());
            assertFalse(config.flag("sandbox.enabled"));
        }
    }

    @Test
    void anUnknownProfileIsNamed() {
        StartupException e = assertThrows(StartupException.class, () -> RuntimeConfig.of("prod", CONFIG, new Properties()));
        assertTrue(e.getMessage().startsWith("unknown profile 'prod'"), e.getMessage());
    }

    @Test
    void productionWithoutCredentialsSaysWhichVariableToSet() {
        assumeTrue(System.getenv("ECPAY_MERCHANT_ID") == null, "ECPAY_MERCHANT_ID is set in this environment");
        assertEquals("ecpay.merchant-id is not set: set the environment variable ECPAY_MERCHANT_ID (profile production)",
                failure("production", new Properties(), StartupChecks::credentials));
        assumeTrue(System.getenv("ECPAY_HASH_KEY") == null);
        assertEquals("ecpay.hash-key is not set: set the environment variable ECPAY_HASH_KEY (profile production)",
                failure("production", props("ecpay.merchant-id", "3085340"), StartupChecks::credentials));
    }

    @Test
    void productionRefusesThePublicStageCredentials() {
        Credentials stage = Credentials.PUBLIC_STAGE;
        String line = failure("production", props("ecpay.merchant-id", stage.merchantId(), "ecpay.hash-key", stage.hashKey(),
                "ecpay.hash-iv", stage.hashIv()), StartupChecks::credentials);
        assertTrue(line.startsWith("refusing to start: profile production uses ECPay's public stage credentials (MerchantID 2000132)"), line);
        // the stage key with another merchant id is refused too
        assertTrue(failure("production", props("ecpay.merchant-id", "3085340", "ecpay.hash-key", stage.hashKey(), "ecpay.hash-iv",
                OWN_IV), StartupChecks::credentials).startsWith("refusing to start"));
    }

    @Test
    void aHashKeyOfTheWrongLengthIsNamedWithoutEchoingIt() {
        String line = failure("stage", props("ecpay.hash-key", "short"), StartupChecks::credentials);
        assertEquals("ecpay.hash-key (ECPAY_HASH_KEY) must be ECPay's 16-character HashKey, but it has 5 characters", line);
    }

    @Test
    void productionRefusesTheEmbeddedJournal() {
        String line = failure("production", props("journal.url", "jdbc:h2:file:./work/journal/ecpay"), StartupChecks::journal);
        assertTrue(line.startsWith("refusing to start: profile production uses the embedded H2 journal"), line);
    }

    @Test
    void anUnreachableDatabaseIsOneLineWithoutThePassword() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // free again once closed: nothing listens there
        }
        String line = failure("production", props("journal.url", "jdbc:postgresql://127.0.0.1:" + closed + "/einvoice?password=secret1",
                "journal.user", "einvoice"), StartupChecks::journal);
        assertTrue(line.startsWith("journal database unreachable at jdbc:postgresql://127.0.0.1:" + closed + "/einvoice?password=****: "), line);
        assertFalse(line.contains("secret1"));
    }

    @Test
    void aResultCodeOverrideNamingAnUnknownOperationIsRejected() throws Exception {
        Path file = tmp.resolve("result-codes.properties");
        Files.writeString(file, "rtncode.1200125.B2CInvoice/Issue = DEAD | fine\nrtncode.7.B2CInvoice/Isue = DEAD | typo\n");
        String line = failure("sandbox", props("ecpay.result-codes", file.toString()), StartupChecks::resultCodes);
        assertTrue(line.contains("key rtncode.7.B2CInvoice/Isue names unknown operation 'B2CInvoice/Isue'; known operations: "), line);
        assertTrue(line.contains("B2CInvoice/Issue"), line);
    }

    @Test
    void aMalformedResultCodeOverrideIsOneLine() throws Exception {
        Path file = tmp.resolve("result-codes.properties");
        Files.writeString(file, "rtncode.9000001 = MAYBE | ?\n");
        String line = failure("sandbox", props("ecpay.result-codes", file.toString()), StartupChecks::resultCodes);
        assertTrue(line.contains("'MAYBE' is not one of SUCCESS, ALREADY_DONE, RETRY, UNKNOWN, DEAD"), line);
    }

    @Test
    void aDropFolderThatIsAFileIsNamed() throws Exception {
        Path file = Files.writeString(tmp.resolve("inbox"), "not a folder");
        String line = failure("sandbox", props("intake.file.inbox", file.toString()), StartupChecks::folders);
        assertEquals("intake.file.inbox: " + file.toAbsolutePath() + " is not a folder (a file of that name exists)", line);
    }

    @Test
    void aFileOutcomeChannelThatIsAFileIsNamed() throws Exception {
        Path file = Files.writeString(tmp.resolve("success"), "not a folder");
        String line = failure("sandbox", props("ecpay.channel.success", "file:" + file + "?tempPrefix=.writing-"), StartupChecks::folders);
        assertEquals("ecpay.channel.success: " + file.toAbsolutePath() + " is not a folder (a file of that name exists)", line);
    }

    @Test
    void aSandboxPortInUseIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            String line = failure("sandbox", props("sandbox.port", Integer.toString(port)), StartupChecks::ports);
            assertEquals("port " + port + " (sandbox.port) is already in use: stop the program holding it or set SANDBOX_PORT to a free port",
                    line);
        }
    }
}
