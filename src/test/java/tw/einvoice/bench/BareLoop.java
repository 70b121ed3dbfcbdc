package tw.einvoice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.protocol.EcpayCipher;
import tw.einvoice.protocol.Envelope;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;

/**
 * The floor the pipeline is compared with: {@code concurrency} threads, each in a loop doing only what one ECPay call
 * needs - build and encrypt the envelope ({@link Envelope}, {@link EcpayCipher}), POST it with {@code java.net.http},
 * parse the reply and decrypt its Data - B2CInvoice/Issue with a RelateNumber never used before. No journal, no
 * validation, no Camel. A reply that is not RtnCode 1 fails the run.
 */
public final class BareLoop {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Operation ISSUE = OperationCatalog.standard().get("B2CInvoice/Issue");

    /** Calls answered in the measured period, the rate, and the CPU the machine used meanwhile. */
    public record Result(long calls, double seconds, double rate, CpuMeter.Reading cpu) {
    }

    private BareLoop() {
    }

    /** Runs {@code warmUp} unmeasured, then {@code measure}; returns calls per second over the measured period. */
    public static Result run(String baseUrl, int concurrency, Duration warmUp, Duration measure, String tag) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create(baseUrl + ISSUE.path());
        Credentials credentials = Credentials.PUBLIC_STAGE;
        EcpayCipher cipher = new EcpayCipher(credentials);
        Envelope envelope = new Envelope(Clock.systemUTC());
        AtomicLong sequence = new AtomicLong();
        LongAdder measured = new LongAdder();
        long start = System.nanoTime();
        long measureFrom = start + warmUp.toNanos();
        long end = measureFrom + measure.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        CpuMeter.Reading cpu;
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < concurrency; t++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        ObjectNode data = (ObjectNode) JSON.readTree(Workload.issueData(tag + sequence.incrementAndGet()));
                        String body = envelope.request(credentials, ISSUE, data);
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        Envelope.Reply reply = Envelope.parseReply(response.body());
                        JsonNode answer = JSON.readTree(cipher.decrypt(reply.data().asText()));
                        if (reply.transCode() != 1 || answer.path("RtnCode").asInt() != 1) {
                            throw new IllegalStateException("bare loop: HTTP " + response.statusCode() + ", TransCode "
                                    + reply.transCode() + ", RtnCode " + answer.path("RtnCode") + " " + answer.path("RtnMsg"));
                        }
                        long now = System.nanoTime();
                        if (now >= measureFrom && now < end) {
                            measured.increment();
                        }
                    }
                    return null;
                }));
            }
            sleepUntil(measureFrom);
            CpuMeter.Reading cpuFrom = CpuMeter.read(null);
            sleepUntil(end);
            cpu = CpuMeter.read(null).minus(cpuFrom);
            for (Future<?> w : workers) {
                w.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = measure.toNanos() / 1e9;
        return new Result(measured.sum(), seconds, measured.sum() / seconds, cpu);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long left; (left = nanoTime - System.nanoTime()) > 0; ) {
            Thread.sleep(Math.max(1, left / 1_000_000));
        }
    }
}
