package tw.einvoice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.testing.MainJobProcess;

/**
 * The main job is seen by the Camel CLI only when asked (management.camel-cli, MANAGEMENT_CAMEL_CLI): the connector
 * writes the job's status to ~/.camel/&lt;pid&gt;-status.json every second, which is what `camel ps` and `camel get` read.
 */
class CamelCliSwitchTest {

    @TempDir
    Path work;

    @Test
    void theCliConnectorRunsOnlyWhenSwitchedOn() throws Exception {
        assertEquals(false, statusWritten("off", Map.of()), "the connector ran by default");
        assertEquals(true, statusWritten("on", Map.of("management.camel-cli", "true")), "the connector did not run when asked");
    }

    /** Starts the job, waits until it started and two connector periods more, tells whether its status file appeared. */
    private boolean statusWritten(String name, Map<String, String> extra) throws Exception {
        Path home = work.resolve(name);
        Map<String, String> settings = new LinkedHashMap<>();
        int sandbox;
        int management;
        try (ServerSocket s = new ServerSocket(0); ServerSocket m = new ServerSocket(0)) {
            sandbox = s.getLocalPort();
            management = m.getLocalPort();
        }
        settings.put("sandbox.port", Integer.toString(sandbox));
        settings.put("camel.server.port", Integer.toString(management));
        settings.put("camel.management.port", Integer.toString(management));
        settings.put("journal.url", "jdbc:h2:file:" + home.resolve("journal/ecpay").toAbsolutePath());
        settings.put("intake.file.inbox", home.resolve("inbox").toString());
        settings.put("intake.file.archive-dir", home.resolve("archive").toString());
        settings.putAll(extra);
        try (MainJobProcess job = MainJobProcess.start(home, "main", settings)) {
            long end = System.currentTimeMillis() + 90_000;
            while (!job.output().contains("ecpay-einvoice started")) {
                assertTrue(job.isAlive() && System.currentTimeMillis() < end, job.output());
                Thread.sleep(200);
            }
            Thread.sleep(2_500);
            return Files.exists(home.resolve(".camel").resolve(job.pid() + "-status.json"));
        }
    }
}
