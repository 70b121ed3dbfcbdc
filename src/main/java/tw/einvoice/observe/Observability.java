package tw.einvoice.observe;

import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.StartupListener;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tw.einvoice.journal.Journal;

/**
 * Wires the product's metrics ({@link EcpayMetrics}) and the {@code /admin/} login ({@link AdminAccess}) into the
 * running context, once it has started (the metrics registry and the HTTP server exist by then). Each part is skipped,
 * with one line, where its library or server is absent (a runtime without camel-micrometer-prometheus or
 * camel-platform-http-main): this class itself names neither library, so it loads everywhere the routes do.
 */
public class Observability implements CamelContextAware, StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(Observability.class);

    private final Journal journal;
    private CamelContext camelContext;
    private String beanName = "observability";
    private Duration figuresMaxAge = Duration.ofSeconds(5);
    private String adminUser = "";
    private String adminPassword = "";
    private String realm = "ecpay-einvoice";
    private JournalFigures figures;

    public Observability(Journal journal) {
        this.journal = journal;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // wired in onCamelContextFullyStarted
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) throws Exception {
        // Camel JBang makes the YAML beans twice: only the one the registry keeps wires anything
        if (context.getRegistry().lookupByName(beanName) != this) {
            return;
        }
        figures = new JournalFigures(journal, figuresMaxAge);
        if (present("io.micrometer.core.instrument.MeterRegistry")) {
            Object registry = context.getRegistry().lookupByName("metricsRegistry");
            if (registry != null) {
                Metrics.start(context, registry, figures);
            } else {
                LOG.info("no metrics registry (camel.metrics.enabled=false): product metrics off");
            }
        }
        if (present("org.apache.camel.component.platform.http.main.MainHttpServer")) {
            Admin.install(context, adminUser, adminPassword, realm);
        }
    }

    /** The journal figures the metrics show (null before the context started). */
    public JournalFigures figures() {
        return figures;
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Observability.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Holders loaded only when their library is present. */
    private static final class Metrics {
        static void start(CamelContext context, Object registry, JournalFigures figures) throws Exception {
            EcpayMetrics metrics = new EcpayMetrics(context, (io.micrometer.core.instrument.MeterRegistry) registry, figures);
            context.getManagementStrategy().addEventNotifier(metrics);
            ServiceHelper.startService(metrics);
        }
    }

    private static final class Admin {
        static void install(CamelContext context, String user, String password, String realm) {
            var server = context.hasService(org.apache.camel.component.platform.http.main.MainHttpServer.class);
            if (server == null || server.getRouter() == null) {
                return; // camel.server.enabled=false: no HTTP server, nothing to protect
            }
            new AdminAccess(user, password).install(server.getRouter(), realm);
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
        try {
            camelContext.addStartupListener(this);
        } catch (Exception e) {
            throw new IllegalStateException("cannot wire the metrics and the admin login: " + e.getMessage(), e);
        }
    }

    public void setBeanName(String beanName) {
        this.beanName = beanName;
    }

    public void setFiguresMaxAge(String figuresMaxAge) {
        this.figuresMaxAge = Duration.parse(figuresMaxAge);
    }

    public void setAdminUser(String adminUser) {
        this.adminUser = adminUser;
    }

    public void setAdminPassword(String adminPassword) {
        this.adminPassword = adminPassword;
    }

    public void setRealm(String realm) {
        this.realm = realm;
    }

    @Override
    public String toString() {
        return "Observability[admin user " + (adminUser.isBlank() ? "none" : adminUser) + "]"; // never the password
    }
}
