package tw.einvoice.observe;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import tw.einvoice.journal.Journal;

/**
 * Readiness check {@code ecpay/merchants}: DOWN while every configured merchant ({@code ecpay.merchant-id} and each
 * {@code ecpay.merchant.<MerchantID>.hash-key}) is paused in the journal after an HTTP 403 - this instance can then
 * send nothing at all until a pause ends. One paused merchant among others is a detail, not DOWN.
 */
public class MerchantsPausedHealthCheck extends AbstractHealthCheck {

    private final Journal journal;

    public MerchantsPausedHealthCheck(Journal journal) {
        super("ecpay", "merchants");
        this.journal = journal;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Set<String> merchants = configuredMerchants(getCamelContext());
        Set<String> paused = new TreeSet<>();
        try {
            for (String merchant : merchants) {
                var until = journal.pausedUntil(merchant);
                if (until != null) {
                    paused.add(merchant);
                    builder.detail("paused." + merchant, until + " UTC");
                }
            }
        } catch (RuntimeException e) {
            // the journal check reports the journal itself; here nothing can be said
            builder.message("pauses unknown: " + e.getMessage()).unknown();
            return;
        }
        builder.detail("merchants", String.join(",", merchants));
        if (!merchants.isEmpty() && paused.size() == merchants.size()) {
            builder.message("every merchant is paused (HTTP 403 from ECPay): " + String.join(",", paused)).down();
        } else {
            builder.up();
        }
    }

    /** The default merchant and every ecpay.merchant.<MerchantID>.hash-key configured. */
    public static Set<String> configuredMerchants(CamelContext context) {
        Set<String> merchants = new TreeSet<>();
        var properties = context.getPropertiesComponent();
        properties.resolveProperty("ecpay.merchant-id").map(String::strip).filter(m -> !m.isEmpty()).ifPresent(merchants::add);
        for (String key : properties.loadPropertiesAsMap(k -> k.startsWith("ecpay.merchant.") && k.endsWith(".hash-key")).keySet()
                .stream().map(Object::toString).toList()) {
            merchants.add(key.substring("ecpay.merchant.".length(), key.length() - ".hash-key".length()));
        }
        return merchants;
    }
}
