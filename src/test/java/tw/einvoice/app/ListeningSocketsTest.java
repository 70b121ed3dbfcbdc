package tw.einvoice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.testing.MainJobProcess;

/**
 * Every socket a running main job listens on (embedded defaults: H2 file journal, the in-process sandbox), read from
 * the kernel's tables (/proc/net/tcp, tcp6) and matched to the process by socket inode: each is bound to loopback.
 */
class ListeningSocketsTest {

    @TempDir
    Path work;

    @Test
    void theMainJobListensOnLoopbackOnly() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "needs Linux /proc");
        int port;
        int management;
        try (ServerSocket s = new ServerSocket(0); ServerSocket m = new ServerSocket(0)) {
            port = s.getLocalPort();
            management = m.getLocalPort();
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("sandbox.port", Integer.toString(port));
        settings.put("journal.url", "jdbc:h2:file:" + work.resolve("journal/ecpay").toAbsolutePath());
        settings.put("intake.file.inbox", work.resolve("inbox").toString());
        settings.put("intake.file.archive-dir", work.resolve("archive").toString());
        settings.put("ecpay.channel.success", "file:" + work.resolve("outbox/success"));
        settings.put("ecpay.channel.dead-letter", "file:" + work.resolve("outbox/dead-letter"));
        // the operations server on its shipped host (127.0.0.1), on a port of this test's own
        settings.put("camel.server.port", Integer.toString(management));
        settings.put("camel.management.port", Integer.toString(management));
        try (MainJobProcess job = MainJobProcess.start(work.resolve("logs"), "main", settings)) {
            long end = System.currentTimeMillis() + 90_000;
            while (!job.output().contains("ecpay-einvoice started")) {
                assertTrue(job.isAlive() && System.currentTimeMillis() < end, job.output());
                Thread.sleep(100);
            }
            List<String> listening = listeningSockets(job.pid());
            System.out.println("LISTENING " + listening + " (sandbox.port " + port + ")");
            assertTrue(listening.stream().anyMatch(a -> a.endsWith(":" + port)), "the sandbox's socket is seen: " + listening);
            assertTrue(listening.stream().anyMatch(a -> a.equals("127.0.0.1:" + management) || a.equals("[::ffff:127.0.0.1]:" + management)),
                    "the operations server listens on loopback: " + listening);
            // and it answers there: health, metrics; /admin/ refused while no login is configured (none ships)
            // health turns UP once every check has run once (the ECPay reachability probe among them)
            var health = http(management, "/observe/health");
            for (long until = System.currentTimeMillis() + 60_000; health.statusCode() != 200 && System.currentTimeMillis() < until; ) {
                Thread.sleep(500);
                health = http(management, "/observe/health");
            }
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(http(management, "/observe/metrics").body().contains("ecpay_commands{"), "the product's metrics");
            var admin = http(management, "/admin/whoami");
            assertEquals(403, admin.statusCode(), admin.body());
            assertTrue(admin.body().contains("MANAGEMENT_ADMIN_USER"), admin.body());
            assertTrue(job.output().contains("admin endpoints are off: no login configured"), "one log line says why");
            assertFalse(listening.isEmpty(), "the sandbox listens: the scan sees the process's sockets");
            List<String> open = listening.stream().filter(a -> !a.startsWith("127.") && !a.startsWith("[::1]")
                    && !a.startsWith("[::ffff:127.")).toList();
            assertEquals(List.of(), open, "sockets reachable from the network");
        }
    }

    static java.net.http.HttpResponse<String> http(int port, String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + path)).timeout(java.time.Duration.ofSeconds(20)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** "address:port" of each TCP socket in LISTEN state whose inode one of the process's descriptors holds. */
    static List<String> listeningSockets(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            for (String line : Files.readAllLines(path).subList(1, Files.readAllLines(path).size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) { // 0A: LISTEN
                    out.add(address(f[1]));
                }
            }
        }
        return out;
    }

    /** The kernel writes addresses as little-endian hex words: 0100007F:1F90 is 127.0.0.1:8080. */
    static String address(String hex) {
        String[] parts = hex.split(":");
        int port = Integer.parseInt(parts[1], 16);
        String a = parts[0];
        if (a.length() == 8) {
            return Integer.parseInt(a.substring(6, 8), 16) + "." + Integer.parseInt(a.substring(4, 6), 16) + "."
                    + Integer.parseInt(a.substring(2, 4), 16) + "." + Integer.parseInt(a.substring(0, 2), 16) + ":" + port;
        }
        StringBuilder v6 = new StringBuilder();
        for (int word = 0; word < 4; word++) {
            String w = a.substring(word * 8, word * 8 + 8);
            for (int b = 3; b >= 0; b -= 2) {
                // each 32-bit word is little-endian: bytes 3,2 then 1,0 make its two 16-bit groups
                v6.append(w, b * 2, b * 2 + 2).append(w, (b - 1) * 2, (b - 1) * 2 + 2).append(':');
            }
        }
        String full = v6.substring(0, v6.length() - 1).toLowerCase();
        String shown = full.equals("0000:0000:0000:0000:0000:0000:0000:0001") ? "::1"
                : full.startsWith("0000:0000:0000:0000:0000:ffff:") ? "::ffff:" + Integer.parseInt(full.substring(30, 32), 16) + "."
                        + Integer.parseInt(full.substring(32, 34), 16) + "." + Integer.parseInt(full.substring(35, 37), 16) + "."
                        + Integer.parseInt(full.substring(37, 39), 16) : full;
        return "[" + shown + "]:" + port;
    }
}
