package tw.einvoice.app;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The startup checks as the first bean of {@code routes/beans.camel.yaml} ({@code initMethod: check}), so they run on
 * every runtime that loads the routes (Camel Main, Camel JBang, Karaf), not only from {@link Application#main}: a
 * refusal (production with ECPay's public stage keys or the H2 journal, a folder that cannot be written...) fails the
 * loading of the routes, so the context does not start, and says why in one ERROR line before any other bean (the
 * journal's pool, Flyway) reports its own stack trace.
 */
public class StartupGuard implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(StartupGuard.class);

    private CamelContext camelContext;

    public void check() {
        if (camelContext == null) {
            throw new IllegalStateException("StartupGuard needs its CamelContext before check()");
        }
        try {
            new StartupChecks(RuntimeConfig.of(camelContext)).runInContext();
        } catch (StartupException e) {
            LOG.error("ecpay-einvoice: {}", e.getMessage());
            throw e;
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }
}
