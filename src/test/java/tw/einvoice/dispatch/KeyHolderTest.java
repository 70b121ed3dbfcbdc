package tw.einvoice.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.journal.CommandRow;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.Source;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.Operation;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.testing.TestDatabases;

/**
 * The DelayIssue that holds a TriggerIssue's key is found in the journal by merchant and exact Tsr, under its default id or
 * an id of the ERP's own, on every database: a Tsr that LIKE would match as a pattern ({@code _}, {@code %}) or as part of a
 * longer one is not taken for it, nor another merchant's.
 */
class KeyHolderTest {

    static final Operation.Via VIA = OperationCatalog.standard().get("B2CInvoice/TriggerIssue").adoptWith().via();

    private static void insert(Journal journal, String id, String merchant, String tsr) {
        String data = DispatchNode.issueData("R" + tsr.replaceAll("\\W", "")).replaceFirst("\\{",
                "{\"DelayFlag\":\"2\",\"DelayDay\":0,\"Tsr\":\"" + tsr + "\",\"PayType\":\"2\",\"PayAct\":\"ECPAY\",");
        journal.insert(DispatchNode.command(id, "B2CInvoice/DelayIssue", merchant, data), new Source("api", "test", tsr));
    }

    private static List<String> holders(Journal journal, String merchant, String tsr) {
        ObjectNode trigger = (ObjectNode) Dispatcher.parse("{\"Tsr\":\"" + tsr + "\"}");
        return KeyHolder.candidates(journal, VIA, merchant, trigger).stream().map(CommandRow::id).sorted().toList();
    }

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void theDelayIssueOfATsrIsFoundByMerchantAndExactTsr(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2)) {
            Journal journal = new Journal(ds, Clock.systemUTC());
            insert(journal, null, "2000132", "T_1");
            insert(journal, "erp-order-77", "2000132", "TX1");
            insert(journal, null, "2000132", "TX10");
            insert(journal, null, "2000132", "T%2");
            insert(journal, "other-shop", "2000133", "TX1");
            journal.insert(DispatchNode.trigger("TX1"), new Source("api", "test", "trigger"));

            assertEquals(List.of("B2CInvoice/DelayIssue:2000132:T_1"), holders(journal, "2000132", "T_1"));
            assertEquals(List.of("erp-order-77"), holders(journal, "2000132", "TX1"), "its own id, not TX10, not the trigger");
            assertEquals(List.of("B2CInvoice/DelayIssue:2000132:T%2"), holders(journal, "2000132", "T%2"));
            assertEquals(List.of(), holders(journal, "2000132", "T%"), "% is no pattern");
            assertEquals(List.of(), holders(journal, "2000132", "TY1"));
            assertEquals(List.of("other-shop"), holders(journal, "2000133", "TX1"));
        }
    }
}
