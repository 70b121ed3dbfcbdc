package tw.einvoice.camel;

import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import tw.einvoice.journal.CommandState;
import tw.einvoice.journal.Journal;

/**
 * Health check {@code ecpay/journal}: DOWN when the journal cannot be queried (nothing can be taken in or sent then),
 * UP otherwise, with the number of commands in each state as details (shown by {@code camel get health}).
 */
public class JournalHealthCheck extends AbstractHealthCheck {

    private final Journal journal;

    public JournalHealthCheck(Journal journal) {
        super("ecpay", "journal");
        this.journal = journal;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            Map<CommandState, Integer> counts = journal.countByState();
            for (CommandState state : CommandState.values()) {
                builder.detail("commands." + state.name().toLowerCase(java.util.Locale.ROOT), counts.getOrDefault(state, 0));
            }
            builder.up();
        } catch (RuntimeException e) {
            builder.message("journal unreachable: " + e.getMessage()).error(e).down();
        }
    }
}
