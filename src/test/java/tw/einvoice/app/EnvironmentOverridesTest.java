package tw.einvoice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.remote.SftpEndpoint;
import org.junit.jupiter.api.Test;
import tw.einvoice.camel.EcpayClient;
import tw.einvoice.protocol.Credentials;

/**
 * The environment variables the README documents really reach the running beans: a child JVM boots the main job
 * (profile stage) with them set and reports what the ECPay client, the journal pool and the SFTP endpoint got —
 * secrets only as SHA-256 digests, so that neither process prints them.
 */
class EnvironmentOverridesTest {

    @Test
    void documentedEnvironmentVariablesOverrideTheConfiguration() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ECPAY_PROFILE", "stage");
        env.put("ECPAY_BASE_URL", "http://127.0.0.1:9/ecpay-from-env");
        env.put("ECPAY_MERCHANT_ID", "3088123");
        env.put("ECPAY_HASH_KEY", "EnvHashKey0x16ch");
        env.put("ECPAY_HASH_IV", "EnvHashIv0x16chr");
        env.put("ECPAY_PLATFORM_ID", "3088999");
        env.put("JOURNAL_URL", "jdbc:h2:mem:env-overrides;DB_CLOSE_DELAY=-1");
        env.put("JOURNAL_USER", "envuser");
        env.put("JOURNAL_PASSWORD", "env-journal-pw");
        env.put("JOURNAL_POOL_SIZE", "3");
        env.put("INTAKE_SFTP_HOST", "sftp.example.test");
        env.put("INTAKE_SFTP_PORT", "2222");
        env.put("INTAKE_SFTP_USER", "envsftp");
        env.put("INTAKE_SFTP_PASSWORD", "env-sftp-pw");
        env.put("INTAKE_FILE_INBOX", "target/env-overrides/inbox");

        Map<String, String> expected = new TreeMap<>();
        expected.put("ecpay.base-url", "http://127.0.0.1:9/ecpay-from-env");
        expected.put("ecpayClient.merchantId", "3088123");
        expected.put("ecpayClient.hashKey", sha256("EnvHashKey0x16ch"));
        expected.put("ecpayClient.hashIv", sha256("EnvHashIv0x16chr"));
        expected.put("ecpayClient.platformId", "3088999");
        expected.put("journalDataSource.jdbcUrl", "jdbc:h2:mem:env-overrides;DB_CLOSE_DELAY=-1");
        expected.put("journalDataSource.username", "envuser");
        expected.put("journalDataSource.password", sha256("env-journal-pw"));
        expected.put("journalDataSource.maximumPoolSize", "3");
        expected.put("sftp.host", "sftp.example.test");
        expected.put("sftp.port", "2222");
        expected.put("sftp.username", "envsftp");
        expected.put("sftp.password", sha256("env-sftp-pw"));
        expected.put("intake.file.inbox", "target/env-overrides/inbox");

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-DECPAY_LOG_LEVEL=OFF", "-cp", System.getProperty("java.class.path"),
                PrintEffective.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.startsWith("ECPAY_") || k.startsWith("JOURNAL_") || k.startsWith("SANDBOX_")
                || k.startsWith("INTAKE_") || k.startsWith("ERP_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Map<String, String> actual = new TreeMap<>();
        out.lines().filter(l -> l.contains("=")).forEach(l -> actual.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        assertEquals(expected, actual);
        for (String secret : List.of("EnvHashKey0x16ch", "EnvHashIv0x16chr", "env-journal-pw", "env-sftp-pw")) {
            assertTrue(!out.contains(secret), "the report itself carries no secret");
        }
    }

    static String sha256(String s) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Boots the main job from the environment and prints what its beans were configured with. */
    public static final class PrintEffective {
        public static void main(String[] args) {
            try (Application app = Application.start(RuntimeConfig.fromCommandLine(args, Path.of("config")))) {
                CamelContext context = app.camelContext();
                Credentials c = context.getRegistry().lookupByNameAndType("ecpayClient", EcpayClient.class).credentialsFor(null);
                HikariDataSource ds = context.getRegistry().lookupByNameAndType("journalDataSource", HikariDataSource.class);
                SftpEndpoint sftp = (SftpEndpoint) context.getRoute("intake-sftp").getEndpoint();
                Map<String, String> out = new LinkedHashMap<>();
                out.put("ecpay.base-url", context.resolvePropertyPlaceholders("{{ecpay.base-url}}"));
                out.put("ecpayClient.merchantId", c.merchantId());
                out.put("ecpayClient.hashKey", sha256(c.hashKey()));
                out.put("ecpayClient.hashIv", sha256(c.hashIv()));
                out.put("ecpayClient.platformId", c.platformId());
                out.put("journalDataSource.jdbcUrl", ds.getJdbcUrl());
                out.put("journalDataSource.username", ds.getUsername());
                out.put("journalDataSource.password", sha256(ds.getPassword()));
                out.put("journalDataSource.maximumPoolSize", Integer.toString(ds.getMaximumPoolSize()));
                out.put("sftp.host", sftp.getConfiguration().getHost());
                out.put("sftp.port", Integer.toString(sftp.getConfiguration().getPort()));
                out.put("sftp.username", sftp.getConfiguration().getUsername());
                out.put("sftp.password", sha256(sftp.getConfiguration().getPassword()));
                out.put("intake.file.inbox", context.resolvePropertyPlaceholders("{{intake.file.inbox}}"));
                out.forEach((k, v) -> System.out.println(k + "=" + v));
            }
            System.exit(0);
        }
    }
}
