package tw.einvoice.testing;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import tw.einvoice.journal.JournalDatabase;

/**
 * The databases tests run on: embedded H2 always; PostgreSQL and MariaDB at the addresses below when they answer.
 * Under CI (environment CI=true) an unreachable PostgreSQL or MariaDB fails the test instead of skipping it.
 * Each {@link #fresh} call gives an empty schema of its own, so tests never see each other's rows.
 */
public enum TestDatabases {
    H2("jdbc:h2:mem:", "sa", ""),
    POSTGRESQL(System.getProperty("test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test"), "postgres", ""),
    MARIADB(System.getProperty("test.mariadb.url", "jdbc:mariadb://127.0.0.1:3306/test"), "root", "");

    private final String url;
    private final String user;
    private final String password;

    TestDatabases(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** For {@code @MethodSource}: every database, those unreachable outside CI included (they skip in {@link #fresh}). */
    public static Stream<TestDatabases> all() {
        return Stream.of(values());
    }

    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** A pool on a new, empty, migrated schema of this database. */
    public HikariDataSource fresh(int poolSize) {
        return JournalDatabase.open(freshUrl(), user, password, poolSize);
    }

    /** A pool on a new schema migrated only up to {@code version}, for upgrade tests (finish with JournalDatabase.migrate). */
    public HikariDataSource freshAt(int poolSize, String version) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(freshUrl());
        ds.setUsername(user);
        ds.setPassword(password);
        ds.setMaximumPoolSize(poolSize);
        org.flywaydb.core.Flyway.configure().dataSource(ds)
                .locations("classpath:db/migration/" + JournalDatabase.vendor(ds)).target(version).load().migrate();
        return ds;
    }

    private String freshUrl() {
        String schema = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String schemaUrl = switch (this) {
            case H2 -> url + schema + ";DB_CLOSE_DELAY=-1";
            case POSTGRESQL -> {
                execute("CREATE SCHEMA " + schema);
                yield url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
            }
            case MARIADB -> {
                execute("CREATE DATABASE " + schema + " CHARACTER SET utf8mb4");
                yield url.replaceFirst("/[^/?]*(\\?|$)", "/" + schema + "$1");
            }
        };
        return schemaUrl;
    }

    private void execute(String sql) {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            String why = name().toLowerCase(Locale.ROOT) + " at " + url + " is not reachable: " + e.getMessage();
            if (underCi()) {
                throw new IllegalStateException(why + " (CI=true: PostgreSQL and MariaDB tests must run)", e);
            }
            Assumptions.abort(why);
        }
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public static List<String> names() {
        List<String> out = new ArrayList<>();
        for (TestDatabases d : values()) {
            out.add(d.name());
        }
        return out;
    }
}
