package tw.einvoice.journal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
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

    /** Opens a pool and migrates the schema; a database that cannot be reached fails with one plain sentence. */
    public static HikariDataSource open(String url, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
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
        migrate(ds);
        return ds;
    }

    public static void migrate(DataSource ds) {
        Flyway.configure()
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
