package tw.einvoice.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.protocol.CrossRule;
import tw.einvoice.protocol.DataValidator;
import tw.einvoice.protocol.EcpayCipher;
import tw.einvoice.protocol.EcpayCipherException;
import tw.einvoice.protocol.Envelope;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.protocol.Violation;

/**
 * A local, stateful stand-in for ECPay's e-invoice API that speaks the exact wire protocol: it checks the envelope as
 * ECPay does (merchant, 10-minute Timestamp window, Data decryption), validates Data against the operation catalog,
 * keeps tracks, invoices and delayed stagings so that flows behave like ECPay, answers with .NET-style encoded Data,
 * and injects faults on demand (latency, HTTP 503/403, dropped connections, work done without a reply, transient
 * RtnCodes). Start it in a test on a free port, embed it as the main job's default target, or run {@link #main}.
 * With a state folder ({@link Builder#stateDir}) it keeps its tracks, invoices and stagings across restarts, as ECPay
 * does (see {@link SandboxStore}); without one it forgets everything when it stops.
 */
public final class EcpaySandbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EcpaySandbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The track every merchant starts with, enabled, so Issue works out of the box. */
    public static final String DEFAULT_TRACK_ID = "1000001";
    public static final String DEFAULT_TRACK_HEADER = "AB";
    public static final long DEFAULT_TRACK_START = 12_345_000L;
    /** The port the standalone sandbox listens on by default (the default {@code ecpay.base-url}). */
    public static final int DEFAULT_STANDALONE_PORT = 9580;
    /** The sandbox's own control: the buyer agrees to an online allowance (not an ECPay path). */
    public static final String AGREE_PATH = "/sandbox/allowance/agree";
    public static final String TIMESTAMP_MESSAGE = "Timestamp is over 10 minutes than it just produced.";

    static {
        // the JDK server writes headers and body separately: without TCP_NODELAY every reply waits ~40 ms for a delayed ACK
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final String host;
    private final int requestedPort;
    private final int threads;
    private final int maxBodyBytes;
    private final int trackSize;
    private final Duration timestampWindow;
    private final Path stateDir;
    private volatile SandboxStore store;
    private final OperationCatalog catalog = OperationCatalog.standard();
    private final Map<String, Credentials> merchants = new ConcurrentHashMap<>();
    private final Map<String, MerchantBook> books = new ConcurrentHashMap<>();
    private final List<ActiveFault> faults = new CopyOnWriteArrayList<>();
    private final Random random;
    private final SandboxLedger ledger = new SandboxLedger(this);
    private volatile Clock clock;
    private final CallbackPoster callbacks;

    private HttpServer server;
    private ThreadPoolExecutor executor;

    private record ActiveFault(FaultRule rule, AtomicInteger hits) {
    }

    private EcpaySandbox(Builder b) {
        this.host = b.host;
        this.requestedPort = b.port;
        this.threads = b.threads;
        this.maxBodyBytes = b.maxBodyBytes;
        this.trackSize = b.trackSize;
        this.timestampWindow = b.timestampWindow;
        this.stateDir = b.stateDir;
        this.clock = b.clock;
        this.random = new Random(b.seed);
        this.callbacks = new CallbackPoster(merchants::get, b.callbackRetry);
        (b.merchants.isEmpty() ? List.of(Credentials.PUBLIC_STAGE) : b.merchants).forEach(this::addMerchant);
        b.faults.forEach(this::addFault);
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------ configuration

    /** Builds a sandbox; every setting has a default, so {@code builder().build().start()} serves the stage merchant. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 0;
        private int threads = 32;
        private int maxBodyBytes = 1024 * 1024;
        private int trackSize = 10_000;
        private long seed = 20_260_815L;
        private Duration timestampWindow = Duration.ofMinutes(10);
        private Duration callbackRetry = Duration.ofSeconds(5);
        private Clock clock = Clock.systemUTC();
        private Path stateDir;
        private final List<Credentials> merchants = new ArrayList<>();
        private final List<FaultRule> faults = new ArrayList<>();

        /** The wait before a callback that was not answered 1|OK is sent again; doubled each time (default 5 s). */
        public Builder callbackRetry(Duration wait) {
            this.callbackRetry = wait;
            return this;
        }

        /** 0 (the default) takes a free port; read it back with {@link EcpaySandbox#port()}. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The address to listen on; default 127.0.0.1 (loopback only). {@code 0.0.0.0} serves other hosts too. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** A merchant the sandbox knows. Without any, it knows ECPay's public stage merchant 2000132. */
        public Builder merchant(Credentials credentials) {
            merchants.add(credentials);
            return this;
        }

        /** The sandbox's clock: checks Timestamps, dates invoices, decides when delayed invoices are due. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder fault(FaultRule rule) {
            faults.add(rule);
            return this;
        }

        /** Seed of the Random that decides fault rates and RandomNumbers: the same seed gives the same run. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Size of the bounded worker pool (default 32). */
        public Builder threads(int threads) {
            this.threads = Math.max(1, threads);
            return this;
        }

        /** How many numbers each merchant's default track holds (default 10,000); small values test exhaustion. */
        public Builder trackSize(int size) {
            this.trackSize = Math.max(0, size);
            return this;
        }

        public Builder maxBodyBytes(int bytes) {
            this.maxBodyBytes = bytes;
            return this;
        }

        public Builder timestampWindow(Duration window) {
            this.timestampWindow = window;
            return this;
        }

        /**
         * The folder the sandbox keeps its state in (created when missing): what it issued survives a restart, and a
         * kill loses nothing it answered. Null (the default): state in memory, gone when the sandbox stops.
         */
        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        public EcpaySandbox build() {
            return new EcpaySandbox(this);
        }

        /** Builds and starts. */
        public EcpaySandbox start() {
            return build().start();
        }
    }

    /**
     * A sandbox from properties (the standalone runner and the main job use this):
     * <pre>
     * sandbox.host = 127.0.0.1                      listen address
     * sandbox.port = 9580                           0 = a free port
     * sandbox.merchants = 2000132:ejCk326UnaZWKisg:q9jcZX8Ib9LM8wYk,3000001:KEY16...:IV16...   id:HashKey:HashIV[:PlatformID]
     * sandbox.seed = 20260815                       fault draws and RandomNumbers
     * sandbox.threads = 32                          worker pool size
     * sandbox.track-size = 10000                    numbers in each merchant's default track
     * sandbox.timestamp-window-seconds = 600
     * sandbox.state-dir = work/sandbox              where the state is kept across restarts; empty = in memory. Ignored
     *                                               with sandbox.port 0: a sandbox on a free port (tests) keeps it in memory
     * sandbox.fault.1.operation = B2CInvoice/Issue  (empty or * = every operation)
     * sandbox.fault.1.kind = work-done-hang         latency | http-503 | http-403 | drop | work-done-drop | work-done-hang | rtn-code
     * sandbox.fault.1.rate = 0.2                    0..1, default 1
     * sandbox.fault.1.latency-ms = 3000             latency: the delay; work-done-hang: how long the reply is held
     * sandbox.fault.1.rtn-code = 9999999            rtn-code: the RtnCode (default 9000001)
     * sandbox.fault.1.times = 1                     at most this many hits (0 = no limit)
     * </pre>
     */
    public static EcpaySandbox fromProperties(Properties p) {
        Builder b = builder();
        String v;
        if ((v = p.getProperty("sandbox.host")) != null && !v.isBlank()) {
            b.host(v.strip());
        }
        b.port(intProp(p, "sandbox.port", 0));
        b.threads(intProp(p, "sandbox.threads", 32));
        b.trackSize(intProp(p, "sandbox.track-size", 10_000));
        b.seed(Long.parseLong(p.getProperty("sandbox.seed", "20260815").strip()));
        b.timestampWindow(Duration.ofSeconds(intProp(p, "sandbox.timestamp-window-seconds", 600)));
        if ((v = p.getProperty("sandbox.state-dir")) != null && !v.isBlank()) {
            if (intProp(p, "sandbox.port", 0) == 0) {
                LOG.info("ECPay sandbox on a free port (sandbox.port 0): state kept in memory, sandbox.state-dir {} not used", v.strip());
            } else {
                b.stateDir(Path.of(v.strip()));
            }
        }
        if ((v = p.getProperty("sandbox.merchants")) != null && !v.isBlank()) {
            for (String spec : v.split(",")) {
                if (!spec.isBlank()) {
                    b.merchant(parseMerchant(spec));
                }
            }
        }
        Map<String, Map<String, String>> rules = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("sandbox.fault.")) {
                String rest = key.substring("sandbox.fault.".length());
                int dot = rest.indexOf('.');
                if (dot <= 0) {
                    throw new IllegalArgumentException(key + ": expected sandbox.fault.<n>.<key>");
                }
                rules.computeIfAbsent(rest.substring(0, dot), n -> new LinkedHashMap<>())
                        .put(rest.substring(dot + 1), p.getProperty(key).strip());
            }
        }
        rules.forEach((n, values) -> b.fault(FaultRule.fromMap(values, "sandbox.fault." + n)));
        return b.build();
    }

    /**
     * A sandbox for a YAML bean (the main job's embedded default target): {@code merchants} as in
     * {@code sandbox.merchants} (empty: the stage merchant), {@code faults} as {@code --fault} specs separated by
     * {@code ;} (empty: none). Not started: give the bean {@code initMethod: start} and {@code destroyMethod: close}.
     */
    public static EcpaySandbox embedded(String host, int port, String merchants, String faults) {
        Properties p = new Properties();
        p.setProperty("sandbox.host", host == null || host.isBlank() ? "127.0.0.1" : host);
        p.setProperty("sandbox.port", Integer.toString(port));
        p.setProperty("sandbox.merchants", merchants == null ? "" : merchants);
        EcpaySandbox sandbox = fromProperties(p);
        if (faults != null) {
            for (String spec : faults.split(";")) {
                if (!spec.isBlank()) {
                    sandbox.addFault(FaultRule.parse(spec));
                }
            }
        }
        return sandbox;
    }

    private static int intProp(Properties p, String key, int dflt) {
        String v = p.getProperty(key);
        try {
            return v == null || v.isBlank() ? dflt : Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
        }
    }

    /** {@code id:HashKey:HashIV[:PlatformID]}; the error never repeats the key or IV. */
    public static Credentials parseMerchant(String spec) {
        String[] parts = spec.strip().split(":", -1);
        if (parts.length < 3 || parts.length > 4) {
            throw new IllegalArgumentException("merchant '" + (parts.length > 0 ? parts[0] : "")
                    + ":...' must be id:HashKey:HashIV[:PlatformID]");
        }
        Credentials c = new Credentials(parts[0], parts[1], parts[2], parts.length == 4 ? parts[3] : "");
        new EcpayCipher(c); // checks both are 16 ASCII characters, without echoing them
        return c;
    }

    // ------------------------------------------------------------------------------------------ life cycle

    public synchronized EcpaySandbox start() {
        if (server != null) {
            return this;
        }
        openState();
        try {
            server = HttpServer.create(new InetSocketAddress(host, requestedPort), 256);
        } catch (IOException e) {
            closeState();
            throw new IllegalStateException("ECPay sandbox cannot listen on " + host + ":" + requestedPort + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        // bounded: a flood waits in the queue and then runs on the accepting thread instead of growing without limit
        executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024), r -> {
            Thread t = new Thread(r, "ecpay-sandbox-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        LOG.info("ECPay sandbox listening on {} (merchants {})", baseUrl(), merchants.keySet());
        return this;
    }

    public int port() {
        if (server == null) {
            throw new IllegalStateException("the sandbox is not started");
        }
        return server.getAddress().getPort();
    }

    /** e.g. {@code http://127.0.0.1:41234}: what {@code ecpay.base-url} should be. */
    public String baseUrl() {
        String h = host.equals("0.0.0.0") ? "127.0.0.1" : host;
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow(); // wakes requests held by latency or work-done-hang faults
            server = null;
        }
        callbacks.close();
        closeState();
    }

    // ------------------------------------------------------------------------------------------ state on disk

    /** Reads the state folder back (when there is one), then rewrites its file compact and records from there. */
    private void openState() {
        if (stateDir == null || store != null) {
            return;
        }
        SandboxStore opened = SandboxStore.open(stateDir, change -> bookOrNew(change.path("merchant").asText()).restore(change));
        try {
            opened.compact(books.values().stream().map(MerchantBook::snapshot).toList());
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        store = opened;
        long invoices = books.values().stream().mapToLong(b -> b.invoices().size()).sum();
        LOG.info("ECPay sandbox state in {}: {} invoices (delete the folder while the sandbox is stopped to start over)",
                stateDir, invoices);
    }

    private void closeState() {
        SandboxStore s = store;
        store = null;
        if (s != null) {
            s.close();
        }
    }

    /** Every change of every merchant's book passes here before its request is answered. */
    private void persist(com.fasterxml.jackson.databind.node.ObjectNode change) {
        SandboxStore s = store;
        if (s != null) {
            s.append(change);
        }
    }

    /** The folder the state is kept in, or null when it is kept in memory. */
    public Path stateDir() {
        return stateDir;
    }

    // ------------------------------------------------------------------------------------------ test controls

    public SandboxLedger ledger() {
        return ledger;
    }

    public EcpaySandbox addMerchant(Credentials credentials) {
        new EcpayCipher(credentials); // fail early on a malformed key
        merchants.put(credentials.merchantId(), credentials);
        MerchantBook book = bookOrNew(credentials.merchantId());
        if (trackSize > 0) {
            book.addTrackIfAbsent(DEFAULT_TRACK_ID, DEFAULT_TRACK_HEADER, DEFAULT_TRACK_START, DEFAULT_TRACK_START + trackSize - 1, 2,
                    clock.instant());
        }
        return this;
    }

    /** Adds (or replaces) a track: {@code header} two capital letters, numbers {@code start..end}, status 0/1/2. */
    public EcpaySandbox addTrack(String merchantId, String trackId, String header, long start, long end, int status) {
        MerchantBook book = book(merchantId);
        if (book == null) {
            throw new IllegalArgumentException("merchant " + merchantId + " is unknown to the sandbox");
        }
        book.addTrack(trackId, header, start, end, status, clock.instant());
        return this;
    }

    /**
     * The buyer agrees to an online allowance (AllowanceByCollegiate), as clicking ECPay's link does: it is issued and
     * GetAllowanceList shows it. False when the merchant has no such allowance waiting.
     */
    public boolean agreeOnlineAllowance(String merchantId, String allowanceNo) {
        MerchantBook book = book(merchantId);
        return book != null && book.agree(allowanceNo, clock.instant());
    }

    /** Every callback sent so far (DelayIssue's NotifyURL, AllowanceByCollegiate's ReturnURL), oldest first. */
    public List<SandboxCallback> callbacks() {
        return callbacks.sent();
    }

    public EcpaySandbox addFault(FaultRule rule) {
        faults.add(new ActiveFault(rule, new AtomicInteger()));
        return this;
    }

    public EcpaySandbox clearFaults() {
        faults.clear();
        return this;
    }

    /** Swaps the clock at run time, e.g. to skew it past the Timestamp window or to let delayed invoices fall due. */
    public EcpaySandbox setClock(Clock newClock) {
        this.clock = newClock;
        return this;
    }

    public Clock clock() {
        return clock;
    }

    MerchantBook book(String merchantId) {
        return merchantId == null ? null : books.get(merchantId.strip());
    }

    /** A merchant's book, created when missing (a state file may hold merchants no longer configured: kept, not served). */
    private MerchantBook bookOrNew(String merchantId) {
        return books.computeIfAbsent(merchantId.strip(), id -> new MerchantBook(id, ledger, this::random4, this::persist,
                callbacks));
    }

    private int random4() {
        synchronized (random) {
            return random.nextInt(10_000);
        }
    }

    private boolean draw(double rate) {
        if (rate >= 1) {
            return true;
        }
        synchronized (random) {
            return random.nextDouble() < rate;
        }
    }

    // ------------------------------------------------------------------------------------------ HTTP

    private void handle(HttpExchange exchange) {
        ledger.count("requests-total");
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path != null && path.startsWith("/print/") && "GET".equalsIgnoreCase(exchange.getRequestMethod())) {
                servePrintPage(exchange, path.substring("/print/".length()));
                return;
            }
            if (AGREE_PATH.equals(path) && "POST".equalsIgnoreCase(exchange.getRequestMethod())) {
                drain(exchange);
                agree(exchange);
                return;
            }
            Operation op = path == null ? null : catalog.find(path.replaceAll("/+$", ""));
            if (op == null) {
                drain(exchange);
                sendText(exchange, 404, "404 - File or directory not found: " + path);
                return;
            }
            ledger.count("requests:" + op.name().toLowerCase(java.util.Locale.ROOT));
            if (!"POST".equalsIgnoreCase(exchange.getRequestMethod())) {
                drain(exchange);
                exchange.getResponseHeaders().set("Allow", "POST");
                sendText(exchange, 405, "405 - HTTP verb used to access this page is not allowed: use POST with a JSON body");
                return;
            }
            byte[] body = readLimited(exchange.getRequestBody());
            if (body == null) {
                sendText(exchange, 413, "413 - Request entity too large: the limit is " + maxBodyBytes + " bytes");
                return;
            }
            List<FaultRule> fired = fire(op);
            FaultRule terminal = null;
            for (FaultRule rule : fired) {
                if (rule.kind() == FaultRule.Kind.LATENCY) {
                    Thread.sleep(rule.latencyMs());
                } else if (terminal == null) {
                    terminal = rule;
                }
            }
            if (terminal != null) {
                switch (terminal.kind()) {
                    case HTTP_503 -> {
                        sendText(exchange, 503, "503 Service Unavailable");
                        return;
                    }
                    case HTTP_403 -> {
                        sendText(exchange, 403, "403 - Forbidden: Access is denied.");
                        return;
                    }
                    case DROP -> {
                        return; // closing the exchange without a response drops the connection
                    }
                    default -> {
                        // applied below
                    }
                }
            }
            Reply reply = process(op, new String(body, StandardCharsets.UTF_8), terminal);
            if (terminal != null && terminal.kind() == FaultRule.Kind.WORK_DONE_DROP) {
                return;
            }
            if (terminal != null && terminal.kind() == FaultRule.Kind.WORK_DONE_HANG) {
                Thread.sleep(terminal.latencyMs());
                return;
            }
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(reply.status(), out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the sandbox is closing: the connection just drops
        } catch (IOException e) {
            LOG.debug("ECPay sandbox: client went away: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.error("ECPay sandbox: unexpected failure", e);
            try {
                sendText(exchange, 500, "500 - Internal server error");
            } catch (IOException | RuntimeException ignored) {
                // headers may already be out; the connection closes
            }
        }
    }

    /** The page InvoicePrint's InvoiceHtml links to: the invoice's number, date, random number and total. */
    private void servePrintPage(HttpExchange exchange, String invoiceNo) throws IOException {
        String page = books.values().stream().map(b -> b.printPage(invoiceNo)).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        if (page == null) {
            sendText(exchange, 404, "404 - no such invoice: " + invoiceNo);
            return;
        }
        byte[] out = page.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, out.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(out);
        }
    }

    private List<FaultRule> fire(Operation op) {
        List<FaultRule> fired = new ArrayList<>();
        boolean decided = false;
        for (ActiveFault f : faults) {
            FaultRule rule = f.rule();
            boolean latency = rule.kind() == FaultRule.Kind.LATENCY;
            // latencies add up; of the other rules only the first that fires applies, the rest are not even drawn
            if ((decided && !latency) || !rule.matches(op.name()) || !draw(rule.rate())) {
                continue;
            }
            if (rule.times() > 0 && f.hits().incrementAndGet() > rule.times()) {
                continue;
            }
            fired.add(rule);
            decided |= !latency;
            ledger.count("fault:" + rule.kind().name());
        }
        return fired;
    }

    private record Reply(int status, String body) {
    }

    /** Checks the envelope as ECPay does, then validates and runs the operation. */
    private Reply process(Operation op, String body, FaultRule fault) {
        Envelope.Request request;
        try {
            request = Envelope.parseRequest(body);
        } catch (Envelope.MalformedEnvelopeException e) {
            return envelopeError(400, "", "", 100, "Request is not a valid JSON envelope: " + e.getMessage());
        }
        Envelope envelope = new Envelope(clock);
        Credentials creds = merchants.get(request.merchantId().strip());
        if (creds == null) {
            return envelopeError(200, request.platformId(), request.merchantId(), 115,
                    "MerchantID " + request.merchantId() + " does not exist or has no e-invoice service.");
        }
        Instant now = clock.instant();
        if (request.timestamp() == null
                || Math.abs(now.getEpochSecond() - request.timestamp()) > timestampWindow.toSeconds()) {
            return envelopeError(200, request.platformId(), request.merchantId(), 104, TIMESTAMP_MESSAGE);
        }
        ObjectNode data;
        try {
            data = Envelope.parseObject(new EcpayCipher(creds).decrypt(request.data()), "Data");
        } catch (EcpayCipherException | IllegalArgumentException e) {
            return envelopeError(500, request.platformId(), request.merchantId(), 110, "Data decrypt failed.");
        }
        ObjectNode result = fault != null && fault.kind() == FaultRule.Kind.RTN_CODE
                ? MerchantBook.rtn(fault.rtnCode(), fault.rtnCode() == 9000001
                        ? "財政部大平台連線失敗，請稍後再試" : "系統忙碌中，請稍後再試")
                : run(op, creds, data, now);
        ledger.count("rtn:" + op.name().toLowerCase(java.util.Locale.ROOT) + ":" + result.path("RtnCode").asInt());
        ledger.count("trans:1");
        if (op.plainReply()) {
            // GetIssueList: ECPay answers its Data as a plain JSON object (paid-tw, live stage)
            return new Reply(200, liveShape(envelope.replyPlain(request.platformId(), creds.merchantId(), 1, "Success", result)));
        }
        String encrypted = DotNetDataCipher.encrypt(Envelope.toJson(result), creds);
        return new Reply(200, liveShape(envelope.reply(request.platformId(), creds.merchantId(), 1, "Success", encrypted)));
    }

    private ObjectNode run(Operation op, Credentials creds, ObjectNode data, Instant now) {
        JsonNode inner = data.get("MerchantID");
        if (inner != null && !inner.isNull() && !inner.asText().strip().equals(creds.merchantId())) {
            return MerchantBook.rtn(SandboxCodes.MERCHANT_MISMATCH,
                    "Data 內的 MerchantID (" + inner.asText() + ") 與 MerchantID (" + creds.merchantId() + ") 不一致");
        }
        MerchantBook book = books.get(creds.merchantId());
        // a B2B Issue is checked in its buyer's mode (RelateNumber 20 in exchange mode, 50 in certificate mode)
        Operation checked = op.isB2B() ? op.inMode(book.b2b(b -> b.modeOf(data))) : op;
        List<Violation> violations = DataValidator.validate(checked, data);
        if (!violations.isEmpty()) {
            return MerchantBook.rtn(codeFor(op, violations.get(0)), String.join("\r\n",
                    violations.stream().map(v -> v.field() + " " + v.message()).toList()));
        }
        if (op.isB2B()) {
            return runB2B(op.name().substring("B2BInvoice/".length()), book, data, now);
        }
        return switch (op.name()) {
            case "B2CInvoice/Issue" -> book.issue(data, now);
            case "B2CInvoice/DelayIssue" -> book.delayIssue(data, now);
            case "B2CInvoice/TriggerIssue" -> book.triggerIssue(data, now);
            case "B2CInvoice/CancelDelayIssue" -> book.cancelDelayIssue(data, now);
            case "B2CInvoice/Invalid" -> book.invalid(data, now);
            case "B2CInvoice/GetIssue" -> book.getIssue(data, now);
            case "B2CInvoice/GetInvalid" -> book.getInvalid(data, now);
            case "B2CInvoice/UpdateInvoiceWordStatus" -> book.updateInvoiceWordStatus(data);
            case "B2CInvoice/EditDelayIssue" -> book.editDelayIssue(data, now);
            case "B2CInvoice/VoidWithReIssue" -> book.voidWithReIssue(data, now);
            case "B2CInvoice/GetIssueList" -> book.issueList(data, now);
            case "B2CInvoice/InvoiceNotify" -> book.invoiceNotify(data);
            case "B2CInvoice/InvoicePrint" -> book.invoicePrint(data, server == null ? "" : baseUrl());
            case "B2CInvoice/Allowance" -> book.allowance(data, now, false);
            case "B2CInvoice/AllowanceByCollegiate" -> book.allowance(data, now, true);
            case "B2CInvoice/AllowanceInvalid" -> book.allowanceInvalid(data, now);
            case "B2CInvoice/AllowanceInvalidByCollegiate" -> book.allowanceCancel(data, now);
            case "B2CInvoice/GetAllowanceList" -> book.allowanceList(data, now);
            case "B2CInvoice/GetAllowanceInvalid" -> book.allowanceInvalidDetails(data);
            case "B2CInvoice/GetGovInvoiceWordSetting" -> book.govWordSetting(data, now);
            case "B2CInvoice/AddInvoiceWordSetting" -> book.addWordSetting(data, now);
            case "B2CInvoice/GetInvoiceWordSetting" -> book.wordSettings(data);
            case "B2CInvoice/CheckBarcode" -> SandboxDirectory.checkBarcode(data);
            case "B2CInvoice/CheckLoveCode" -> SandboxDirectory.checkLoveCode(data);
            case "B2CInvoice/GetCompanyNameByTaxID" -> SandboxDirectory.companyName(data);
            default -> MerchantBook.rtn(1, "成功"); // catalogued, no state of its own: valid is enough
        };
    }

    /** The B2B operations of both modes: the word settings share the merchant's tracks with B2C, the rest is its B2B book. */
    private ObjectNode runB2B(String name, MerchantBook book, ObjectNode data, Instant now) {
        return switch (name) {
            case "GetGovInvoiceWordSetting" -> book.govWordSetting(data, now);
            case "AddInvoiceWordSetting" -> book.addWordSetting(data, now);
            case "UpdateInvoiceWordStatus" -> book.updateInvoiceWordStatus(data);
            case "GetInvoiceWordSetting" -> book.wordSettings(data);
            case "MaintainMerchantCustomerData" -> book.b2b(b -> b.maintainCustomer(data));
            case "Issue" -> book.b2b(b -> b.issue(data, now));
            case "IssueConfirm", "Invalid", "InvalidConfirm", "Reject", "RejectConfirm" -> book.b2b(b -> b.invoiceStep(name, data, now));
            case "VoidWithReIssue" -> book.b2b(b -> b.voidWithReIssue(data, now));
            case "GetIssue", "GetIssueConfirm", "GetInvalid", "GetInvalidConfirm", "GetReject", "GetRejectConfirm" ->
                    book.b2b(b -> b.invoiceLookup(name, data));
            case "Allowance" -> book.b2b(b -> b.allowance(data, now));
            case "AllowanceConfirm", "CancelAllowance", "CancelAllowanceConfirm" -> book.b2b(b -> b.allowanceStep(name, data, now));
            case "GetAllowance", "GetAllowanceConfirm", "GetAllowanceInvalid", "GetAllowanceInvalidConfirm" ->
                    book.b2b(b -> b.allowanceLookup(name, data));
            case "Notify" -> book.b2b(b -> b.notify(data));
            case "InvoicePrint" -> book.b2b(b -> b.print(data, server == null ? "" : baseUrl()));
            default -> MerchantBook.rtn(1, "成功"); // catalogued, no state of its own: valid is enough
        };
    }

    /** ECPay's own RtnCode where the catalog knows it (5000022 amounts ...), else a stand-in per kind of rule. */
    private static int codeFor(Operation op, Violation v) {
        CrossRule rule = op.rule(v.rule());
        if (rule != null) {
            if (rule.ecpayCode() != null) {
                return rule.ecpayCode();
            }
            return !rule.require().isEmpty() ? SandboxCodes.REQUIRED
                    : !rule.match().isEmpty() ? SandboxCodes.FORMAT : SandboxCodes.VALUE_NOT_ALLOWED;
        }
        return switch (v.rule()) {
            case "required", "requiredWhen", "requireOneOf" -> SandboxCodes.REQUIRED;
            case "maxLength" -> SandboxCodes.TOO_LONG;
            case "allowed", "min", "max", "exclusiveMin", "minItems", "maxItems" -> SandboxCodes.VALUE_NOT_ALLOWED;
            default -> SandboxCodes.FORMAT;
        };
    }

    private Reply envelopeError(int status, String platformId, String merchantId, int transCode, String transMsg) {
        ledger.count("trans:" + transCode);
        return new Reply(status, liveShape(new Envelope(clock).reply(platformId, merchantId, transCode, transMsg, null)));
    }

    /** Live ECPay sends MerchantID and PlatformID as JSON numbers when they are numeric; so does the sandbox. */
    private static String liveShape(String replyJson) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(replyJson);
            for (String field : new String[] {"PlatformID", "MerchantID"}) {
                String text = root.path(field).asText("");
                if (text.matches("[0-9]{1,15}")) {
                    root.put(field, Long.parseLong(text));
                }
            }
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            return replyJson;
        }
    }

    private byte[] readLimited(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            if (out.size() + n > maxBodyBytes) {
                drainStream(in, 16L * maxBodyBytes);
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static void drain(HttpExchange exchange) throws IOException {
        drainStream(exchange.getRequestBody(), 1L << 20);
    }

    private static void drainStream(InputStream in, long limit) throws IOException {
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while (total < limit && (n = in.read(buf)) > 0) {
            total += n;
        }
    }

    /**
     * {@code POST /sandbox/allowance/agree?MerchantID=..&AllowanceNo=..}: the buyer agrees to an online allowance, as
     * {@link #agreeOnlineAllowance} (its ReturnURL is then called back). Not an ECPay path: the buyer's click at ECPay.
     */
    private void agree(HttpExchange exchange) throws IOException {
        Map<String, String> query = new java.util.HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                query.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String merchant = query.getOrDefault("MerchantID", "");
        String allowance = query.getOrDefault("AllowanceNo", "");
        if (agreeOnlineAllowance(merchant, allowance)) {
            sendText(exchange, 200, "agreed: " + allowance);
        } else {
            sendText(exchange, 404, "no online allowance " + allowance + " of merchant " + merchant + " waits for the buyer");
        }
    }

    private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        byte[] out = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if ("HEAD".equalsIgnoreCase(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1); // a HEAD reply has no body
            return;
        }
        exchange.sendResponseHeaders(status, out.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(out);
        }
    }

    // ------------------------------------------------------------------------------------------ standalone

    /**
     * Runs the sandbox until the process is stopped:
     * {@code java -cp target/classes:$(cat target/classpath.txt) tw.einvoice.sandbox.EcpaySandbox --port 9580
     * --merchant 2000132:ejCk326UnaZWKisg:q9jcZX8Ib9LM8wYk --fault operation=B2CInvoice/Issue,kind=http-503,rate=0.1}.
     * Options: {@code --host}, {@code --port}, {@code --merchant} (repeatable), {@code --fault} (repeatable),
     * {@code --seed}, {@code --track-size}, {@code --state-dir} (keep the state across restarts),
     * {@code --properties file} (sandbox.* keys; options win).
     */
    public static void main(String[] args) throws Exception {
        EcpaySandbox sandbox;
        try {
            sandbox = fromProperties(parseArgs(args)).start();
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("ECPay sandbox: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sandbox.close();
            stopped.countDown();
        }, "ecpay-sandbox-stop"));
        System.out.println("ECPay sandbox listening on " + sandbox.baseUrl() + " (merchants " + sandbox.merchants.keySet()
                + ", faults " + sandbox.faults.size() + "); stop with Ctrl+C");
        System.out.flush();
        stopped.await();
    }

    /** Options win over a {@code --properties} file, wherever it appears on the line. */
    static Properties parseArgs(String[] args) throws IOException {
        Properties p = new Properties();
        p.setProperty("sandbox.port", Integer.toString(DEFAULT_STANDALONE_PORT));
        List<String[]> options = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println("usage: EcpaySandbox [--host 127.0.0.1] [--port 9580] [--merchant id:HashKey:HashIV]... "
                        + "[--fault operation=B2CInvoice/Issue,kind=http-503,rate=0.1]... [--seed n] [--threads n] "
                        + "[--track-size n] [--state-dir work/sandbox] [--properties sandbox.properties]");
                System.exit(0);
            }
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                options.add(new String[] {arg.substring(0, eq), arg.substring(eq + 1)});
            } else if (i + 1 < args.length) {
                options.add(new String[] {arg, args[++i]});
            } else {
                throw new IllegalArgumentException(arg + " needs a value (try --help)");
            }
        }
        for (String[] o : options) {
            if (o[0].equals("--properties")) {
                try (var reader = Files.newBufferedReader(Path.of(o[1]), StandardCharsets.UTF_8)) {
                    p.load(reader);
                }
            }
        }
        List<String> merchantSpecs = new ArrayList<>();
        int faultNo = 1000;
        for (String[] o : options) {
            String value = o[1];
            switch (o[0]) {
                case "--properties" -> { }
                case "--host" -> p.setProperty("sandbox.host", value);
                case "--port" -> p.setProperty("sandbox.port", value);
                case "--seed" -> p.setProperty("sandbox.seed", value);
                case "--threads" -> p.setProperty("sandbox.threads", value);
                case "--track-size" -> p.setProperty("sandbox.track-size", value);
                case "--state-dir" -> p.setProperty("sandbox.state-dir", value);
                case "--merchant" -> merchantSpecs.add(value);
                case "--fault" -> {
                    FaultRule.parse(value); // report a bad rule now, naming the option
                    for (String part : value.split(",")) {
                        int e = part.indexOf('=');
                        if (e > 0) {
                            p.setProperty("sandbox.fault." + faultNo + "." + part.substring(0, e).strip().toLowerCase(java.util.Locale.ROOT),
                                    part.substring(e + 1).strip());
                        }
                    }
                    faultNo++;
                }
                default -> throw new IllegalArgumentException("unknown option " + o[0] + " (try --help)");
            }
        }
        if (!merchantSpecs.isEmpty()) {
            p.setProperty("sandbox.merchants", String.join(",", merchantSpecs));
        }
        return p;
    }

    @Override
    public String toString() {
        return "EcpaySandbox[" + (server == null ? "stopped" : baseUrl()) + ", merchants " + merchants.keySet() + "]";
    }
}
