package tw.einvoice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.testing.TestDatabases;

/** Writes of concurrent threads share one commit; each returns once committed; a failing write fails alone. */
class GroupCommitTest {

    private static final int THREADS = 12;

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void writesQueuedTogetherCommitOnce(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(4)) {
            AtomicInteger commits = new AtomicInteger();
            for (Future<Boolean> f : queuedBehindFirst(countingCommits(ds, commits), merchants(-1))) {
                assertTrue(f.get(20, TimeUnit.SECONDS));
            }
            assertEquals(THREADS, count(ds));
            assertEquals(2, commits.get(), "the first write's commit, then one for the eleven queued behind it");
        }
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void aFailingWriteFailsAloneAndTheOthersStillCommit(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(4)) {
            AtomicInteger commits = new AtomicInteger();
            List<Future<Boolean>> writes = queuedBehindFirst(countingCommits(ds, commits), merchants(5));
            for (int i = 0; i < writes.size(); i++) {
                Future<Boolean> f = writes.get(i);
                if (i == 5) {
                    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
                    assertTrue(e.getCause() instanceof SQLException, "the duplicate's own error: " + e.getCause());
                } else {
                    assertTrue(f.get(20, TimeUnit.SECONDS));
                }
            }
            assertEquals(THREADS - 1, count(ds), "every write but the duplicate is committed");
            // the first write's commit, then the eleven queued together: that transaction fails on the duplicate, so
            // each of its writes runs again alone (ten commits and the duplicate's rollback)
            assertEquals(1 + 10, commits.get());
        }
    }

    /** THREADS merchant ids, M00, M01, ...; at {@code duplicateAt} M00 again (a duplicate key). */
    private static List<String> merchants(int duplicateAt) {
        List<String> merchants = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            merchants.add(i == duplicateAt ? "M00" : "M%02d".formatted(i));
        }
        return merchants;
    }

    /**
     * One thread per merchant, each inserting a pause row through one {@link GroupCommit}: the first write holds its
     * transaction open until every other write is queued behind it. Returns each write's outcome, in order.
     */
    private static List<Future<Boolean>> queuedBehindFirst(DataSource ds, List<String> merchants) throws Exception {
        GroupCommit group = new GroupCommit(ds);
        CountDownLatch othersQueued = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(merchants.size());
        try {
            CountDownLatch firstRunning = new CountDownLatch(1);
            List<Future<Boolean>> writes = new ArrayList<>();
            writes.add(pool.submit(() -> group.run(c -> {
                firstRunning.countDown();
                await(othersQueued);
                return insert(c, merchants.get(0));
            })));
            assertTrue(firstRunning.await(20, TimeUnit.SECONDS));
            for (String merchant : merchants.subList(1, merchants.size())) {
                writes.add(pool.submit(() -> group.run(c -> insert(c, merchant))));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (group.queuedWrites() < merchants.size() - 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(merchants.size() - 1, group.queuedWrites(), "every other write waits behind the running commit");
            othersQueued.countDown();
            for (Future<Boolean> f : writes) {
                try {
                    f.get(20, TimeUnit.SECONDS);
                } catch (ExecutionException expectedForSome) {
                    // each test checks its writes' outcomes itself
                }
            }
            return writes;
        } finally {
            othersQueued.countDown();
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean insert(Connection c, String merchant) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ecpay_merchant_pause (merchant_id, paused_until, reason) VALUES (?, ?, 'test')")) {
            ps.setString(1, merchant);
            ps.setObject(2, LocalDateTime.of(2026, 1, 1, 0, 0));
            return ps.executeUpdate() == 1;
        }
    }

    private static int count(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT COUNT(*) FROM ecpay_merchant_pause")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The pool, with every commit() on its connections counted. */
    private static DataSource countingCommits(HikariDataSource ds, AtomicInteger commits) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = method.invoke(ds, args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection real = (Connection) result;
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("commit")) {
                                    commits.incrementAndGet();
                                }
                                try {
                                    return m.invoke(real, a);
                                } catch (java.lang.reflect.InvocationTargetException e) {
                                    throw e.getCause();
                                }
                            });
                });
    }
}
