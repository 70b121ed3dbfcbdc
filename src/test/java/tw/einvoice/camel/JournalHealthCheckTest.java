package tw.einvoice.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.Source;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.OperationCatalog;

@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml",
                "journal.url=jdbc:h2:mem:health;DB_CLOSE_DELAY=-1"})
class JournalHealthCheckTest {

    @BeanInject
    CamelContext context;

    private HealthCheck.Result journalCheck() {
        // exposure level "full": every check with its details, as `camel get health --level=full` shows them
        return HealthCheckHelper.invoke(context, "full").stream()
                .filter(r -> r.getCheck().getId().equals("journal")).findFirst().orElseThrow();
    }

    @Test
    void theJournalCheckCountsCommandsAndGoesDownWithTheDatabase() {
        Journal journal = context.getRegistry().lookupByNameAndType("journal", Journal.class);
        journal.insert(Command.parse("{\"operation\":\"B2CInvoice/TriggerIssue\",\"data\":{\"Tsr\":\"H1\",\"PayType\":\"2\"}}",
                OperationCatalog.standard(), "2000132"), new Source("api", "test", "1"));

        HealthCheck.Result up = journalCheck();
        assertEquals(HealthCheck.State.UP, up.getState());
        Map<String, Object> details = up.getDetails();
        assertEquals(1, details.get("commands.new"));
        assertEquals(0, details.get("commands.dead"));

        context.getRegistry().lookupByNameAndType("journalDataSource", HikariDataSource.class).close();
        assertEquals(HealthCheck.State.DOWN, journalCheck().getState());
    }
}
