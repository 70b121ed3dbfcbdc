package tw.einvoice.sandbox;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.einvoice.protocol.CheckMacValue;
import tw.einvoice.protocol.Credentials;

/**
 * Sends the sandbox's callbacks as ECPay does: a form POST (application/x-www-form-urlencoded) signed with an MD5
 * CheckMacValue, off the request that caused it, sent again while the receiver does not answer exactly {@code 1|OK}
 * (ECPay retries too; the sandbox gives up after a few attempts). Each callback and its fate is kept for tests.
 */
final class CallbackPoster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackPoster.class);
    static final int ATTEMPTS = 4;

    private final Function<String, Credentials> credentials;
    private final Duration firstRetry;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Made on the first callback and again after {@link #close()}: a sandbox can be stopped and started again. */
    private ScheduledExecutorService scheduler;
    private final List<SandboxCallback> sent = new CopyOnWriteArrayList<>();

    CallbackPoster(Function<String, Credentials> credentials, Duration firstRetry) {
        this.credentials = credentials;
        this.firstRetry = firstRetry;
    }

    /** Signs the fields with the merchant's keys and posts them to the URL, now and again after failures. */
    void post(String merchantId, String kind, String url, Map<String, String> fields) {
        Credentials creds = credentials.apply(merchantId);
        if (creds == null) {
            return; // a book restored from a state file for a merchant no longer configured: nothing to sign with
        }
        Map<String, String> form = new LinkedHashMap<>(fields);
        form.put(CheckMacValue.FIELD, CheckMacValue.invoice(creds).compute(fields));
        SandboxCallback callback = new SandboxCallback(merchantId, kind, url, Map.copyOf(form));
        sent.add(callback);
        scheduler().execute(() -> attempt(callback, 1));
    }

    private void attempt(SandboxCallback callback, int attempt) {
        String body = callback.form().entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        String answer;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(callback.url()))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            answer = response.statusCode() + " " + response.body();
            if (response.statusCode() == 200 && "1|OK".equals(response.body())) {
                callback.answered(attempt, answer, true);
                return;
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            answer = e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        boolean last = attempt >= ATTEMPTS;
        callback.answered(attempt, answer, false);
        LOG.info("sandbox {} callback to {} attempt {} got {}{}", callback.kind(), callback.url(), attempt, answer,
                last ? ": given up" : ": sent again later");
        if (!last) {
            try {
                scheduler().schedule(() -> attempt(callback, attempt + 1), firstRetry.toMillis() << (attempt - 1),
                        TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the sandbox is closing: dropped, as a callback ECPay gave up on
            }
        }
    }

    List<SandboxCallback> sent() {
        return List.copyOf(sent);
    }

    private synchronized ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ecpay-sandbox-callbacks");
                t.setDaemon(true);
                return t;
            });
        }
        return scheduler;
    }

    /** Stops sending: callbacks not answered yet are dropped, as when ECPay gives up. */
    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
