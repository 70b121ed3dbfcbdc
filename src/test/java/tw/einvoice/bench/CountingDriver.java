package tw.einvoice.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import tw.einvoice.journal.JournalDatabase;

/**
 * A JDBC driver for {@code jdbc:count:<real URL>} that hands out the real driver's connections wrapped so that every
 * statement and every call waiting for the database is counted, per SQL text. Loaded into the benchmark's main job
 * with {@code -Djdbc.drivers=tw.einvoice.bench.CountingDriver}; with {@code -Dbench.jdbc.counts=<file>} it writes its
 * counters to that file every 200 ms, for the benchmark to read from outside the process.
 * <p>
 * What is counted, per label (the SQL text with white space collapsed):
 * <ul>
 * <li>a statement executed: 1 statement, 1 round trip;</li>
 * <li>a batch of n statements ({@code executeBatch}): n statements, 1 round trip;</li>
 * <li>{@code setSavepoint}, {@code releaseSavepoint}, {@code rollback(savepoint)}: 1 statement, 1 round trip each
 *     (the drivers send SAVEPOINT / RELEASE SAVEPOINT / ROLLBACK TO SAVEPOINT);</li>
 * <li>{@code commit}, {@code rollback}: 1 round trip each, no statement;</li>
 * <li>{@code isValid} (the pool's check of an idle connection): 1 round trip.</li>
 * </ul>
 * and, apart, the updates ({@code executeUpdate}) that changed no row: a conditional UPDATE that lost or had nothing to do.
 * Not counted: what the pool sends when it opens a connection, and metadata queries (startup only). Rows of a result
 * are fetched with the statement (no fetch size is set in the product), so reading them is not counted apart. On the
 * embedded H2 journal a "round trip" is a call into the database engine in the same process, not a network exchange.
 */
public final class CountingDriver implements Driver {

    public static final String PREFIX = "jdbc:count:";
    public static final String COUNTS_FILE = "bench.jdbc.counts";

    private static final Map<String, LongAdder[]> COUNTS = new ConcurrentHashMap<>();
    /** Labels by SQL text: made once per distinct statement, so that counting costs the job next to nothing. */
    private static final Map<String, String> LABELS = new ConcurrentHashMap<>();

    static {
        try {
            DriverManager.registerDriver(new CountingDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
        String file = System.getProperty(COUNTS_FILE);
        if (file != null && !file.isBlank()) {
            Thread writer = new Thread(() -> writeEvery(Path.of(file), 200), "bench-jdbc-counts");
            writer.setDaemon(true);
            writer.start();
        }
    }

    /** Loads the class (and so registers the driver) in this JVM. */
    public static void register() {
        // the static block did it
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        // the URL the product would have used: an H2 file journal gets the same durability settings as without the prefix
        String real = JournalDatabase.durable("jdbc:" + url.substring(PREFIX.length()));
        Connection c = DriverManager.getDriver(real).connect(real, info);
        return c == null ? null : connection(c);
    }

    static Connection connection(Connection real) {
        return (Connection) Proxy.newProxyInstance(CountingDriver.class.getClassLoader(), new Class<?>[] {Connection.class},
                new Handler(real, null));
    }

    /** Counters so far: label -> {statements, round trips, updates that changed no row}. */
    public static Snapshot snapshot() {
        Map<String, long[]> out = new TreeMap<>();
        COUNTS.forEach((label, c) -> out.put(label, new long[] {c[0].sum(), c[1].sum(), c[2].sum()}));
        return new Snapshot(out);
    }

    public static void reset() {
        COUNTS.clear();
    }

    private static void count(String label, long statements, long roundTrips) {
        count(label, statements, roundTrips, 0);
    }

    private static void count(String label, long statements, long roundTrips, long noRow) {
        LongAdder[] c = COUNTS.computeIfAbsent(label, k -> new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()});
        c[0].add(statements);
        c[1].add(roundTrips);
        c[2].add(noRow);
    }

    static String label(String sql) {
        return sql == null ? "(no SQL)" : LABELS.computeIfAbsent(sql, q -> {
            String s = q.strip().replaceAll("\\s+", " ");
            return s.length() > 110 ? s.substring(0, 107) + "..." : s;
        });
    }

    private static void writeEvery(Path file, long ms) {
        Path part = file.resolveSibling(file.getFileName() + ".part");
        while (true) {
            try {
                Files.writeString(part, snapshot().format(), StandardCharsets.UTF_8);
                Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Thread.sleep(ms);
            } catch (IOException e) {
                System.err.println("bench: cannot write JDBC counts to " + file + ": " + e.getMessage());
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Wraps a connection or statement: counts what reaches the database, passes everything on. */
    private static final class Handler implements InvocationHandler {
        private final Object target;
        private final String sql; // a prepared statement's SQL
        private final String label;
        private final Map<String, Integer> batch = new LinkedHashMap<>();

        Handler(Object target, String sql) {
            this.target = target;
            this.sql = sql;
            this.label = sql == null ? null : label(sql);
        }

        @Override
        @SuppressWarnings("deprecation") // isAccessible: the cheap check before setAccessible
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            switch (name) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                default:
                    break;
            }
            Object result;
            try {
                if (!method.isAccessible()) {
                    method.setAccessible(true); // public JDBC interface methods: no access check on every call
                }
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (target instanceof Connection) {
                switch (name) {
                    case "commit" -> count("COMMIT", 0, 1);
                    case "rollback" -> count(args == null ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT", args == null ? 0 : 1, 1);
                    case "setSavepoint" -> count("SAVEPOINT", 1, 1);
                    case "releaseSavepoint" -> count("RELEASE SAVEPOINT", 1, 1);
                    case "isValid" -> count("isValid (pool check of an idle connection)", 0, 1);
                    default -> {
                        if (result instanceof Statement s) {
                            String prepared = args != null && args.length > 0 && args[0] instanceof String q ? q : null;
                            Class<?> type = s instanceof CallableStatement ? CallableStatement.class
                                    : s instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
                            return Proxy.newProxyInstance(CountingDriver.class.getClassLoader(), new Class<?>[] {type},
                                    new Handler(s, prepared));
                        }
                    }
                }
                return result;
            }
            switch (name) {
                case "addBatch" -> batch.merge(args != null && args.length == 1 && args[0] instanceof String q ? q : sql, 1, Integer::sum);
                case "clearBatch" -> batch.clear();
                case "executeBatch", "executeLargeBatch" -> {
                    for (Map.Entry<String, Integer> e : batch.entrySet()) {
                        count(label(e.getKey()), e.getValue(), 0);
                    }
                    count(label(batch.size() == 1 ? batch.keySet().iterator().next() : "(batch)"), 0, 1);
                    batch.clear();
                }
                case "execute", "executeQuery" -> count(args != null && args.length > 0 && args[0] instanceof String q ? label(q) : label, 1, 1);
                case "executeUpdate", "executeLargeUpdate" -> {
                    String l = args != null && args.length > 0 && args[0] instanceof String q ? label(q) : label;
                    count(l, 1, 1);
                    if (((Number) result).longValue() == 0) {
                        count(l, 0, 0, 1);
                    }
                }
                default -> {
                    // setters, getters, close: no database work of their own
                }
            }
            return result;
        }
    }

    /** Counters at one moment; {@link #minus} gives what happened between two. */
    public record Snapshot(Map<String, long[]> counts) {

        public long statements() {
            return counts.values().stream().mapToLong(c -> c[0]).sum();
        }

        public long roundTrips() {
            return counts.values().stream().mapToLong(c -> c[1]).sum();
        }

        /** UPDATE / DELETE statements that changed no row (a conditional update that lost, or found nothing to do). */
        public long noRowUpdates() {
            return counts.values().stream().mapToLong(c -> c[2]).sum();
        }

        public long commits() {
            long[] c = counts.get("COMMIT");
            return c == null ? 0 : c[1];
        }

        public Snapshot minus(Snapshot earlier) {
            Map<String, long[]> out = new TreeMap<>();
            counts.forEach((label, c) -> {
                long[] e = earlier.counts.getOrDefault(label, new long[3]);
                if (c[0] != e[0] || c[1] != e[1] || c[2] != e[2]) {
                    out.put(label, new long[] {c[0] - e[0], c[1] - e[1], c[2] - e[2]});
                }
            });
            return new Snapshot(out);
        }

        String format() {
            StringBuilder b = new StringBuilder();
            counts.forEach((label, c) -> b.append(c[0]).append('\t').append(c[1]).append('\t').append(c[2]).append('\t')
                    .append(label).append('\n'));
            return b.toString();
        }

        public static Snapshot read(Path file) {
            Map<String, long[]> out = new TreeMap<>();
            if (!Files.exists(file)) {
                return new Snapshot(out);
            }
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] p = line.split("\t", 4);
                    if (p.length == 4) {
                        out.put(p[3], new long[] {Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2])});
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Snapshot(out);
        }
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
