package tw.einvoice.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.util.TimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tw.einvoice.camel.EcpayClient;
import tw.einvoice.camel.EcpayHeaders;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.Evidence;
import tw.einvoice.protocol.LookupComparison;
import tw.einvoice.protocol.InvalidCommandException;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.protocol.SafeText;
import tw.einvoice.protocol.Verdict;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.Claim;
import tw.einvoice.journal.CommandState;
import tw.einvoice.journal.CommandRow;
import tw.einvoice.journal.Completion;
import tw.einvoice.journal.AttemptAudit;

/**
 * The dispatcher's steps, used by {@code routes/dispatch.camel.yaml}: claim due commands, turn a claim into an ECPay
 * call, adopt the earlier result after an "already done" answer, and record the outcome in the journal (releasing the
 * claim in the same UPDATE). The exchange then carries header {@value #EcpayHeaders.STATE} and, for SUCCEEDED and DEAD, the
 * channel message ({@link ChannelOutbox#publish}) with a file-safe {@code CamelFileName}.
 */
public class Dispatcher {

    static final String PROP_CLAIM = "EcpayClaim";
    static final String PROP_FIRST_CALL = "EcpayFirstCall";
    static final String PROP_EVIDENCE = "EcpayEvidence";
    static final String PROP_STARTED_AT = "EcpayAttemptStartedAt";
    static final String PROP_STARTED_NANOS = "EcpayAttemptStartedNanos";
    static final String PROP_LOOKUP = "EcpayLookupOperation";
    /** The Data a lookup is built from and compared with: this command's, or (adoptWith.via) the journaled one's. */
    static final String PROP_LOOKUP_DATA = "EcpayLookupData";
    /** The command kept aside while its lookup-first query is made. */
    static final String PROP_COMMAND = "EcpayDispatchedCommand";

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** Log context of the command being dispatched (shown by config/logback.xml on every line logged meanwhile). */
    static final List<String> MDC_KEYS = List.of("commandId", "operation", "merchant", "attempt");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Query replies name the invoice differently from Issue: copied under Issue's names so results read the same. */

    private final Journal journal;
    private final OperationCatalog catalog = OperationCatalog.standard();
    private String instanceId = defaultInstanceId();
    private int batchSize = 50;
    /** Claims this instance may take before some of those it holds are finished (see {@link #claim}). */
    private volatile Semaphore slots = new Semaphore(batchSize);
    private Duration lease = Duration.ofMinutes(2);
    private Duration pause = Duration.ofMinutes(30);
    private int maxAttempts = RetryPolicy.DEFAULT.maxAttempts();
    private Duration backoffBase = RetryPolicy.DEFAULT.backoffBase();
    private Duration backoffCap = RetryPolicy.DEFAULT.backoffCap();
    private Duration unknownDelay = RetryPolicy.DEFAULT.unknownDelay();
    private volatile RetryPolicy policy = RetryPolicy.DEFAULT;
    /** Pauses this instance recorded: the rest of a batch already claimed is given back instead of hitting 403 again. */
    private final Map<String, LocalDateTime> pausedHere = new java.util.concurrent.ConcurrentHashMap<>();

    public Dispatcher(Journal journal) {
        this.journal = journal;
    }

    /**
     * Expired claims become UNKNOWN; then due commands are claimed for this instance, as many as there are free slots.
     * This instance holds at most batch-size claims (queued or in a call): a round waits until half of them are free
     * again, so the senders always have claims queued while the next round is claimed, and each round is worth its
     * candidate queries. Header {@value EcpayHeaders#BATCH_FULL}: every free slot was filled, so more may be due now.
     */
    public List<Claim> claim(Exchange exchange) throws InterruptedException {
        int wanted = (batchSize + 1) / 2;
        Semaphore free = slots;
        while (!free.tryAcquire(wanted, 200, TimeUnit.MILLISECONDS)) {
            if (!exchange.getContext().getStatus().isStarted()) {
                break;
            }
        }
        if (!exchange.getContext().getStatus().isStarted()) {
            // stopping: take nothing new; what is claimed already finishes or its lease expires
            free.release(wanted);
            exchange.getMessage().setHeader(EcpayHeaders.BATCH_FULL, false);
            return List.of();
        }
        int asked = wanted + free.drainPermits();
        List<Claim> claims = List.of();
        try {
            int expired = journal.expireClaims(policy.unknownDelay());
            if (expired > 0) {
                LOG.warn("{} claim(s) expired without an outcome: marked UNKNOWN, to be reconciled", expired);
            }
            claims = journal.claimDue(instanceId, asked, lease);
        } finally {
            free.release(asked - claims.size());
        }
        exchange.getMessage().setHeader(EcpayHeaders.BATCH_FULL, claims.size() >= asked);
        return claims;
    }

    /** The claim's slot (taken by {@link #claim}) is free again once this exchange is done, however it ends. */
    public void freeSlotWhenDone(Exchange exchange) {
        Semaphore free = slots;
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                free.release();
            }
        });
    }

    /** Body: a {@link Claim}. Becomes the command for {@code direct:ecpay-call}. */
    public void prepareCall(Exchange exchange) {
        Message in = exchange.getMessage();
        Claim claim = in.getBody(Claim.class);
        exchange.setProperty(PROP_CLAIM, claim);
        logContext(exchange, claim);
        exchange.removeProperty(PROP_FIRST_CALL);
        exchange.removeProperty(PROP_EVIDENCE);
        exchange.removeProperty(PROP_LOOKUP);
        exchange.removeProperty(PROP_LOOKUP_DATA);
        exchange.removeProperty(PROP_COMMAND);
        exchange.setProperty(PROP_STARTED_AT, Journal.utc(journal.clock().instant()));
        exchange.setProperty(PROP_STARTED_NANOS, System.nanoTime());
        in.removeHeaders("*");
        in.setHeader(EcpayHeaders.COMMAND_ID, claim.id());
        in.setHeader(EcpayHeaders.MERCHANT_ID, claim.merchantId());
        in.setHeader(EcpayHeaders.MAYBE_SENT_BEFORE, claim.maybeSentBefore());
        in.setBody(new Command(claim.id(), claim.operation(), claim.merchantId(), data(claim)));
    }

    /**
     * Last step before the request goes out. A claim that waited in the queue (or the rate limit) for more than half
     * its lease is given back unsent: its lease could run out mid-call and another instance would then send it too.
     * So is one whose merchant this instance paused after it was claimed (HTTP 403 earlier in the same batch).
     */
    public void checkLease(Exchange exchange) {
        exchange.getMessage().removeHeader(EcpayHeaders.STATE);
        Claim claim = exchange.getProperty(PROP_CLAIM, Claim.class);
        LocalDateTime now = Journal.utc(journal.clock().instant());
        LocalDateTime pausedUntil = pausedHere.get(claim.merchantId());
        boolean paused = pausedUntil != null && pausedUntil.isAfter(now);
        if (paused || now.plus(lease.dividedBy(2)).isAfter(claim.expiresAt())) {
            boolean released = journal.release(claim);
            LOG.info("{} {}; claim {} unsent", SafeText.log(claim.id()), paused ? "belongs to a paused merchant" : "waited too long for its turn",
                    released ? "given back" : "already lost");
            // the route stops on this header (dispatch.camel.yaml)
            exchange.getMessage().setHeader(EcpayHeaders.STATE, "RELEASED");
        }
    }

    /** True when the answer was "already done" and the operation names a query that fetches the earlier result. */
    public boolean adoptionNeeded(Exchange exchange) {
        Claim claim = exchange.getProperty(PROP_CLAIM, Claim.class);
        Operation op = catalog.find(claim.operation());
        return Verdict.ALREADY_DONE.name().equals(exchange.getMessage().getHeader(EcpayHeaders.OUTCOME, String.class))
                && op != null && op.adoptWith() != null;
    }

    /** Keeps the first call's answer aside and makes the adopting query (e.g. GetIssue by RelateNumber) the body. */
    public void prepareAdoption(Exchange exchange) {
        Message in = exchange.getMessage();
        Claim claim = exchange.getProperty(PROP_CLAIM, Claim.class);
        Operation.Adopt adopt = catalog.get(claim.operation()).adoptWith();
        exchange.setProperty(PROP_FIRST_CALL, Map.copyOf(in.getHeaders().entrySet().stream()
                .filter(e -> e.getKey().startsWith("Ecpay") && e.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
        ObjectNode about = data(claim);
        if (adopt.via() != null) {
            about = KeyHolder.data(journal, adopt, claim, exchange);
            if (about == null) {
                return; // DEAD, the reason naming the check to make (the route makes no lookup)
            }
        }
        exchange.setProperty(PROP_LOOKUP_DATA, about);
        // the catalog builds the query: fixed values, renamed and nested fields, dates cut to what the lookup takes
        ObjectNode query = catalog.lookupQuery(catalog.get(claim.operation()), about, claim.merchantId());
        in.setHeader(EcpayHeaders.MAYBE_SENT_BEFORE, false);
        exchange.setProperty(PROP_LOOKUP, adopt.operation());
        in.setBody(new Command(claim.id(), adopt.operation(), claim.merchantId(), query));
    }

    /**
     * The query's answer. ECPay shows what it holds under the key: compared with this command
     * ({@link LookupComparison}), the same content is adopted (SUCCEEDED with the invoice number, evidence LOOKUP, or
     * LOOKUP_WITHOUT_RECORD when no earlier attempt of ours is on record); other content is a dead letter naming the
     * invoice that holds the key and what differs. A failed lookup decides nothing: retried later.
     */
    public void adopted(Exchange exchange) {
        Message in = exchange.getMessage();
        Claim claim = exchange.getProperty(PROP_CLAIM, Claim.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> first = exchange.getProperty(PROP_FIRST_CALL, Map.class);
        String verdict = in.getHeader(EcpayHeaders.OUTCOME, String.class);
        String queryReason = in.getHeader(EcpayHeaders.REASON, String.class);
        Operation.Adopt adoptWith = catalog.get(claim.operation()).adoptWith();
        boolean nothing = catalog.get(adoptWith.operation()).notFoundCodes().contains(in.getHeader(EcpayHeaders.RTN_CODE, Integer.class));
        if (adoptWith.via() != null && (nothing || adoptWith.absent() && Verdict.SUCCESS.name().equals(verdict))) {
            KeyHolder.concluded(exchange, claim, adoptWith, nothing, first);
        } else if (Verdict.SUCCESS.name().equals(verdict) && in.getBody(String.class) != null) {
            ObjectNode reply = (ObjectNode) parse(in.getBody(String.class));
            Operation op = catalog.get(claim.operation());
            Operation.Adopt adopt = op.adoptWith();
            // the entry that agrees with the command (a lookup may answer a list, or one object under RtnData)
            ObjectNode about = exchange.getProperty(PROP_LOOKUP_DATA, ObjectNode.class);
            JsonNode matched = LookupComparison.match(adopt, about, reply);
            List<String> differences = matched != null ? List.of() : LookupComparison.differences(adopt, about, reply);
            ObjectNode result = matched instanceof ObjectNode entry ? entry.deepCopy() : reply;
            adopt.names().forEach((from, to) -> {
                if (result.hasNonNull(from) && !result.hasNonNull(to)) {
                    result.set(to, result.get(from));
                }
            });
            String key = String.join("/", op.businessKey()) + " " + op.businessKey().stream()
                    .map(f -> data(claim).path(f).asText("")).collect(java.util.stream.Collectors.joining("/"));
            String invoice = java.util.stream.Stream.of("InvoiceNo", "InvoiceNumber", "AllowanceNo")
                    .map(f -> result.path(f).asText("")).filter(v -> !v.isEmpty()).findFirst().orElse("");
            if (invoice.isEmpty() && adopt.within() != null) {
                invoice = "an entry";
            }
            in.removeHeaders("Ecpay*");
            in.setHeaders(new java.util.HashMap<>(first));
            if (differences.isEmpty()) {
                Evidence evidence = claim.maybeSentBefore() ? Evidence.LOOKUP : Evidence.LOOKUP_WITHOUT_RECORD;
                in.setHeader(EcpayHeaders.EVIDENCE, evidence.name());
                in.setHeader(EcpayHeaders.REASON, first.get(EcpayHeaders.REASON) + "; adopted the earlier result: " + invoice
                        + (evidence == Evidence.LOOKUP_WITHOUT_RECORD
                                ? " (same content; no earlier attempt of this command is on record: check where it came from)" : ""));
                if (evidence == Evidence.LOOKUP_WITHOUT_RECORD) {
                    LOG.warn("{}: {} already holds {} at ECPay with the same content and no earlier attempt is on record; adopted",
                            SafeText.log(claim.id()), SafeText.log(key), invoice);
                }
            } else {
                in.setHeader(EcpayHeaders.OUTCOME, Verdict.DEAD.name());
                in.setHeader(EcpayHeaders.REASON, key + " already holds invoice " + invoice + " at ECPay with other content ("
                        + String.join("; ", differences) + "): not this command's; check the order, or send it under a new key");
            }
            in.setBody(tw.einvoice.protocol.Envelope.toJson(result));
        } else {
            in.setHeader(EcpayHeaders.OUTCOME, Verdict.RETRY.name());
            in.setHeader(EcpayHeaders.REASON, "ECPay answered that the key is taken (" + first.get(EcpayHeaders.REASON)
                    + "), but looking up what it holds failed: " + queryReason);
            in.setHeader(EcpayHeaders.PAUSE_MERCHANT, Boolean.TRUE.equals(in.getHeader(EcpayHeaders.PAUSE_MERCHANT)));
            in.setBody(null);
        }
    }

    /**
     * True when this attempt follows one that may have reached ECPay and the operation is looked up before it is sent
     * again ({@code lookupFirst}: ECPay publishes no "already done" answer for it).
     */
    public boolean lookupFirstNeeded(Exchange exchange) {
        Claim claim = exchange.getProperty(PROP_CLAIM, Claim.class);
        Operation op = catalog.find(claim.operation());
        return claim.maybeSentBefore() && op != null && op.lookupFirst();
    }

    /** Keeps the command aside and makes the catalog's lookup (B2B GetIssueConfirm by InvoiceNumber ...) the body. */
    public void prepareLookupFirst(Exchange exchange) {
        Message in = exchange.getMessage();
        Claim claim = exchange.getProperty(PROP_CLAIM, Claim.class);
        Operation op = catalog.get(claim.operation());
        exchange.setProperty(PROP_COMMAND, in.getBody(Command.class));
        exchange.setProperty(PROP_LOOKUP, op.adoptWith().operation());
        in.setHeader(EcpayHeaders.MAYBE_SENT_BEFORE, false);
        in.setBody(new Command(claim.id(), op.adoptWith().operation(), claim.merchantId(),
                catalog.lookupQuery(op, data(claim), claim.merchantId())));
    }

    /**
     * The lookup-first answer. Shows the change: SUCCEEDED on that evidence (LOOKUP), not sent again. ECPay answers that
     * it holds no such change: the command goes out (the route sends it). A failed lookup decides nothing: RETRY, still
     * {@code maybe_sent}, and the lookup comes first again.
     */
    public void lookedUpFirst(Exchange exchange) {
        Message in = exchange.getMessage();
        Claim claim = exchange.getProperty(PROP_CLAIM, Claim.class);
        Operation op = catalog.get(claim.operation());
        String verdict = in.getHeader(EcpayHeaders.OUTCOME, String.class);
        String lookup = op.adoptWith().operation();
        // nothing of this command went out in this attempt yet: a failure from here on is no ambiguous attempt
        exchange.removeProperty(EcpayClient.PROP_REQUEST_SENT);
        JsonNode matched = Verdict.SUCCESS.name().equals(verdict) && in.getBody(String.class) != null
                ? LookupComparison.match(op.adoptWith(), data(claim), parse(in.getBody(String.class))) : null;
        if (matched != null) {
            in.setHeader(EcpayHeaders.OUTCOME, Verdict.ALREADY_DONE.name());
            in.setHeader(EcpayHeaders.EVIDENCE, Evidence.LOOKUP.name());
            in.setHeader(EcpayHeaders.REASON, "an earlier attempt did it: " + lookup + " shows it done; not sent again");
            in.setBody(tw.einvoice.protocol.Envelope.toJson(matched));
        } else if (Verdict.SUCCESS.name().equals(verdict)
                || Verdict.DEAD.name().equals(verdict) && in.getHeader(EcpayHeaders.RTN_CODE) != null) {
            // ECPay answered what it holds, and this change is not among it: it is sent (again)
            LOG.info("{}: {} shows it not done ({}); sending it", SafeText.log(claim.id()), lookup,
                    SafeText.log(in.getHeader(EcpayHeaders.REASON, String.class)));
            in.removeHeaders("Ecpay*");
            in.setHeader(EcpayHeaders.COMMAND_ID, claim.id());
            in.setHeader(EcpayHeaders.MERCHANT_ID, claim.merchantId());
            in.setHeader(EcpayHeaders.MAYBE_SENT_BEFORE, true);
            in.setBody(exchange.getProperty(PROP_COMMAND, Command.class));
        } else {
            in.setHeader(EcpayHeaders.OUTCOME, Verdict.RETRY.name());
            in.setHeader(EcpayHeaders.REASON, "an earlier attempt may have reached ECPay, and looking up whether it did the change failed ("
                    + lookup + ": " + in.getHeader(EcpayHeaders.REASON, String.class) + "): not sent again until a lookup answers");
            in.setBody(null);
        }
    }

    /** Records the ECPay call's outcome (headers from {@code direct:ecpay-call}) and releases the claim. */
    public void complete(Exchange exchange) {
        CallAnswer answer = CallAnswer.of(exchange.getMessage());
        String evidence = exchange.getMessage().getHeader(EcpayHeaders.EVIDENCE, String.class);
        exchange.setProperty(PROP_EVIDENCE, evidence != null ? Evidence.valueOf(evidence)
                : answer.verdict() == Verdict.SUCCESS ? Evidence.REPLY
                : answer.verdict() == Verdict.ALREADY_DONE ? Evidence.ALREADY_DONE_ANSWER : null);
        record(exchange, answer);
    }

    /**
     * A step failed with an exception. A command that cannot be built (no credentials for its merchant) is dead;
     * anything else is retried with backoff. The claim is released either way, so one bad command neither stops the
     * batch nor stays stuck; should even this fail, the claim expires and the command is reconciled.
     */
    public void failed(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        exchange.setException(null);
        if (exchange.getProperty(PROP_CLAIM) == null) {
            exchange.setProperty(PROP_CLAIM, exchange.getMessage().getBody(Claim.class));
            logContext(exchange, exchange.getProperty(PROP_CLAIM, Claim.class));
        }
        boolean invalid = error instanceof InvalidCommandException;
        // once a request went out, ECPay may have done the work (and the reply is lost): reconcile, never plain retry
        boolean mayHaveReachedEcpay = Boolean.TRUE.equals(exchange.getProperty(EcpayClient.PROP_REQUEST_SENT, Boolean.class));
        String why = error == null ? "unknown error" : error.getClass().getSimpleName() + ": " + error.getMessage();
        LOG.warn("dispatching {} failed: {}", SafeText.log(exchange.getProperty(PROP_CLAIM, Claim.class).id()), SafeText.log(why));
        Verdict verdict = mayHaveReachedEcpay ? Verdict.UNKNOWN : invalid ? Verdict.DEAD : Verdict.RETRY;
        record(exchange, CallAnswer.failure(verdict, (verdict == Verdict.DEAD ? "cannot be sent: " : "dispatcher error: ") + why));
    }

    private void record(Exchange exchange, CallAnswer answer) {
        Claim claim = exchange.getProperty(PROP_CLAIM, Claim.class);
        LocalDateTime now = Journal.utc(journal.clock().instant());
        RetryPolicy.Decision d = policy.decide(claim, answer.verdict(), answer.reason(), answer.retryAfter(), now, ThreadLocalRandom.current()::nextDouble);
        Completion done = new Completion(d.state(), d.nextAttemptAt(), d.maybeSent(), d.reason(), answer.httpStatus(),
                answer.transCode(), answer.rtnCode(), answer.rtnMsg(), answer.reply(), answer.verdict(),
                d.state() == CommandState.SUCCEEDED ? exchange.getProperty(PROP_EVIDENCE, Evidence.class) : null);
        if (answer.pauseMerchant()) {
            // paused before the row is released, so no instance sees the command due while its merchant is not paused
            Duration length = answer.retryAfter().compareTo(pause) > 0 ? answer.retryAfter() : pause;
            journal.pauseMerchant(claim.merchantId(), now.plus(length), answer.reason());
            pausedHere.put(claim.merchantId(), now.plus(length));
            LOG.warn("merchant {} paused until {} UTC for every instance: {}", SafeText.log(claim.merchantId()), now.plus(length),
                    SafeText.log(answer.reason()));
        }
        boolean kept = journal.complete(claim, done, audit(exchange, claim), now);
        Message in = exchange.getMessage();
        if (!kept) {
            LOG.warn("claim on {} (attempt {}) was lost before its outcome {} was recorded; the journal's state stands",
                    SafeText.log(claim.id()), claim.attempt(), answer.verdict());
            in.setHeader(EcpayHeaders.STATE, "LOST");
            return;
        }
        in.setHeader(EcpayHeaders.STATE, d.state().name());
        if (d.state().isFinal()) {
            // the row as just recorded, exactly as a later re-publish builds it from the journal (ChannelOutbox)
            CommandRow row = Journal.completedRow(claim, done, now);
            ChannelOutbox.publish(in, row != null ? row : journal.find(claim.id()));
        }
    }

    /** The audit of this attempt: started in {@link #prepareCall}, a hash of the Data once a request was built. */
    private AttemptAudit audit(Exchange exchange, Claim claim) {
        Long startedNanos = exchange.getProperty(PROP_STARTED_NANOS, Long.class);
        String hash = null;
        if (Boolean.TRUE.equals(exchange.getProperty(EcpayClient.PROP_REQUEST_SENT, Boolean.class))) {
            try {
                hash = sha256(tw.einvoice.protocol.Envelope.toJson(tw.einvoice.protocol.Envelope.dataAsSent(data(claim),
                        claim.merchantId())));
            } catch (InvalidCommandException e) {
                hash = null; // nothing could be built from it, so nothing was sent
            }
        }
        return new AttemptAudit(claim.owner(), exchange.getProperty(PROP_STARTED_AT, LocalDateTime.class),
                startedNanos == null ? 0 : (System.nanoTime() - startedNanos) / 1_000_000, hash,
                exchange.getProperty(PROP_LOOKUP, String.class));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Names the command on every log line of this thread (the call, the completion, the channel) until its exchange is
     * done; pool threads are reused, so the keys are removed then rather than left for the next command.
     */
    private static void logContext(Exchange exchange, Claim claim) {
        MDC.put("commandId", SafeText.log(claim.id()));
        MDC.put("operation", SafeText.log(claim.operation()));
        MDC.put("merchant", SafeText.log(claim.merchantId()));
        MDC.put("attempt", Integer.toString(claim.attempt()));
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                MDC_KEYS.forEach(MDC::remove);
            }
        });
    }

    /**
     * A file name for a command id: ids hold '/', ':' and any other character, so everything but letters, digits,
     * '.', '_' and '-' becomes '_', and a short hash of the id keeps ids that map to the same text apart.
     */
    public static String fileName(String id) {
        String safe = id.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^\\.+", "_");
        if (safe.length() > 80) {
            safe = safe.substring(0, 80);
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return safe + "-" + HexFormat.of().formatHex(hash, 0, 5) + ".json";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode data(Claim claim) {
        JsonNode node = parse(claim.payload());
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidCommandException(claim.id(), List.of(new tw.einvoice.protocol.Violation(claim.operation(), "data",
                    "json", "the journaled payload is not a JSON object")));
        }
        return object;
    }

    /** JSON text as a tree; text that is not JSON as a text node (a reply or payload is shown, never dropped). */
    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }

    static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "host";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void rebuildPolicy() {
        policy = new RetryPolicy(maxAttempts, backoffBase, backoffCap, unknownDelay);
    }

    static Duration duration(String text) {
        String t = text.strip();
        return t.startsWith("P") || t.startsWith("p") ? Duration.parse(t) : Duration.ofMillis(TimeUtils.toMilliSeconds(t));
    }

    public Journal getJournal() {
        return journal;
    }

    public String getInstanceId() {
        return instanceId;
    }

    /** This instance's name in claim_owner; empty: host name and a random suffix (unique per start). */
    public void setInstanceId(String instanceId) {
        this.instanceId = instanceId == null || instanceId.isBlank() ? defaultInstanceId() : instanceId.strip();
    }

    public void setBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("ecpay.dispatch.batch-size must be at least 1, not " + batchSize);
        }
        this.batchSize = batchSize;
        this.slots = new Semaphore(batchSize);
    }

    public void setLease(String lease) {
        this.lease = duration(lease);
    }

    public void setPause(String pause) {
        this.pause = duration(pause);
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
        rebuildPolicy();
    }

    public void setBackoffBase(String backoffBase) {
        this.backoffBase = duration(backoffBase);
        rebuildPolicy();
    }

    public void setBackoffCap(String backoffCap) {
        this.backoffCap = duration(backoffCap);
        rebuildPolicy();
    }

    public void setUnknownDelay(String unknownDelay) {
        this.unknownDelay = duration(unknownDelay);
        rebuildPolicy();
    }

    public RetryPolicy getPolicy() {
        return policy;
    }
}
