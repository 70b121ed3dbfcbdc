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

    public static final String DEFAULT_URL = "jdbc:h2:file:./work/journal/ecpay;AUTO_SERVER=TRUE";

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
