package tw.einvoice.intake;

import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.support.LoggingExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A polling consumer's exception handler for poll strategies that say each outage once themselves: an error they
 * already reported goes to DEBUG; anything else to Camel's own logging, as without this handler.
 */
public abstract class QuietPollErrors implements ExceptionHandler {

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final ExceptionHandler camelDefault;

    protected QuietPollErrors(Class<?> camelLogger) {
        this.camelDefault = new LoggingExceptionHandler(null, camelLogger);
    }

    /** True when this error (or its cause) was already reported by the poll strategy. */
    protected abstract boolean alreadySaid(Throwable exception);

    @Override
    public void handleException(Throwable exception) {
        handleException(null, null, exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        handleException(message, null, exception);
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        if (alreadySaid(exception)) {
            log.debug("{}: {}", message, exception == null ? null : exception.getMessage());
            return;
        }
        camelDefault.handleException(message, exchange, exception);
    }
}
