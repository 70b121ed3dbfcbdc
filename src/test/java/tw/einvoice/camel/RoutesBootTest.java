package tw.einvoice.camel;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import tw.einvoice.journal.Journal;

@CamelMainTest(propertyPlaceholderLocations = "file:config/application.properties",
        properties = {"camel.main.routes-include-pattern=file:routes/beans.camel.yaml,file:routes/ecpay-call.camel.yaml",
                "journal.url=jdbc:h2:mem:boot;DB_CLOSE_DELAY=-1"})
class RoutesBootTest {

    @org.apache.camel.BeanInject
    CamelContext context;

    @Test
    void theShippedRoutesAndBeansStartWithTheShippedConfiguration() {
        assertNotNull(context.getRoute("ecpay-call"));
        assertNotNull(context.getRegistry().lookupByNameAndType("journal", Journal.class));
        assertNotNull(context.getRegistry().lookupByNameAndType("ecpayClient", EcpayClient.class));
    }
}
