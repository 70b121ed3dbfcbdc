package tw.einvoice.intake;

import org.apache.camel.spi.Registry;
import tw.einvoice.journal.Journal;

/**
 * Finds the {@code journal} bean of routes/beans.camel.yaml on first use, so the intake route files do not depend on
 * the order in which route files are loaded.
 */
final class JournalBeans {

    private JournalBeans() {
    }

    static Journal journal(Registry registry) {
        Journal journal = registry.lookupByNameAndType("journal", Journal.class);
        if (journal == null) {
            throw new IllegalStateException("no 'journal' bean: load routes/beans.camel.yaml with the intake routes");
        }
        return journal;
    }
}
