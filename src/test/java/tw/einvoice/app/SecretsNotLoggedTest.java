package tw.einvoice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tw.einvoice.intake.SftpServerFixture;

/**
 * The whole main job, in its own JVM as an operator runs it, with distinctive secrets from the environment: a
 * merchant's HashKey/HashIV, a second merchant configured with a wrong HashKey (ECPay's TransCode 110), the journal
 * password, the SFTP password and the ERP database password. Traffic: a local drop with good and bad lines, an SFTP
 * drop (password login), the wrong-key call, Camel's dump of every route and bean at startup, a stop; then a second
 * start against an unreachable database. Every byte the process wrote (stdout, stderr — the log —, outbox,
 * dead-letter, archive, result files, files uploaded to the SFTP server) is searched for each secret.
 */
class SecretsNotLoggedTest {

    static final Path ROOT = Path.of("target/secrets-test");
    static final String MERCHANT = "3099001";
    static final String WRONG_KEY_MERCHANT = "3099002";
    // distinctive values that occur nowhere else, so that any hit is a leak (16 characters: ECPay's format)
    static final String HASH_KEY = "Kq7vSeKeYxA1Z9pL";
    static final String HASH_IV = "Iv9wSeIvYxB2Y8qM";
    static final String SANDBOX_KEY_OF_OTHER = "Zz8uSbKeYxC3X7rN";
    static final String WRONG_KEY = "Wr6tWkKeYxD4W6sO";
    static final String OTHER_IV = "Iv5sOtIvYxE5V5tP";
    static final String JOURNAL_PASSWORD = "JrnlPw-7f3c9a1e";
    static final String SFTP_PASSWORD = "SftpPw-2b8e41d6";
    static final String ERP_PASSWORD = "ErpPw-5c1d07b3";
    static final List<String> SECRETS = List.of(HASH_KEY, HASH_IV, SANDBOX_KEY_OF_OTHER, WRONG_KEY, OTHER_IV,
            JOURNAL_PASSWORD, SFTP_PASSWORD, ERP_PASSWORD);

    @Test
    void noSecretReachesTheLogResultFilesChannelsOrRouteDumps() throws Exception {
        deleteTree(ROOT);
        Path inbox = ROOT.resolve("inbox");
        Files.createDirectories(inbox);
        try (SftpServerFixture sftp = new SftpServerFixture(ROOT.resolve("sftp-server"), SFTP_PASSWORD)) {
            Files.writeString(ROOT.resolve("known_hosts"), sftp.knownHostsLine(false));
            Map<String, String> env = new LinkedHashMap<>();
            env.put("ECPAY_MERCHANT_ID", MERCHANT);
            env.put("ECPAY_HASH_KEY", HASH_KEY);
            env.put("ECPAY_HASH_IV", HASH_IV);
            // a second merchant, configured here with a key the sandbox does not know for it
            env.put("ECPAY_MERCHANT_" + WRONG_KEY_MERCHANT + "_HASH_KEY", WRONG_KEY);
            env.put("ECPAY_MERCHANT_" + WRONG_KEY_MERCHANT + "_HASH_IV", OTHER_IV);
            env.put("SANDBOX_MERCHANTS", MERCHANT + ":" + HASH_KEY + ":" + HASH_IV + ","
                    + WRONG_KEY_MERCHANT + ":" + SANDBOX_KEY_OF_OTHER + ":" + OTHER_IV);
            env.put("SANDBOX_PORT", "0");
            // in-memory H2 created by the first connection with this user and password: every later one needs them
            env.put("JOURNAL_URL", "jdbc:h2:mem:secrets;DB_CLOSE_DELAY=-1");
            env.put("JOURNAL_USER", "ledger");
            env.put("JOURNAL_PASSWORD", JOURNAL_PASSWORD);
            env.put("ERP_DB_PASSWORD", ERP_PASSWORD);
            env.put("INTAKE_SFTP_ENABLED", "true");
            env.put("INTAKE_SFTP_HOST", "127.0.0.1");
            env.put("INTAKE_SFTP_PORT", Integer.toString(sftp.port()));
            env.put("INTAKE_SFTP_USER", SftpServerFixture.USER);
            env.put("INTAKE_SFTP_PASSWORD", SFTP_PASSWORD);
            env.put("INTAKE_SFTP_KNOWN_HOSTS", ROOT.resolve("known_hosts").toString());
            env.put("INTAKE_SFTP_UPLOAD_RESULTS", "true");
            env.put("ECPAY_CHANNEL_SUCCESS", "file:" + ROOT.resolve("outbox/success") + "?tempPrefix=.writing-");
            env.put("ECPAY_CHANNEL_DEAD_LETTER", "file:" + ROOT.resolve("outbox/dead-letter") + "?tempPrefix=.writing-");
            env.put("INTAKE_FILE_INBOX", inbox.toString());
            env.put("INTAKE_FILE_ARCHIVE", ROOT.resolve("archive").toString());

            Process app = start(env, "run", "intake.file.poll-ms=200", "intake.file.read-lock-check-ms=200", "intake.file.quiet-ms=300",
                    "intake.results.period-ms=300", "intake.sftp.poll-ms=300", "ecpay.dispatch.poll-interval=200",
                    "intake.sftp.work-dir=" + ROOT.resolve("sftp-download"), "intake.sftp.local-dir=" + ROOT.resolve("sftp-archive"),
                    // Camel dumps every route, bean and data format at startup (as the shipped configuration has it), to files here
                    // (XML: Camel 4.18's YAML dump fails on these routes; both fail on beans with constructor arguments)
                    "camel.main.dump-routes=xml", "camel.main.dump-routes-include=all",
                    "camel.main.dump-routes-output=" + ROOT.resolve("route-dump"));
            try {
                String issue = "{\"id\":\"%s\",\"operation\":\"B2CInvoice/Issue\"%s,\"data\":{\"RelateNumber\":\"%s\",\"CustomerEmail\":"
                        + "\"buyer@example.com\",\"Print\":\"0\",\"Donation\":\"0\",\"TaxType\":\"1\",\"SalesAmount\":100,"
                        + "\"InvType\":\"07\",\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"pen\",\"ItemCount\":2,\"ItemWord\":\"pc\","
                        + "\"ItemPrice\":50,\"ItemTaxType\":\"1\",\"ItemAmount\":100}]}}\n";
                drop(inbox, "orders.jsonl", String.format(issue, "sec-good-1", "", "SECREL0001")
                        + "{\"id\":\"sec-broken\",\"operation\":\"B2CInvoice/Issue\",\"data\":{\n"
                        + "{\"id\":\"sec-unknown\",\"operation\":\"B2CInvoice/DoSomething\",\"data\":{}}\n"
                        + String.format(issue, "sec-wrong-key", ",\"merchantId\":\"" + WRONG_KEY_MERCHANT + "\"", "SECREL0002"));
                drop(sftp.root.resolve("inbox"), "remote.jsonl", String.format(issue, "sec-sftp-1", "", "SECREL0003")
                        + "{\"id\":\"sec-sftp-bad\",\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"PayType\":\"2\"}}\n");

                Path success = ROOT.resolve("outbox/success");
                Path deadLetter = ROOT.resolve("outbox/dead-letter");
                await("local and SFTP commands sent", System.getProperty("secrets.log-level") == null ? 25_000 : 90_000, () -> contains(success, "sec-good-1") && contains(success, "sec-sftp-1")
                        && contains(deadLetter, "sec-wrong-key"));
                assertTrue(contains(deadLetter, "\"transCode\":110"), "the wrong key was answered with TransCode 110");
                await("result files of both drops", 20_000, () -> contains(ROOT.resolve("archive"), "orders.result.csv")
                        && contains(sftp.root.resolve("results"), "remote.result.csv"));
            } finally {
                app.destroy(); // SIGTERM: the shutdown is logged too
                assertTrue(app.waitFor(30, TimeUnit.SECONDS), "the main job stops");
            }
            String log = Files.readString(ROOT.resolve("run.err"));
            assertTrue(Files.readString(ROOT.resolve("logs/ecpay-einvoice.log")).contains("ecpay-einvoice started"),
                    "the log file is written too (and searched below)");
            assertTrue(contains(ROOT.resolve("route-dump"), "uri=\"sftp:{{intake.sftp.host}}"), "Camel dumped the routes");
            assertTrue(log.contains("sec-broken") || contains(ROOT.resolve("outbox/dead-letter"), "sec-broken")
                    || contains(ROOT.resolve("outbox/dead-letter"), "\"line\":2"), "the bad lines were reported");

            // a start against a database that does not answer: one line, and no password in it
            int closed;
            try (ServerSocket s = new ServerSocket(0)) {
                closed = s.getLocalPort();
            }
            env.put("JOURNAL_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/einvoice?user=ledger&password=" + JOURNAL_PASSWORD);
            Process down = start(env, "down");
            assertTrue(down.waitFor(60, TimeUnit.SECONDS));
            assertEquals(2, down.exitValue());
            assertTrue(Files.readString(ROOT.resolve("down.err")).contains("journal database unreachable at jdbc:postgresql://127.0.0.1:"
                    + closed + "/einvoice?user=ledger&password=****"), Files.readString(ROOT.resolve("down.err")));

            assertNoSecretIn(ROOT);
        }
    }

    /** Runs the main job from the project folder; stdout and stderr go to {@code <name>.out} / {@code <name>.err}. */
    static Process start(Map<String, String> env, String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // the log as the main job writes it (config/logback.xml at INFO: console and its rolling file under ROOT), not as
        // the tests quieten it; -Dsecrets.log-level=debug for more
        command.addAll(List.of("-Dlogback.configurationFile=config/logback.xml", "-DECPAY_LOG_DIR=" + ROOT.resolve("logs"),
                "-DECPAY_LOG_LEVEL=" + System.getProperty("secrets.log-level", "info")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Application.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(ROOT.resolve(name + ".out").toFile())
                .redirectError(ROOT.resolve(name + ".err").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ECPAY_") || k.startsWith("JOURNAL_") || k.startsWith("SANDBOX_")
                || k.startsWith("INTAKE_") || k.startsWith("ERP_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Every file under root, read as bytes: a secret may be in any encoding the writer chose, so look in UTF-8 text. */
    static void assertNoSecretIn(Path root) throws IOException {
        List<String> leaks = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path file : all.filter(Files::isRegularFile).toList()) {
                files++;
                String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
                for (String secret : SECRETS) {
                    int at = text.indexOf(secret);
                    if (at >= 0) {
                        // where, without repeating the secret itself in the report
                        int from = Math.max(0, text.lastIndexOf('\n', at) + 1);
                        int to = text.indexOf('\n', at) < 0 ? text.length() : text.indexOf('\n', at);
                        leaks.add(root.relativize(file) + ": " + text.substring(from, Math.min(to, from + 400)).replace(secret, "<SECRET>"));
                    }
                }
            }
        }
        assertTrue(files > 10, "the run wrote its log and files: " + files);
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " secret(s) found:\n" + String.join("\n", leaks));
        }
    }

    static void drop(Path folder, String name, String content) throws IOException {
        Files.createDirectories(folder);
        Path part = folder.resolve(name + ".part");
        Files.writeString(part, content);
        Files.move(part, folder.resolve(name));
    }

    /** A file under dir whose name or content contains text. */
    static boolean contains(Path dir, String text) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).anyMatch(f -> f.getFileName().toString().contains(text) || read(f).contains(text));
        } catch (IOException | UncheckedIOException e) {
            return false; // a file renamed while we looked: ask again
        }
    }

    static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return "";
        }
    }

    static void await(String what, long millis, BooleanSupplier done) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
