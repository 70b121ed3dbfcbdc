package tw.einvoice.dispatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import tw.einvoice.camel.EcpayHeaders;
import tw.einvoice.dispatch.Dispatcher;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.Source;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.OperationCatalog;

/**
 * One dispatcher instance as the product runs it: Camel Main with the real config/application.properties and the real
 * YAML routes (beans, ecpay-call, dispatch); only addresses, paths and timings are overridden. It records every call
 * made through direct:ecpay-call (observation only) so tests can tell which instance sent what, and when.
 */
final class DispatchNode implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String ROUTES = "file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml,file:routes/dispatch.camel.yaml";

    /** One call to ECPay: command, node, operation, start and end (nanoTime). */
    record Send(String commandId, String node, String operation, long start, long end) {
    }

    private final Main main;
    private final String name;
    final ConcurrentLinkedQueue<Send> sends;
    /** claims given back unsent (checkLease): restored as they were, or already lost to an expiry */
    final AtomicInteger released;

    private DispatchNode(String name, Main main, ConcurrentLinkedQueue<Send> sends, AtomicInteger released) {
        this.name = name;
        this.main = main;
        this.sends = sends;
        this.released = released;
    }

    /** Test timings: fast polls, short backoff, a lease well above the HTTP response timeout. */
    static Map<String, String> fastSettings(String baseUrl, String journalUrl, String journalUser, Path outbox) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ecpay.base-url", baseUrl);
        p.put("journal.url", journalUrl);
        p.put("journal.user", journalUser);
        p.put("journal.password", "");
        p.put("ecpay.result-codes", "src/test/resources/dispatch/result-codes-fast.properties");
        p.put("ecpay.channel.success", "file:" + outbox.resolve("success") + "?tempPrefix=.writing-");
        p.put("ecpay.channel.dead-letter", "file:" + outbox.resolve("dead-letter") + "?tempPrefix=.writing-");
        p.put("ecpay.dispatch.poll-interval", "50");
        p.put("ecpay.dispatch.initial-delay", "0");
        p.put("ecpay.dispatch.lease", "PT5S");
        p.put("ecpay.dispatch.backoff-base", "20ms");
        p.put("ecpay.dispatch.backoff-cap", "200ms");
        p.put("ecpay.dispatch.unknown-delay", "50ms");
        p.put("camel.component.http.so-timeout", "1000");
        p.put("camel.component.http.response-timeout", "1000");
        p.put("camel.main.shutdown-timeout", "5");
        return p;
    }

    static DispatchNode start(String name, Map<String, String> overrides) throws Exception {
        return start(name, overrides, null);
    }

    /** Same, with test routes of its own (e.g. a channel endpoint that fails). */
    static DispatchNode start(String name, Map<String, String> overrides, org.apache.camel.RoutesBuilder extra)
            throws Exception {
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:config/application.properties");
        main.addOverrideProperty("camel.main.routes-include-pattern", ROUTES);
        main.addOverrideProperty("ecpay.dispatch.instance-id", name);
        overrides.forEach(main::addOverrideProperty);
        ConcurrentLinkedQueue<Send> sends = new ConcurrentLinkedQueue<>();
        AtomicInteger released = new AtomicInteger();
        main.configure().addRoutesBuilder(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                getContext().getManagementStrategy().addEventNotifier(new Recorder(name, sends, released));
            }
        });
        if (extra != null) {
            main.configure().addRoutesBuilder(extra);
        }
        main.start();
        return new DispatchNode(name, main, sends, released);
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    Journal journal() {
        return context().getRegistry().lookupByNameAndType("journal", Journal.class);
    }

    Dispatcher dispatcher() {
        return context().getRegistry().lookupByNameAndType("dispatcher", Dispatcher.class);
    }

    String name() {
        return name;
    }

    /** Stops at once: in-flight calls are abandoned as a crash would abandon them. */
    void crash() {
        context().getShutdownStrategy().setTimeout(1);
        context().getShutdownStrategy().setShutdownNowOnTimeout(true);
        main.stop();
    }

    @Override
    public void close() {
        main.stop();
    }

    // ---- commands used by the tests

    static String issueData(String relateNumber) {
        return """
            {"RelateNumber":"%s","CustomerEmail":"buyer@example.com","Print":"0","Donation":"0","TaxType":"1",
             "SalesAmount":100,"InvType":"07","vat":"1",
             "Items":[{"ItemSeq":1,"ItemName":"茶 葉","ItemCount":1,"ItemWord":"包","ItemPrice":100,"ItemTaxType":"1","ItemAmount":100}]}
            """.formatted(relateNumber);
    }

    static Command command(String id, String operation, String merchant, String data) {
        return Command.parse("{" + (id == null ? "" : "\"id\":\"" + id + "\",") + "\"operation\":\"" + operation
                + "\",\"merchantId\":\"" + merchant + "\",\"data\":" + data + "}", OperationCatalog.standard(), "2000132");
    }

    static Command issue(String relateNumber) {
        return command(null, "B2CInvoice/Issue", "2000132", issueData(relateNumber));
    }

    static Command delayIssue(String relateNumber, String tsr) {
        String data = issueData(relateNumber).replaceFirst("\\{",
                "{\"DelayFlag\":\"2\",\"DelayDay\":0,\"Tsr\":\"" + tsr + "\",\"PayType\":\"2\",\"PayAct\":\"ECPAY\",");
        return command(null, "B2CInvoice/DelayIssue", "2000132", data);
    }

    static Command trigger(String tsr) {
        return command(null, "B2CInvoice/TriggerIssue", "2000132", "{\"Tsr\":\"" + tsr + "\",\"PayType\":\"2\"}");
    }

    static void insertAll(Journal journal, List<Command> commands) {
        for (Command c : commands) {
            journal.insert(c, new Source("api", "test", c.id()));
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            Thread.sleep(25);
        }
    }

    /** Observes sends to direct:ecpay-call (start and end), and claims given back unsent; nothing else. */
    private static final class Recorder extends EventNotifierSupport {
        private final String node;
        private final ConcurrentLinkedQueue<Send> sends;
        private final AtomicInteger released;

        Recorder(String node, ConcurrentLinkedQueue<Send> sends, AtomicInteger released) {
            this.node = node;
            this.sends = sends;
            this.released = released;
        }

        @Override
        public boolean isEnabled(CamelEvent event) {
            return event instanceof CamelEvent.ExchangeSendingEvent || event instanceof CamelEvent.ExchangeSentEvent;
        }

        @Override
        public void notify(CamelEvent event) {
            if (event instanceof CamelEvent.ExchangeSendingEvent e && isCall(e.getEndpoint().getEndpointUri())) {
                e.getExchange().setProperty("testSendStart", System.nanoTime());
                e.getExchange().setProperty("testSendOperation",
                        e.getExchange().getMessage().getBody(Command.class).operation());
            } else if (event instanceof CamelEvent.ExchangeSentEvent e && isCall(e.getEndpoint().getEndpointUri())) {
                Long start = e.getExchange().getProperty("testSendStart", Long.class);
                sends.add(new Send(e.getExchange().getMessage().getHeader(EcpayHeaders.COMMAND_ID, String.class), node,
                        e.getExchange().getProperty("testSendOperation", String.class),
                        start == null ? 0 : start, System.nanoTime()));
            } else if (event instanceof CamelEvent.ExchangeSentEvent e && e.getEndpoint().getEndpointUri().startsWith("direct://ecpay-dispatch-one")
                    && "RELEASED".equals(e.getExchange().getMessage().getHeader(EcpayHeaders.STATE, String.class))) {
                released.incrementAndGet();
            }
        }

        private static boolean isCall(String uri) {
            return uri.startsWith("direct://ecpay-call");
        }
    }
}
