package tw.einvoice.observe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness check {@code ecpay/reachable}: can a TCP connection be opened to the host and port of {@code ecpay.base-url}?
 * Only a connect and close - no HTTP request, so never an invoice call - and its answer is kept for {@code cacheFor}, so
 * frequent probes do not become a stream of connections to ECPay. Not a liveness check: restarting this process does not
 * bring ECPay back.
 */
public class EcpayReachableHealthCheck extends AbstractHealthCheck {

    private final Clock clock;
    private String baseUrl = "";
    private Duration cacheFor = Duration.ofSeconds(30);
    private int timeoutMs = 3000;
    private volatile Instant checkedAt;
    private volatile String problem;

    public EcpayReachableHealthCheck() {
        this(Clock.systemUTC());
    }

    EcpayReachableHealthCheck(Clock clock) {
        super("ecpay", "reachable");
        this.clock = clock;
        setEnabled(true);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        URI uri;
        try {
            uri = URI.create(baseUrl.strip());
        } catch (IllegalArgumentException e) {
            builder.message("ecpay.base-url is not a URL: " + e.getMessage()).down();
            return;
        }
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT)) ? 443 : 80;
        builder.detail("ecpay.address", host + ":" + port);
        if (host == null) {
            builder.message("ecpay.base-url has no host: " + baseUrl).down();
            return;
        }
        Instant at = checkedAt;
        if (at == null || clock.instant().isAfter(at.plus(cacheFor))) {
            problem = connect(host, port);
            checkedAt = at = clock.instant();
        }
        builder.detail("ecpay.checked-at", at.toString());
        if (problem == null) {
            builder.up();
        } else {
            builder.message("ECPay not reachable at " + host + ":" + port + ": " + problem).down();
        }
    }

    private String connect(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            return null;
        } catch (IOException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
        }
    }

    public void setBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public void setCacheFor(String cacheFor) {
        this.cacheFor = Duration.parse(cacheFor);
    }

    public void setTimeoutMs(int timeoutMs) {
        this.timeoutMs = timeoutMs;
    }
}
