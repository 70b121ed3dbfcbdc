package tw.einvoice.camel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import tw.einvoice.protocol.CallResult;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.protocol.EcpayCipher;
import tw.einvoice.protocol.EcpayCipherException;
import tw.einvoice.protocol.Envelope;
import tw.einvoice.protocol.InvalidCommandException;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.protocol.Outcome;
import tw.einvoice.protocol.ResultClassifier;
import tw.einvoice.protocol.ResultTable;

/**
 * The Camel side of one ECPay call, used by the {@code ecpay-call} route: {@link #prepare} turns the command in the
 * body into a freshly time-stamped encrypted request; {@link #interpret} turns the HTTP reply (or the failure) into
 * {@link EcpayHeaders} and the decrypted reply Data as the body.
 */
public class EcpayClient implements CamelContextAware {

    private static final String PROP_COMMAND = "EcpayCommand";
    /** Exchange property set once a request is ready to go out: from then on a failure may follow a processed request. */
    public static final String PROP_REQUEST_SENT = "EcpayRequestSent";

    private CamelContext camelContext;
    private String merchantId = Credentials.PUBLIC_STAGE.merchantId();
    private String hashKey = Credentials.PUBLIC_STAGE.hashKey();
    private String hashIv = Credentials.PUBLIC_STAGE.hashIv();
    private String platformId = "";
    private String resultCodes = "";
    private Clock clock = Clock.systemUTC();

    private final OperationCatalog catalog = OperationCatalog.standard();
    private final Map<String, Credentials> credentials = new ConcurrentHashMap<>();
    private volatile ResultClassifier classifier;

    /** Prepares the HTTP request. The body is a command as JSON text or a {@link Command}. */
    public void prepare(Exchange exchange) throws org.apache.camel.InvalidPayloadException {
        Message in = exchange.getMessage();
        Command command = in.getBody() instanceof Command c ? c
                : Command.parse(in.getMandatoryBody(String.class), catalog, merchantId);
        Operation op = catalog.get(command.operation());
        if (op.noResendKey() && Boolean.TRUE.equals(in.getHeader(EcpayHeaders.MAYBE_SENT_BEFORE, Boolean.class))) {
            // an Allowance sent twice is two allowances: never re-sent by itself (the dispatcher records it DEAD)
            throw new InvalidCommandException(command.id(), java.util.List.of(new tw.einvoice.protocol.Violation(op.name(),
                    "id", "noResendKey", "an earlier attempt may have reached ECPay; " + ResultClassifier.notResent(op))));
        }
        Credentials creds = credentialsFor(command.merchantId());
        exchange.setProperty(PROP_COMMAND, command);
        // only what ECPay needs goes out: no file, SQL or caller headers
        in.removeHeaders("*", "Ecpay*");
        in.setHeader(EcpayHeaders.OPERATION, op.name());
        in.setHeader(EcpayHeaders.COMMAND_ID, command.id());
        in.setHeader(EcpayHeaders.MERCHANT_ID, command.merchantId());
        // the HTTP component's own enum: as text it would be converted, through a type-converter search, on every call
        in.setHeader(Exchange.HTTP_METHOD, org.apache.camel.component.http.HttpMethods.POST);
        in.setHeader(Exchange.HTTP_PATH, op.path());
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        in.setBody(new Envelope(clock).request(creds, op, command.data()));
        exchange.setProperty(PROP_REQUEST_SENT, true);
    }

    /** Reads the reply or failure of the HTTP step and classifies it. */
    public void interpret(Exchange exchange) {
        Message in = exchange.getMessage();
        Command command = exchange.getProperty(PROP_COMMAND, Command.class);
        Operation op = catalog.get(command.operation());
        boolean maybeSentBefore = Boolean.TRUE.equals(in.getHeader(EcpayHeaders.MAYBE_SENT_BEFORE, Boolean.class));
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure == null) {
            failure = exchange.getException();
        }
        exchange.setException(null);
        exchange.removeProperty(Exchange.EXCEPTION_CAUGHT);

        CallResult result;
        JsonNode replyData = null;
        if (failure != null) {
            result = CallResult.failed(failure);
        } else {
            int status = in.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
            String body = in.getBody(String.class);
            Envelope.Reply reply;
            try {
                reply = Envelope.parseReply(body);
            } catch (Envelope.MalformedEnvelopeException e) {
                reply = null;
            }
            if (reply == null || reply.transCode() == null) {
                result = new CallResult(null, status, null, null, null, null);
            } else if (reply.transCode() != 1) {
                result = new CallResult(null, status, reply.transCode(), reply.transMsg(), null, null);
            } else {
                try {
                    replyData = decryptData(op, reply.data(), credentialsFor(command.merchantId()));
                    result = new CallResult(null, status, 1, reply.transMsg(),
                            replyData.hasNonNull("RtnCode") ? replyData.get("RtnCode").asInt() : null,
                            replyData.path("RtnMsg").asText(""));
                } catch (EcpayCipherException | Envelope.MalformedEnvelopeException e) {
                    result = new CallResult(null, status, 1, reply.transMsg(), null, "reply Data unreadable: " + e.getMessage());
                }
            }
        }
        Outcome outcome = classifier().classify(op, result, maybeSentBefore);
        in.removeHeaders("*", "Ecpay*");
        in.setHeader(EcpayHeaders.OUTCOME, outcome.verdict().name());
        in.setHeader(EcpayHeaders.REASON, outcome.reason());
        in.setHeader(EcpayHeaders.RETRY_AFTER, outcome.retryAfter().toSeconds());
        in.setHeader(EcpayHeaders.PAUSE_MERCHANT, outcome.pauseMerchant());
        in.setHeader(EcpayHeaders.ALERT, outcome.alert());
        in.setHeader(EcpayHeaders.HTTP_STATUS, result.httpStatus());
        in.setHeader(EcpayHeaders.TRANS_CODE, result.transCode());
        in.setHeader(EcpayHeaders.TRANS_MSG, result.transMsg());
        in.setHeader(EcpayHeaders.RTN_CODE, result.rtnCode());
        in.setHeader(EcpayHeaders.RTN_MSG, result.rtnMsg());
        in.setBody(replyData == null ? null : Envelope.toJson(replyData));
    }

    private JsonNode decryptData(Operation op, JsonNode data, Credentials creds) {
        if (data == null) {
            throw new EcpayCipherException(EcpayCipherException.Reason.EMPTY, "Data is null");
        }
        if (data.isObject()) {
            // GetIssueList answers Data as a plain object (paid-tw, live stage); any other operation's Data is encrypted
            if (op.plainReply()) {
                return data;
            }
            throw new Envelope.MalformedEnvelopeException("reply Data is a plain object, but " + op.name() + " answers encrypted Data");
        }
        String text = data.asText();
        if (op.plainReply() && text.strip().startsWith("{")) {
            return Envelope.parseObject(text, "reply Data");
        }
        // encrypted, as every other operation answers (and as GetIssueList's page says it does)
        return Envelope.parseObject(new EcpayCipher(creds).decrypt(text), "reply Data");
    }

    /** The default merchant's credentials, or those configured as {@code ecpay.merchant.<id>.hash-key / hash-iv}. */
    public Credentials credentialsFor(String merchant) {
        String id = merchant == null || merchant.isBlank() ? merchantId : merchant.strip();
        return credentials.computeIfAbsent(id, key -> {
            if (key.equals(merchantId)) {
                return new Credentials(merchantId, hashKey, hashIv, platformId);
            }
            String prefix = "ecpay.merchant." + key + ".";
            String key16 = property(prefix + "hash-key");
            String iv16 = property(prefix + "hash-iv");
            if (key16 == null || iv16 == null) {
                throw new InvalidCommandException(null, java.util.List.of(new tw.einvoice.protocol.Violation("", "merchantId",
                        "credentials", "is '" + key + "', a merchant with no credentials: set " + prefix + "hash-key and "
                        + prefix + "hash-iv (or the default ecpay.merchant-id)")));
            }
            String platform = property(prefix + "platform-id");
            return new Credentials(key, key16, iv16, platform == null ? platformId : platform);
        });
    }

    /** The merchants configured: the default one and each {@code ecpay.merchant.<id>.hash-key}. */
    public java.util.Set<String> merchants() {
        return tw.einvoice.observe.MerchantsPausedHealthCheck.configuredMerchants(camelContext);
    }

    private String property(String key) {
        return camelContext == null ? null : camelContext.getPropertiesComponent().resolveProperty(key).orElse(null);
    }

    private ResultClassifier classifier() {
        ResultClassifier c = classifier;
        if (c == null) {
            c = new ResultClassifier(loadTable());
            classifier = c;
        }
        return c;
    }

    private ResultTable loadTable() {
        ResultTable table = ResultTable.defaults();
        if (resultCodes == null || resultCodes.isBlank()) {
            return table;
        }
        Path path = Path.of(resultCodes.strip());
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("ecpay.result-codes points to " + path.toAbsolutePath() + ", which is not a readable file");
        }
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return table.withOverrides(reader, path.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read ecpay.result-codes file " + path + ": " + e.getMessage(), e);
        }
    }


    public OperationCatalog getCatalog() {
        return catalog;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    public String getMerchantId() {
        return merchantId;
    }

    public void setMerchantId(String merchantId) {
        this.merchantId = merchantId.strip();
        credentials.clear();
    }

    public void setHashKey(String hashKey) {
        this.hashKey = hashKey;
        credentials.clear();
    }

    public void setHashIv(String hashIv) {
        this.hashIv = hashIv;
        credentials.clear();
    }

    public void setPlatformId(String platformId) {
        this.platformId = platformId == null ? "" : platformId;
        credentials.clear();
    }

    public void setResultCodes(String resultCodes) {
        this.resultCodes = resultCodes;
        classifier = null;
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String toString() {
        return "EcpayClient[merchantId=" + merchantId + ", hashKey=****, hashIv=****]";
    }
}
