package tw.einvoice.intake.sql;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import tw.einvoice.camel.EcpayHeaders;

/**
 * One running instance of the product as camel-main starts it: the shipped config/application.properties and the
 * shipped route files, with only addresses overridden. Counts what its SQL intake routes did with each row.
 */
final class Instance implements AutoCloseable {

    static final String ROUTES = "file:routes/beans.camel.yaml,file:routes/intake-sql.camel.yaml,"
            + "file:routes/intake-sql-mapped.camel.yaml";

    private final Main main = new Main();
    final Map<String, AtomicInteger> results = new ConcurrentHashMap<>();

    Instance(String name, String journalUrl, String user, Map<String, String> overrides) throws Exception {
        this(name, ROUTES, journalUrl, user, overrides);
    }

    Instance(String name, String routes, String journalUrl, String user, Map<String, String> overrides) throws Exception {
        main.setPropertyPlaceholderLocations("file:config/application.properties");
        main.addOverrideProperty("camel.main.name", name);
        main.addOverrideProperty("camel.main.routes-include-pattern", routes);
        main.addOverrideProperty("journal.url", journalUrl);
        main.addOverrideProperty("journal.user", user);
        main.addOverrideProperty("journal.password", "");
        main.addOverrideProperty("ecpay.channel.dead-letter", "mock:dead-letter");
        overrides.forEach(main::addOverrideProperty);
        main.start();
        EventNotifierSupport counter = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeCompletedEvent done) {
                    String r = done.getExchange().getMessage().getHeader(EcpayHeaders.INTAKE_RESULT, String.class);
                    if (r != null) {
                        results.computeIfAbsent(r, k -> new AtomicInteger()).incrementAndGet();
                    }
                }
            }
        };
        context().getManagementStrategy().addEventNotifier(counter);
        counter.start();
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    int count(SqlIntake.Result r) {
        AtomicInteger n = results.get(r.name());
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        main.stop();
    }
}
