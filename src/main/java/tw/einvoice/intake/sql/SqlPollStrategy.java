package tw.einvoice.intake.sql;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.RouteAware;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import tw.einvoice.intake.QuietPollErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poll strategy and exception handler of the SQL intake consumers: a poll that fails (the ERP table does not exist
 * yet, the database is down) is said in one line per change of state, then polls pause - from one poll interval,
 * twice as long each time, up to {@code retryMax} - and a good poll says that it works again. Camel's own "Failed
 * polling endpoint" WARN with its stack trace, once per poll, is kept out of the log; Camel's health check
 * {@code consumer:<route>} is DOWN meanwhile (a paused poll counts as a failed one).
 */
public class SqlPollStrategy extends QuietPollErrors implements PollingConsumerPollStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(SqlPollStrategy.class);

    public SqlPollStrategy() {
        // errors not said already are logged as Camel logs them for this consumer
        super(SqlPollStrategy.class);
    }

    /** Thrown instead of polling while a back-off runs: the poll counts as failed, nothing is logged. */
    public static final class Paused extends RuntimeException {
        Paused(String message) {
            super(message, null, false, false);
        }
    }

    private static final class State {
        String error;
        Throwable cause;
        Instant since;
        Instant next = Instant.MIN;
        long backoffMillis;
        long failures;
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private long pollMillis = 1000;
    private Duration retryMax = Duration.ofMinutes(1);

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        State s = states.get(key(consumer));
        if (s != null) {
            synchronized (s) {
                if (Instant.now().isBefore(s.next)) {
                    throw new Paused(s.error + " (paused until " + s.next + ")");
                }
            }
        }
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        State s = states.remove(key(consumer));
        if (s != null) {
            LOG.info("SQL intake route {} polls again ({} s after the first failure, {} failed polls)", key(consumer),
                    Duration.between(s.since, Instant.now()).toSeconds(), s.failures);
        }
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        if (cause instanceof Paused) {
            return false;
        }
        String route = key(consumer);
        State s = states.computeIfAbsent(route, k -> new State());
        synchronized (s) {
            String sentence = "SQL intake route " + route + " cannot poll its source: " + rootMessage(cause)
                    + " (does the table exist, is the database up? check the route's select SQL and intake.sql.datasource)";
            long max = Math.max(pollMillis, retryMax.toMillis());
            s.backoffMillis = s.backoffMillis == 0 ? pollMillis : Math.min(max, s.backoffMillis * 2);
            s.next = Instant.now().plusMillis(s.backoffMillis);
            s.failures++;
            s.cause = cause;
            if (s.since == null) {
                s.since = Instant.now();
            }
            if (!sentence.equals(s.error)) {
                LOG.error("{}; polling less and less often, at most every {}; health check consumer:{} is DOWN meanwhile.",
                        sentence, Duration.ofMillis(max), route);
            }
            s.error = sentence;
        }
        return false;
    }

    @Override
    protected boolean alreadySaid(Throwable exception) {
        if (exception instanceof Paused) {
            return true;
        }
        for (State s : states.values()) {
            if (s.cause == exception) {
                return true;
            }
        }
        return false;
    }

    private static String key(Consumer consumer) {
        if (consumer instanceof RouteAware aware && aware.getRoute() != null) {
            Route route = aware.getRoute();
            return route.getRouteId();
        }
        return String.valueOf(consumer.getEndpoint().getEndpointKey());
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = String.valueOf(root.getMessage()).strip();
        int nl = m.indexOf('\n');
        // H2 appends "; SQL statement:" and the statement on the next lines
        return (nl < 0 ? m : m.substring(0, nl).strip()).replaceFirst(";\\s*SQL statement:$", "");
    }

    /** The first pause after a failure (the routes' poll interval). */
    public void setPollMillis(long pollMillis) {
        this.pollMillis = Math.max(1, pollMillis);
    }

    /** The longest pause (ISO-8601, e.g. PT1M). */
    public void setRetryMax(String retryMax) {
        this.retryMax = Duration.parse(retryMax);
    }
}
