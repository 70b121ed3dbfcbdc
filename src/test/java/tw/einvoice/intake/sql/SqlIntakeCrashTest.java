package tw.einvoice.intake.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.journal.Journal;
import tw.einvoice.testing.TestDatabases;
import tw.einvoice.camel.EcpayHeaders;

/**
 * A crash between selecting a row and committing its mark: nothing is lost (the row is still pending and is taken on
 * the next poll) and nothing is journaled twice — with the ERP table in the journal's database and in another one.
 */
class SqlIntakeCrashTest {

    static final Map<String, Object> ROW = Map.of("ID", "crash-1", "OPERATION", "B2CInvoice/TriggerIssue",
            "MERCHANT_ID", "2000132", "PAYLOAD", "{\"Tsr\":\"CRASH1\",\"PayType\":\"2\"}");

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void crashBeforeTheCommitLeavesTheRowPendingAndJournalsNothing(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2)) {
            Journal journal = new Journal(ds, Clock.systemUTC());
            insertInboxRow(ds);
            AtomicBoolean crash = new AtomicBoolean(true);
            DataSource crashing = crashingOnCommit(ds, crash); // one pool for both: mark and insert share a transaction
            assertThrows(SQLException.class, () -> intake(crashing, new Journal(crashing, Clock.systemUTC())).take(ROW, exchange()));
            assertEquals("NEW", status(ds));
            assertEquals(0, Sql.rows(ds, "SELECT id FROM ecpay_command").size(), "the journal insert rolled back with the mark");

            assertEquals("JOURNALED", take(intake(ds, journal)));
            assertEquals("SKIPPED", take(intake(ds, journal)), "a stale copy of the row (another instance's batch) is not taken again");
            assertEquals("TAKEN", status(ds));
            assertEquals(1, Sql.rows(ds, "SELECT id FROM ecpay_command").size());
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void withASeparateErpDatabaseACrashAfterTheJournalCommitEndsInOneCommand(TestDatabases db) throws Exception {
        try (HikariDataSource journalDs = db.fresh(2); HikariDataSource erpDs = db.fresh(2)) {
            Journal journal = new Journal(journalDs, Clock.systemUTC());
            insertInboxRow(erpDs);
            AtomicBoolean crash = new AtomicBoolean(true);
            assertThrows(SQLException.class, () -> intake(crashingOnCommit(erpDs, crash), journal).take(ROW, exchange()));
            assertEquals("NEW", status(erpDs), "the mark did not commit: the row is taken again on the next poll");
            assertEquals(1, Sql.rows(journalDs, "SELECT id FROM ecpay_command").size(), "the journal committed first");

            assertEquals("DUPLICATE", take(intake(erpDs, journal)), "the next poll finds the command journaled and only marks the row");
            assertEquals("TAKEN", status(erpDs));
            assertEquals(1, Sql.rows(journalDs, "SELECT id FROM ecpay_command").size(), "journaled once");
        }
    }

    private static SqlIntake intake(DataSource erp, Journal journal) {
        SqlIntake intake = new SqlIntake();
        intake.setSource("ecpay_inbox");
        intake.setDataSource(erp);
        intake.setJournal(journal);
        intake.setDefaultMerchantId("2000132");
        intake.setTakeSql("config/sql/inbox-take.sql");
        intake.setRejectSql("config/sql/inbox-reject.sql");
        return intake;
    }

    private static String take(SqlIntake intake) throws SQLException {
        DefaultExchange exchange = exchange();
        intake.take(ROW, exchange);
        return exchange.getMessage().getHeader(EcpayHeaders.INTAKE_RESULT, String.class);
    }

    private static DefaultExchange exchange() {
        return new DefaultExchange(new DefaultCamelContext());
    }

    private static void insertInboxRow(DataSource ds) throws Exception {
        Sql.update(ds, "INSERT INTO ecpay_inbox (id, operation, merchant_id, payload) VALUES ('crash-1', "
                + "'B2CInvoice/TriggerIssue', '2000132', '{\"Tsr\":\"CRASH1\",\"PayType\":\"2\"}')");
    }

    private static String status(DataSource ds) throws Exception {
        return (String) Sql.rows(ds, "SELECT status FROM ecpay_inbox WHERE id = 'crash-1'").get(0).get("status");
    }

    /** The same pool, but the first commit dies as if the process had stopped just before it. */
    private static DataSource crashingOnCommit(HikariDataSource ds, AtomicBoolean crash) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (p, m, args) -> {
                    Object result = invoke(m, ds, args);
                    if (!m.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection c = (Connection) result;
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (pc, mc, argsc) -> {
                                if (mc.getName().equals("commit") && crash.getAndSet(false)) {
                                    c.rollback();
                                    throw new SQLException("crash before commit");
                                }
                                return invoke(mc, c, argsc);
                            });
                });
    }

    private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
