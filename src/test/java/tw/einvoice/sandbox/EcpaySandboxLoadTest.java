package tw.einvoice.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tw.einvoice.protocol.Credentials;

/** 64 clients at once: every request answered, every invoice number unique, every contested RelateNumber issued once. */
class EcpaySandboxLoadTest {

    static final int CLIENTS = 64;
    static final int OWN_PER_CLIENT = 8;
    static final int SHARED = 16;

    @Test
    void sixtyFourClientsInParallel() throws Exception {
        try (EcpaySandbox sandbox = EcpaySandbox.builder().threads(16)
                .fault(FaultRule.always("B2CInvoice/GetIssue", FaultRule.Kind.HTTP_503).withRate(0.2)).start()) {
            Set<String> numbers = ConcurrentHashMap.newKeySet();
            AtomicInteger issued = new AtomicInteger();
            AtomicInteger duplicates = new AtomicInteger();
            AtomicInteger unavailable = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> clients = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                clients.add(pool.submit(() -> {
                    SandboxClient client = new SandboxClient(sandbox.baseUrl());
                    go.await();
                    for (int i = 0; i < OWN_PER_CLIENT + SHARED; i++) {
                        // every client races every other for the shared RelateNumbers
                        String relate = i < SHARED ? "Shared" + i : "C" + id + "N" + i;
                        SandboxClient.Result r = client.call("B2CInvoice/Issue", SandboxClient.issueData(relate));
                        if (r.rtnCode() == 1) {
                            issued.incrementAndGet();
                            assertTrue(numbers.add(r.get("InvoiceNo")), "invoice number given twice: " + r.get("InvoiceNo"));
                        } else {
                            assertEquals(5070357, r.rtnCode(), r.rtnMsg());
                            duplicates.incrementAndGet();
                        }
                        SandboxClient.Result q = client.call("B2CInvoice/GetIssue", "{\"RelateNumber\":\"" + relate + "\"}");
                        if (q.status() == 503) {
                            unavailable.incrementAndGet();
                        } else {
                            assertEquals(1, q.rtnCode(), q.rtnMsg());
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : clients) {
                f.get();
            }
            pool.shutdown();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            int expected = CLIENTS * OWN_PER_CLIENT + SHARED;
            assertEquals(expected, issued.get());
            assertEquals(expected, numbers.size());
            assertEquals(expected, sandbox.ledger().totalIssued());
            assertEquals(CLIENTS * SHARED - SHARED, duplicates.get());
            for (int i = 0; i < SHARED; i++) {
                assertEquals(1, sandbox.ledger().issuedCount(Credentials.PUBLIC_STAGE.merchantId(), "shared" + i));
            }
            long requests = 2L * CLIENTS * (OWN_PER_CLIENT + SHARED);
            assertEquals(requests, sandbox.ledger().totalRequests());
            assertTrue(unavailable.get() > 0 && unavailable.get() < requests / 2, "about 20% of queries: " + unavailable.get());
            System.out.printf("sandbox load: %d requests from %d clients in %d ms%n", requests, CLIENTS, took.toMillis());
        }
    }
}
