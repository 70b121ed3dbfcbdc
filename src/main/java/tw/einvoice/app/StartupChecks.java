package tw.einvoice.app;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.TreeSet;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.protocol.ResultTable;

/**
 * What the main job verifies before it starts Camel, so that a configuration mistake ends in one line that names
 * the key, the value (never a secret) and what to do, instead of a stack trace from deep inside a route.
 */
public final class StartupChecks {

    /** Local folders the routes read from or write to (absent keys are skipped). */
    static final List<String> LOCAL_FOLDERS = List.of("intake.file.inbox", "intake.file.archive-dir",
            "intake.sftp.work-dir", "intake.sftp.local-dir", "dispatch.outbox-dir", "reports.dir");

    private final RuntimeConfig config;

    public StartupChecks(RuntimeConfig config) {
        this.config = config;
    }

    public void runAll() {
        runInContext();
        sandboxPort();
    }

    /**
     * Every check but the sandbox's port: what {@link StartupGuard} runs inside a CamelContext being built, whichever
     * runtime builds it (the sandbox is listening by then, and SandboxBean checks its own port under Camel JBang).
     */
    public void runInContext() {
        credentials();
        journal();
        resultCodes();
        folders();
        serverPorts();
        sqlSources();
    }

    /**
     * With the mapped SQL intake on, its select SQL runs against the ERP table it names: a table not created yet is one
     * line here, not a stack trace every poll.
     */
    public void sqlSources() {
        if (!config.flag("intake.sql.mapped.enabled")) {
            return;
        }
        String bean = config.get("intake.sql.datasource").orElse("journalDataSource");
        String prefix = switch (bean) {
            case "journalDataSource" -> "journal.";
            case "erpDataSource" -> "intake.sql.erp.";
            default -> null; // a data source of the user's own making: the route reports it
        };
        if (prefix == null) {
            return;
        }
        String url = config.get(prefix + "url").orElse("");
        String select = config.get("intake.sql.mapped.select").orElse("");
        Properties login = new Properties();
        login.setProperty("user", config.get(prefix + "user").orElse(""));
        login.setProperty("password", config.get(prefix + "password").orElse(""));
        String problem;
        try (Connection c = driverFor(url).connect(url, login)) {
            problem = c == null ? "no driver for " + redact(url) : tw.einvoice.intake.sql.SqlIntake.checkSelect(c, select);
        } catch (SQLException e) {
            problem = "database unreachable at " + redact(url) + ": " + rootMessage(e);
        }
        if (problem != null) {
            throw new StartupException("intake.sql.mapped.enabled=true, but the ERP source cannot be read with "
                    + "intake.sql.mapped.select (" + select + "): " + StartupException.oneLine(problem)
                    + " (create the table first, e.g. examples/erp-outbox/schema.sql, or set INTAKE_SQL_MAPPED_ENABLED=false)");
        }
    }

    /** MerchantID, HashKey and HashIV present and well formed; production refuses ECPay's public stage merchant. */
    public Credentials credentials() {
        String merchantId = config.require("ecpay.merchant-id", "ECPAY_MERCHANT_ID");
        String hashKey = config.require("ecpay.hash-key", "ECPAY_HASH_KEY");
        String hashIv = config.require("ecpay.hash-iv", "ECPAY_HASH_IV");
        if (hashKey.length() != 16) {
            throw new StartupException("ecpay.hash-key (ECPAY_HASH_KEY) must be ECPay's 16-character HashKey, but it has "
                    + hashKey.length() + " characters");
        }
        if (hashIv.length() != 16) {
            throw new StartupException("ecpay.hash-iv (ECPAY_HASH_IV) must be ECPay's 16-character HashIV, but it has "
                    + hashIv.length() + " characters");
        }
        Credentials credentials = new Credentials(merchantId, hashKey, hashIv, config.get("ecpay.platform-id").orElse(""));
        if (production() && (credentials.isPublicStage() || Credentials.PUBLIC_STAGE.merchantId().equals(merchantId))) {
            throw new StartupException("refusing to start: profile " + config.profile() + " uses ECPay's public stage credentials "
                    + "(MerchantID " + merchantId + "); set ECPAY_MERCHANT_ID, ECPAY_HASH_KEY and ECPAY_HASH_IV to your own");
        }
        return credentials;
    }

    /** Production refuses the embedded H2 journal; every profile needs a database that answers. */
    public void journal() {
        String url = config.require("journal.url", "JOURNAL_URL");
        if (production() && url.regionMatches(true, 0, "jdbc:h2:", 0, 8)) {
            throw new StartupException("refusing to start: profile " + config.profile() + " uses the embedded H2 journal ("
                    + redact(url) + "); set JOURNAL_URL to a PostgreSQL or MariaDB database");
        }
        if (url.regionMatches(true, 0, "jdbc:h2:file:", 0, 13)) {
            // H2 creates the file but not a folder it cannot write to: say so before it does
            Path file = Path.of(url.substring(13).split(";", 2)[0]);
            folder("journal.url", file.toAbsolutePath().getParent());
        }
        Properties login = new Properties();
        login.setProperty("user", config.get("journal.user").orElse(""));
        login.setProperty("password", config.get("journal.password").orElse(""));
        DriverManager.setLoginTimeout(5);
        try (Connection c = driverFor(url).connect(tw.einvoice.journal.JournalDatabase.durable(url), login)) {
            if (c == null) {
                throw new StartupException("journal.url " + redact(url) + " is not a JDBC URL this application has a driver for");
            }
        } catch (SQLException e) {
            throw new StartupException("journal database unreachable at " + redact(url) + ": "
                    + StartupException.oneLine(rootMessage(e)) + " (check JOURNAL_URL, JOURNAL_USER, JOURNAL_PASSWORD)");
        }
    }

    /** The user's result-code overrides parse, and every operation they name exists in the catalog. */
    public void resultCodes() {
        String location = config.get("ecpay.result-codes").orElse("");
        if (location.isBlank()) {
            return;
        }
        Path path = Path.of(location);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new StartupException("ecpay.result-codes: " + path.toAbsolutePath() + " is not a readable file");
        }
        Properties entries = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            entries.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new StartupException("ecpay.result-codes: cannot read " + path + ": " + e.getMessage());
        }
        TreeSet<String> known = new TreeSet<>();
        OperationCatalog.standard().all().forEach(op -> known.add(op.name()));
        for (String key : new TreeSet<>(entries.stringPropertyNames())) {
            String[] parts = key.strip().split("\\.");
            if (parts.length == 3 && parts[0].equals("rtncode") && !known.contains(parts[2])) {
                throw new StartupException(path + ": key " + key + " names unknown operation '" + parts[2]
                        + "'; known operations: " + String.join(", ", known));
            }
        }
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            ResultTable.defaults().withOverrides(reader, path.toString());
        } catch (IOException | RuntimeException e) {
            throw new StartupException(StartupException.oneLine(e.getMessage()));
        }
    }

    /** Each configured local folder (and file: outcome channel) exists, created when missing, and can be written. */
    public void folders() {
        for (String key : LOCAL_FOLDERS) {
            String value = config.get(key).orElse("");
            if (!value.isBlank()) {
                folder(key, Path.of(value).toAbsolutePath());
            }
        }
        Properties channels = config.withPrefix("ecpay.channel.");
        for (String key : new TreeSet<>(channels.stringPropertyNames())) {
            String uri = channels.getProperty(key).strip();
            if (uri.startsWith("file:") && !uri.startsWith("file://")) {
                folder(key, Path.of(uri.substring(5).split("\\?", 2)[0]).toAbsolutePath());
            }
        }
    }

    /** The ports this process will listen on are free. */
    public void ports() {
        sandboxPort();
        serverPorts();
    }

    private void sandboxPort() {
        if (config.flag("sandbox.enabled")) {
            portFree("sandbox.port", config.port("sandbox.port", 9580), "SANDBOX_PORT");
        }
    }

    /** The ports Camel's HTTP server (metrics, health, /admin) will listen on are free. */
    public void serverPorts() {
        for (String key : List.of("camel.server.port", "camel.management.port")) {
            if (config.get(key).isPresent() && config.flag(key.replace(".port", ".enabled"))) {
                portFree(key, config.port(key, 0), "MANAGEMENT_PORT");
            }
        }
    }

    static void portFree(String key, int port, String envHint) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new StartupException("port " + port + " (" + key + ") is already in use: stop the program holding it"
                    + (envHint == null ? " or change " + key : " or set " + envHint + " to a free port"));
        }
    }

    /**
     * The folders this job writes hold tax documents, replies and the journal: the ones it creates (and the default
     * {@code work/} root) are readable by the owner only, so nothing in them is readable by other users of the host.
     */
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY =
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");

    private static void folder(String key, Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new StartupException(key + ": " + dir + " is not a folder (a file of that name exists)");
        }
        try {
            if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Path work = Path.of("work").toAbsolutePath();
                if (dir.startsWith(work) && Files.isDirectory(work)) {
                    Files.setPosixFilePermissions(work, OWNER_ONLY);
                }
            } else {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new StartupException(key + ": folder " + dir + " cannot be created: " + e.getMessage());
        }
        if (!Files.isReadable(dir) || !Files.isWritable(dir)) {
            throw new StartupException(key + ": folder " + dir + " is not readable and writable by this user");
        }
    }

    private boolean production() {
        return config.flag("ecpay.production");
    }

    /** The driver from this application's own class loader (DriverManager alone misses it under Camel JBang). */
    private static Driver driverFor(String url) throws SQLException {
        for (Driver d : ServiceLoader.load(Driver.class, StartupChecks.class.getClassLoader())) {
            if (d.acceptsURL(url)) {
                return d;
            }
        }
        return DriverManager.getDriver(url);
    }

    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
