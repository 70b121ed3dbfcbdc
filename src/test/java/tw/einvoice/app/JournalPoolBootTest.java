package tw.einvoice.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tw.einvoice.journal.Journal;

/**
 * The main job opens exactly one journal pool: the YAML bean {@code journalDataSource} is created once at boot and
 * closed once at stop ({@code destroyMethod: close}), and the journal uses that very pool. Every physical connection
 * to the journal runs the H2 INIT below, so a second pool created at boot would be counted, and H2's session list
 * shows every connection still open.
 */
class JournalPoolBootTest {

    private static String newDb() {
        return "jdbc:h2:mem:pool" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
    }

    /** The journal URL the application gets: each new connection adds a row to PROBE.OPENED (Flyway only sees PUBLIC). */
    private static Properties counted(String db) {
        Properties overrides = new Properties();
        overrides.setProperty("sandbox.port", "0");
        overrides.setProperty("journal.url", db + ";INIT=CREATE SCHEMA IF NOT EXISTS PROBE"
                + "\\;CREATE TABLE IF NOT EXISTS PROBE.OPENED(N INT)\\;INSERT INTO PROBE.OPENED VALUES(1)");
        overrides.setProperty("journal.pool-size", "2");
        return overrides;
    }

    @Test
    void theMainJobOpensOneJournalPoolAndClosesItAtStop() throws Exception {
        String db = newDb();
        HikariDataSource pool;
        try (Application app = Application.start(RuntimeConfig.of("sandbox", Path.of("config"), counted(db)))) {
            var registry = app.camelContext().getRegistry();
            pool = registry.lookupByNameAndType("journalDataSource", HikariDataSource.class);
            assertFalse(pool.isClosed(), "the pool the routes use is open");
            assertSame(pool, registry.lookupByNameAndType("journal", Journal.class).dataSource(), "the journal uses it");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (sessions(db) < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the pool fills its second connection in the background
            }
            assertEquals(3, sessions(db), "open: the pool's 2 connections and this test's own");
            // opened so far: the startup checks' connection before Camel and again in the routes' beans (StartupGuard),
            // each closed at once, and the pool's two - no second pool
            assertEquals(4, opened(db));
        }
        assertTrue(pool.isClosed(), "closed at stop");
        assertEquals(1, sessions(db), "nothing of the journal left open, only this test's connection");
        assertEquals(4, opened(db), "no pool was opened meanwhile");
    }

    @Test
    void aStartWhoseMigrationFailsLeavesNoPoolOpen() throws Exception {
        String db = newDb();
        try (Connection c = DriverManager.getConnection(db, "sa", "")) {
            // a schema Flyway refuses to touch: tables but no migration history
            c.createStatement().execute("CREATE TABLE ecpay_command (id VARCHAR(10))");
        }
        assertThrows(StartupException.class,
                () -> Application.start(RuntimeConfig.of("sandbox", Path.of("config"), counted(db))).close());
        assertEquals(1, sessions(db), "each pool whose migration failed was closed: only this test's connection is open");
        System.out.println("journal connections opened by the failed start: " + opened(db));
        assertTrue(opened(db) >= 2, "the startup check and at least one pool connected");
    }

    @Test
    void aPoolOfOneIsRefusedWithAPlainReason() {
        Properties overrides = counted(newDb());
        overrides.setProperty("journal.pool-size", "1");
        StartupException e = assertThrows(StartupException.class,
                () -> Application.start(RuntimeConfig.of("sandbox", Path.of("config"), overrides)).close());
        assertTrue(e.getMessage().contains("journal.pool-size must be at least 2"), e.getMessage());
    }

    private static int sessions(String db) throws Exception {
        return count(db, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS");
    }

    private static int opened(String db) throws Exception {
        return count(db, "SELECT COUNT(*) FROM PROBE.OPENED");
    }

    private static int count(String db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db, "sa", ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
