package tw.einvoice.journal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Small writes handed in by concurrent threads at about the same time share one transaction and one commit, and each
 * write still returns only once the commit holding it is done.
 *
 * <p>Why: a commit is the expensive part of a small write. H2 (WRITE_DELAY=0) writes a chunk of every changed page to its
 * file per commit; PostgreSQL and MariaDB wait for their log flush. With eight senders recording outcomes one commit
 * each, those commits were most of the journal's cost per command.
 *
 * <p>How, with no thread of its own: a writer queues its write and takes the lock; whoever holds it runs every write
 * queued by then (its own and those of the threads waiting behind it) in one transaction. A thread whose write was
 * committed meanwhile finds it done and returns. If the shared transaction fails, each of its writes is run again in a
 * transaction of its own, so one bad write fails alone and the others still commit.
 */
final class GroupCommit {

    /** One write on the shared connection, inside the shared transaction. Run again (alone) if the group fails. */
    @FunctionalInterface
    interface Write<T> {
        T apply(Connection c) throws SQLException;
    }

    /** A transaction grows no larger than this: the rest waits for the next commit. */
    static final int MAX_WRITES = 256;

    private static final class Pending<T> {
        final Write<T> write;
        T result;
        Exception failure;
        boolean done;

        Pending(Write<T> write) {
            this.write = write;
        }

        void run(Connection c) throws SQLException {
            result = write.apply(c);
        }
    }

    private final DataSource dataSource;
    private final ConcurrentLinkedQueue<Pending<?>> queued = new ConcurrentLinkedQueue<>();
    private final ReentrantLock committing = new ReentrantLock();

    GroupCommit(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs {@code write} in a transaction, maybe shared with others, and returns its result once that is committed. */
    <T> T run(Write<T> write) throws SQLException {
        Pending<T> mine = new Pending<>(write);
        queued.add(mine);
        committing.lock();
        try {
            // fields of a pending write are set under the lock, so holding it now makes them visible here
            while (!mine.done) {
                commit(drain());
            }
        } finally {
            committing.unlock();
        }
        if (mine.failure instanceof SQLException e) {
            throw e;
        }
        if (mine.failure instanceof RuntimeException e) {
            throw e;
        }
        return mine.result;
    }

    /** Writes waiting for a commit to take them (for tests). */
    int queuedWrites() {
        return queued.size();
    }

    private List<Pending<?>> drain() {
        List<Pending<?>> batch = new ArrayList<>();
        for (Pending<?> p; batch.size() < MAX_WRITES && (p = queued.poll()) != null; ) {
            batch.add(p);
        }
        return batch;
    }

    private void commit(List<Pending<?>> batch) {
        try {
            commitOrFail(batch);
        } finally {
            // whatever happened (even an Error), no write of this batch is left waiting: its owner is no longer queued
            for (Pending<?> p : batch) {
                if (!p.done) {
                    p.failure = new IllegalStateException("the shared commit ended without recording this write");
                    p.done = true;
                }
            }
        }
    }

    private void commitOrFail(List<Pending<?>> batch) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try {
                    for (Pending<?> p : batch) {
                        p.run(c);
                    }
                    c.commit();
                    batch.forEach(p -> p.done = true);
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    if (batch.size() == 1) {
                        fail(batch, e);
                    } else {
                        batch.forEach(p -> alone(c, p));
                    }
                }
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            // no connection, or it broke: every write not committed yet fails with it
            fail(batch.stream().filter(p -> !p.done).toList(), e);
        }
    }

    private static void alone(Connection c, Pending<?> p) {
        try {
            try {
                p.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                p.failure = e;
            }
        } catch (SQLException e) {
            p.failure = e;
        }
        p.done = true;
    }

    private static void fail(List<Pending<?>> batch, Exception e) {
        for (Pending<?> p : batch) {
            p.failure = e;
            p.done = true;
        }
    }
}
