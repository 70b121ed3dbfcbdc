package tw.einvoice.journal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.ServiceLoader;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The journal's connection pool (HikariCP) with its schema brought up to date by Flyway, per database vendor
 * ({@code db/migration/h2|postgresql|mariadb}). Embedded default: an H2 file under {@code work/}.
 */
public final class JournalDatabase {

    public static final String DEFAULT_URL = "jdbc:h2:file:./work/journal/ecpay";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JournalDatabase.class);

    private JournalDatabase() {
    }

    /**
     * Opens a pool and migrates the schema; a database that cannot be reached fails with one plain sentence. A pool
     * whose migration fails is closed before the error is thrown, so a failed (or retried) start leaves no pool open.
     */
    public static HikariDataSource open(String url, String user, String password, int poolSize) {
        if (poolSize < 2) {
            // the Flyway migration takes two connections at once: with one, the start waits 30 s and fails
            throw new IllegalArgumentException("journal.pool-size must be at least 2 (migrating the schema takes two "
                    + "connections), not " + poolSize);
        }
        url = durable(url);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        useDriverVisibleHere(config, url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("ecpay-journal");
        config.setInitializationFailTimeout(10_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("journal database " + redact(url) + " is unreachable: " + rootMessage(e), e);
        }
        try {
            migrate(ds);
        } catch (RuntimeException | Error e) {
            ds.close();
            throw e;
        }
        return ds;
    }

    /**
     * An embedded H2 file journal made safe against a process kill and a plain stop, unless the URL says otherwise:
     * <ul>
     *   <li>{@code WRITE_DELAY=0}: H2 writes a commit to its file before the commit returns. Its default (500 ms)
     *       writes committed transactions later, from a background thread, so a {@code kill -9} loses the last half
     *       second of commits: claims, outcomes, channel deliveries. (Written to the file, not forced to the disk:
     *       a process kill loses nothing, a power cut may lose the last commits; PostgreSQL or MariaDB for that.)</li>
     *   <li>{@code DB_CLOSE_ON_EXIT=FALSE}: H2's own JVM shutdown hook would close the database while Camel is still
     *       recording the answers of calls in flight; the pool closes it after the routes have drained.</li>
     * </ul>
     * Other databases' URLs are returned unchanged. H2's {@code AUTO_SERVER=TRUE} (a TCP server for other processes)
     * is bound to 127.0.0.1 unless {@code h2.bindAddress} is set.
     */
    public static String durable(String url) {
        if (url == null || !url.regionMatches(true, 0, "jdbc:h2:", 0, 8) || url.regionMatches(true, 0, "jdbc:h2:mem:", 0, 12)
                || url.regionMatches(true, 0, "jdbc:h2:tcp:", 0, 12) || url.regionMatches(true, 0, "jdbc:h2:ssl:", 0, 12)) {
            return url;
        }
        String upper = url.toUpperCase(java.util.Locale.ROOT);
        String out = url;
        if (!upper.contains(";WRITE_DELAY=")) {
            out += ";WRITE_DELAY=0";
        } else if (!upper.contains(";WRITE_DELAY=0;") && !upper.endsWith(";WRITE_DELAY=0")) {
            LOG.warn("journal.url sets H2's WRITE_DELAY above 0: a process kill can lose the last commits of the journal");
        }
        if (!upper.contains(";DB_CLOSE_ON_EXIT=")) {
            out += ";DB_CLOSE_ON_EXIT=FALSE";
        }
        if (upper.contains(";AUTO_SERVER=TRUE") && System.getProperty("h2.bindAddress") == null) {
            System.setProperty("h2.bindAddress", "127.0.0.1");
        }
        return out;
    }

    /**
     * Runtimes that load this jar in a child class loader (Camel JBang's {@code --dep}) hide its JDBC drivers from
     * DriverManager, which only scans the system class loader: name the driver that accepts the URL explicitly.
     */
    private static void useDriverVisibleHere(HikariConfig config, String url) {
        for (Driver driver : ServiceLoader.load(Driver.class, JournalDatabase.class.getClassLoader())) {
            try {
                if (driver.acceptsURL(url)) {
                    config.setDriverClassName(driver.getClass().getName());
                    return;
                }
            } catch (SQLException e) {
                // this driver cannot judge the URL; try the next one
            }
        }
    }

    public static void migrate(DataSource ds) {
        // our own class loader, not the thread's: under Camel JBang the migrations are only visible to it
        Flyway.configure(JournalDatabase.class.getClassLoader())
                .dataSource(ds)
                .locations("classpath:db/migration/" + vendor(ds))
                .load()
                .migrate();
    }

    /** h2, postgresql or mariadb: the folder of migrations (and SQL dialect) this database needs. */
    public static String vendor(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
            if (product.contains("h2")) {
                return "h2";
            }
            if (product.contains("postgres")) {
                return "postgresql";
            }
            if (product.contains("mariadb") || product.contains("mysql")) {
                return "mariadb";
            }
            throw new IllegalStateException("journal database '" + product + "' is not supported: use H2, PostgreSQL or MariaDB");
        } catch (SQLException e) {
            throw new IllegalStateException("journal database is unreachable: " + e.getMessage(), e);
        }
    }

    /** JDBC URLs may carry a password parameter: never print it. */
    static String redact(String url) {
        return url == null ? "(no url)" : url.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
