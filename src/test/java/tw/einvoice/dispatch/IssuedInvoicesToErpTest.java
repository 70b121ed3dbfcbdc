package tw.einvoice.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tw.einvoice.dispatch.DispatchNode.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.journal.CommandState;
import tw.einvoice.dispatch.Dispatcher;
import tw.einvoice.journal.Journal;
import tw.einvoice.protocol.Command;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.testing.TestDatabases;

/**
 * The Java DSL route routes/IssuedInvoicesToErp.java, loaded from its source file as the main job loads it, with the
 * real beans, dispatch and ECPay-call routes against the local sandbox: every issued invoice lands in the ERP table
 * of examples/erp-issued-invoices/schema.sql once, even when its message is delivered twice, and every message still
 * reaches the success folder (the steps of docs/java-dsl.md).
 */
class IssuedInvoicesToErpTest {

    static EcpaySandbox sandbox;

    @TempDir
    Path outbox;

    @BeforeAll
    static void startSandbox() {
        sandbox = EcpaySandbox.builder().port(0).start();
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void everyIssuedInvoiceIsOneRowOfTheErpTable(TestDatabases database) throws Exception {
        String url;
        try (HikariDataSource ds = database.fresh(2); Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(Files.readString(Path.of("examples/erp-issued-invoices/schema.sql")).replaceAll("(?m)^--.*$", ""));
            url = ds.getJdbcUrl();
        }
        Map<String, String> props = DispatchNode.fastSettings(sandbox.baseUrl(), url, database.user(), outbox);
        props.put("camel.main.routes-include-pattern", DispatchNode.ROUTES + ",file:routes/IssuedInvoicesToErp.java");
        props.put("ecpay.channel.success", "direct:issued-invoices-to-erp");
        props.put("erp.issued.then", "file:" + outbox.resolve("success") + "?tempPrefix=.writing-");
        try (DispatchNode node = DispatchNode.start("erp", props)) {
            Journal journal = node.journal();
            List<Command> commands = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                commands.add(DispatchNode.issue("Erp" + UUID.randomUUID().toString().replace("-", "").substring(0, 16)));
            }
            DispatchNode.insertAll(journal, commands);
            for (Command cmd : commands) {
                Path file = outbox.resolve("success").resolve(Dispatcher.fileName(cmd.id()));
                await(cmd.id() + " reaches the success folder", Duration.ofSeconds(30), () -> Files.isRegularFile(file));
            }

            Map<String, String> expected = new TreeMap<>();
            for (Command cmd : commands) {
                assertEquals(CommandState.SUCCEEDED, journal.find(cmd.id()).state());
                JsonNode message = DispatchNode.JSON.readTree(outbox.resolve("success").resolve(Dispatcher.fileName(cmd.id())).toFile());
                expected.put(cmd.id(), message.path("data").path("RelateNumber").asText() + " "
                        + message.path("reply").path("InvoiceNo").asText());
            }
            assertEquals(expected, rows(node), "one row per issued invoice, with ECPay's invoice number");

            // at least once: the same message again (as a redelivery would hand it over) changes no row
            Path first = outbox.resolve("success").resolve(Dispatcher.fileName(commands.get(0).id()));
            String again = Files.readString(first);
            Files.delete(first);
            node.context().createProducerTemplate().sendBodyAndHeader("direct:issued-invoices-to-erp", again,
                    "CamelFileName", first.getFileName().toString());
            assertTrue(Files.isRegularFile(first), "a redelivered message still goes on to the success folder");
            assertEquals(expected, rows(node), "a redelivered message is not written twice");

            // a success without an invoice number (a query, a word setting...) only goes on to the folder
            String noInvoice = again.replace(commands.get(0).id(), "other-id").replace("\"InvoiceNo\"", "\"NotAnInvoiceNo\"");
            node.context().createProducerTemplate().sendBodyAndHeader("direct:issued-invoices-to-erp", noInvoice,
                    "CamelFileName", "other-id.json");
            assertTrue(Files.isRegularFile(outbox.resolve("success").resolve("other-id.json")));
            assertEquals(expected, rows(node));
        }
    }

    private static Map<String, String> rows(DispatchNode node) throws Exception {
        Map<String, String> out = new TreeMap<>();
        HikariDataSource ds = node.context().getRegistry().lookupByNameAndType("journalDataSource", HikariDataSource.class);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT command_id, relate_number, invoice_no FROM erp_issued_invoice")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2) + " " + rs.getString(3));
            }
        }
        return out;
    }
}
