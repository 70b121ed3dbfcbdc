package tw.einvoice.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelLogger;
import org.apache.camel.spi.LogListener;
import tw.einvoice.protocol.SafeText;

/**
 * Escapes control characters in every message of the routes' {@code log} steps (ids, reasons, ECPay's RtnMsg), so no
 * input or reply can start a log line of its own. One place for all YAML and Java routes; bean {@code safeLogListener}.
 */
public class SafeLogListener implements LogListener, CamelContextAware {

    private CamelContext camelContext;

    @Override
    public String onLog(Exchange exchange, CamelLogger camelLogger, String message) {
        return SafeText.log(message);
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        if (this.camelContext != camelContext) {
            this.camelContext = camelContext;
            camelContext.getCamelContextExtension().addLogListener(this);
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }
}
