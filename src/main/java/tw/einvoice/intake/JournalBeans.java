package tw.einvoice.intake;

import java.time.Clock;
import javax.sql.DataSource;
import org.apache.camel.spi.Registry;
import tw.einvoice.journal.Journal;

/** Finds the journal of routes/beans.camel.yaml (beans {@code journal}, {@code journalDataSource}, {@code clock}). */
final class JournalBeans {

    private JournalBeans() {
    }

    static Journal journal(Registry registry) {
        Clock clock = registry.lookupByNameAndType("clock", Clock.class);
        Journal journal = registry.lookupByNameAndType("journal", Journal.class);
        if (journal != null && journal.dataSource() != null) {
            return journal;
        }
        // a journal bean whose references did not resolve: build it from the pool bean
        DataSource ds = registry.lookupByNameAndType("journalDataSource", DataSource.class);
        if (ds == null) {
            throw new IllegalStateException("no 'journal' bean: load routes/beans.camel.yaml with the intake routes");
        }
        return new Journal(ds, clock != null ? clock : Clock.systemUTC());
    }
}
