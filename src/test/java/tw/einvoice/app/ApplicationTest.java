package tw.einvoice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import tw.einvoice.camel.EcpayHeaders;

/** The whole main job: boots with the shipped routes and profiles, and explains bad configuration in one line. */
class ApplicationTest {

    @Test
    void theEmbeddedMainJobStartsEveryRouteAndCallsItsOwnSandbox() {
        Properties overrides = new Properties();
        overrides.setProperty("sandbox.port", "0"); // any free port: the routes follow the sandbox wherever it listens
        overrides.setProperty("journal.url", "jdbc:h2:mem:app-boot;DB_CLOSE_DELAY=-1");
        try (Application app = Application.start(RuntimeConfig.of("sandbox", Path.of("config"), overrides))) {
            var context = app.camelContext();
            assertNotNull(app.sandbox());
            assertEquals(app.sandbox().baseUrl(), context.resolvePropertyPlaceholders("{{ecpay.base-url}}"));
            assertFalse(context.getRoutes().isEmpty());
            context.getRoutes().stream().filter(r -> r.isAutoStartup()).forEach(r -> assertEquals(ServiceStatus.Started,
                    context.getRouteController().getRouteStatus(r.getRouteId()), r.getRouteId()));
            assertNotNull(context.getRoute("ecpay-call"));

            // a real call through the shipped route to the in-process sandbox
            Exchange reply = context.createProducerTemplate().request("direct:ecpay-call", e -> e.getMessage().setBody(
                    "{\"id\":\"boot-1\",\"operation\":\"B2CInvoice/GetIssue\",\"merchantId\":\"2000132\",\"data\":{\"RelateNumber\":\"BOOT1\"}}"));
            assertEquals(200, reply.getMessage().getHeader(EcpayHeaders.HTTP_STATUS, Integer.class));
            assertEquals(1, reply.getMessage().getHeader(EcpayHeaders.TRANS_CODE, Integer.class), "the sandbox decrypted our envelope");
        }
    }

    @Test
    void productionWithTheEmbeddedJournalEndsInOneLineAndExitCode2() throws Exception {
        Result r = runMain(Map.of("ECPAY_PROFILE", "production", "ECPAY_MERCHANT_ID", "3085340",
                "ECPAY_HASH_KEY", "AbCdEfGh12345678", "ECPAY_HASH_IV", "1234567890abcdef",
                "JOURNAL_URL", "jdbc:h2:file:./work/journal/ecpay"));
        assertEquals(2, r.exit);
        assertEquals(List.of("ecpay-einvoice: refusing to start: profile production uses the embedded H2 journal "
                + "(jdbc:h2:file:./work/journal/ecpay); set JOURNAL_URL to a PostgreSQL or MariaDB database"), r.stderr);
    }

    @Test
    void aPortInUseEndsInOneLineAndExitCode2() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Result r = runMain(Map.of("SANDBOX_PORT", Integer.toString(taken.getLocalPort())));
            assertEquals(2, r.exit);
            assertEquals(List.of("ecpay-einvoice: port " + taken.getLocalPort()
                    + " (sandbox.port) is already in use: stop the program holding it or set SANDBOX_PORT to a free port"), r.stderr);
        }
    }

    @Test
    void aBrokenRouteFileEndsInOneLineWithoutAStackTrace() throws Exception {
        // a failure only Camel finds (here: a route file that does not parse) is still one line
        Result r = runMain(Map.of("SANDBOX_PORT", "0", "JOURNAL_URL", "jdbc:h2:mem:broken"),
                "camel.main.routes-include-pattern=file:src/test/resources/app/broken.camel.yaml");
        assertEquals(2, r.exit);
        assertEquals(1, r.stderr.size(), String.join("\n", r.stderr));
        assertTrue(r.stderr.get(0).startsWith("ecpay-einvoice: cannot start: "), r.stderr.get(0));
        assertTrue(r.stderr.get(0).contains("broken.camel.yaml"), r.stderr.get(0));
    }

    record Result(int exit, List<String> stderr) {
    }

    /** Runs Application in its own JVM, logging off (as a user would see it with the log in a file); stderr lines. */
    static Result runMain(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-DECPAY_LOG_LEVEL=OFF", "-cp", System.getProperty("java.class.path"),
                Application.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.startsWith("ECPAY_") || k.startsWith("JOURNAL_") || k.startsWith("SANDBOX_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> lines = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.isBlank()).toList();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), lines);
    }
}
