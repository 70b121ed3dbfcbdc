package tw.einvoice.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;
import tw.einvoice.camel.EcpayHeaders;
import tw.einvoice.journal.CommandState;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;

/**
 * The product's own Prometheus series, beside Camel's: ECPay calls and their latency, channel delivery failures and
 * rejected SQL rows counted from Camel's "exchange sent" events (what the routes already do, with the headers the
 * ECPay call route sets), and gauges read from the journal through {@link JournalFigures}. Names: docs/observability.md.
 */
public class EcpayMetrics extends EventNotifierSupport {

    static final String CALL_ENDPOINT = "direct://ecpay-call";
    static final String CALLBACK_ENDPOINT = "direct://ecpay-callback";

    private final CamelContext context;
    private final MeterRegistry registry;
    private final JournalFigures figures;
    private final AtomicLong sqlRejects = new AtomicLong();
    private Endpoint successChannel;
    private Endpoint deadLetterChannel;

    public EcpayMetrics(CamelContext context, MeterRegistry registry, JournalFigures figures) {
        this.context = context;
        this.registry = registry;
        this.figures = figures;
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        successChannel = channel("{{ecpay.channel.success}}");
        deadLetterChannel = channel("{{ecpay.channel.dead-letter}}");
        registerGauges();
    }

    private Endpoint channel(String placeholder) {
        try {
            return context.getEndpoint(context.resolvePropertyPlaceholders(placeholder));
        } catch (RuntimeException e) {
            return null; // not configured in this runtime: no failures of it to count
        }
    }

    private void registerGauges() {
        List<String> operations = OperationCatalog.standard().all().stream().map(Operation::name).sorted().toList();
        for (CommandState state : CommandState.values()) {
            for (String operation : operations) {
                gauge("ecpay.commands", "Commands in the journal by state and operation",
                        s -> s.commands(state.name(), operation), "state", state.name(), "operation", operation);
            }
        }
        Gauge.builder("ecpay.commands.oldest.due.age", figures, f -> f.current().oldestDueSeconds()).baseUnit("seconds")
                .description("How long the oldest due command (NEW, RETRY or UNKNOWN whose time has come) has waited")
                .register(registry);
        gauge("ecpay.merchants.paused", "Merchants paused after an HTTP 403 (every instance honours the pause)",
                s -> s.pausedMerchants().size());
        gauge("ecpay.channel.undelivered", "Final commands whose outcome channel has not taken their message yet",
                JournalFigures.Snapshot::undelivered);
        gauge("ecpay.journal.up", "1 when the journal answered the last reading of these figures, 0 when it did not",
                s -> s.error() == null ? 1 : 0);
        for (String source : List.of("file", "sftp", "sql")) {
            gauge("ecpay.intake.lines", "Intake lines (file, sftp: lines of the drops read; sql: rows journaled) by source",
                    s -> s.intakeLines().getOrDefault(source, 0L), "source", source);
        }
        for (String source : List.of("file", "sftp")) {
            gauge("ecpay.intake.rejects", "Intake lines rejected (not a valid command) by source",
                    s -> s.intakeRejects().getOrDefault(source, 0L), "source", source);
        }
        // rejected SQL rows are not kept in the journal (the ERP's table holds them): counted by this instance
        Gauge.builder("ecpay.intake.rejects", sqlRejects, AtomicLong::get).tag("source", "sql")
                .description("Intake lines rejected (not a valid command) by source").register(registry);
    }

    private void gauge(String name, String help, ToDoubleFunction<JournalFigures.Snapshot> value, String... tags) {
        Gauge.builder(name, figures, f -> value.applyAsDouble(f.current())).description(help).tags(tags).register(registry);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof ExchangeSentEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        ExchangeSentEvent sent = (ExchangeSentEvent) event;
        Exchange exchange = sent.getExchange();
        Endpoint endpoint = sent.getEndpoint();
        String operation = exchange.getMessage().getHeader(EcpayHeaders.OPERATION, String.class);
        if (CALL_ENDPOINT.equals(endpoint.getEndpointUri())) {
            String rtnCode = exchange.getMessage().getHeader(EcpayHeaders.RTN_CODE, String.class);
            Counter.builder("ecpay.calls").description("ECPay calls by operation, outcome and RtnCode")
                    .tag("operation", orNone(operation))
                    .tag("outcome", orNone(exchange.getMessage().getHeader(EcpayHeaders.OUTCOME, String.class)))
                    .tag("rtn_code", orNone(rtnCode))
                    .register(registry).increment();
        } else if (CALLBACK_ENDPOINT.equals(endpoint.getEndpointUri())) {
            Counter.builder("ecpay.callbacks")
                    .description("ECPay callbacks received by kind and whether their CheckMacValue verified")
                    .tag("kind", orNone(exchange.getMessage().getHeader(EcpayHeaders.CALLBACK_KIND, String.class)))
                    .tag("verified", String.valueOf(Boolean.TRUE.equals(
                            exchange.getMessage().getHeader(EcpayHeaders.CALLBACK_VERIFIED, Boolean.class))))
                    .register(registry).increment();
        } else if (operation != null && isHttp(endpoint)) {
            Timer.builder("ecpay.call.duration").description("ECPay HTTP round trip by operation (failed attempts included)")
                    .tag("operation", operation).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(5))
                    .maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry).record(sent.getTimeTaken(), TimeUnit.MILLISECONDS);
        } else if (exchange.getException() != null && (endpoint == successChannel || endpoint == deadLetterChannel)) {
            Counter.builder("ecpay.channel.failures").description("Outcome messages an outcome channel refused (sent again later)")
                    .tag("channel", endpoint == successChannel ? "success" : "dead-letter").register(registry).increment();
        } else if ("REJECTED".equals(exchange.getMessage().getHeader("EcpayIntakeResult", String.class))
                && !endpoint.getEndpointUri().startsWith("direct:")) {
            sqlRejects.incrementAndGet();
        }
    }

    private static boolean isHttp(Endpoint endpoint) {
        String scheme = endpoint.getEndpointUri().toLowerCase(Locale.ROOT);
        return scheme.startsWith("http:") || scheme.startsWith("https:");
    }

    private static String orNone(String value) {
        return value == null || value.isBlank() ? "none" : value;
    }
}
