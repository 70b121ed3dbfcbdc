package tw.einvoice.intake.sql;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tw.einvoice.journal.Journal;
class ProbeTest {
    @Test
    void probe() throws Exception {
        try (Instance a = new Instance("p", "jdbc:h2:mem:probe;DB_CLOSE_DELAY=-1", "sa", Map.of("intake.sql.inbox.enabled", "false"))) {
            Journal j = a.context().getRegistry().lookupByNameAndType("journal", Journal.class);
            System.out.println("PROBE ds=" + j.dataSource() + " clock=" + j.clock() + " bean=" + a.context().getRegistry().lookupByName("clock"));
        }
    }
}
