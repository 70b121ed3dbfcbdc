package tw.einvoice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tw.einvoice.protocol.Command;
import tw.einvoice.protocol.EcpayCallback;
import tw.einvoice.protocol.EcpayCallback.Kind;
import tw.einvoice.protocol.OperationCatalog;
import tw.einvoice.testing.TestDatabases;

/** Callbacks recorded in ecpay_callback and matched to the command that asked for them, on every journal database. */
class JournalCallbackTest {

    static final String M = "2000132";
    static final String ALLOWANCE = "{\"InvoiceNo\":\"AB12345000\",\"InvoiceDate\":\"2026-11-22\",\"AllowanceNotify\":\"E\","
            + "\"NotifyMail\":\"buyer1@example.com\",\"AllowanceAmount\":50,\"ReturnURL\":\"https://erp.example/ecpay\","
            + "\"Items\":[{\"ItemSeq\":1,\"ItemName\":\"原子筆\",\"ItemCount\":1,\"ItemWord\":\"支\",\"ItemPrice\":50,"
            + "\"ItemTaxType\":\"1\",\"ItemAmount\":50}]}";

    @ParameterizedTest
    @MethodSource("tw.einvoice.testing.TestDatabases#all")
    void aVerifiedCallbackFindsItsCommandAnUnverifiedOneNever(TestDatabases db) throws Exception {
        try (HikariDataSource ds = db.fresh(2)) {
            Journal journal = new Journal(ds, Clock.systemUTC());
            journal.insert(delayIssue("ERP-1", "TSR_1", "ORD-1"), null);
            // newer, and its Tsr would match TSR_1 if the underscore were a LIKE wildcard
            journal.insert(delayIssue("ERP-2", "TSRX1", "ORD-2"), null);
            Command byKey = delayIssue(null, "T2", "ORD-3");
            journal.insert(byKey, null);
            journal.insert(command("{\"id\":\"ONLINE-1\",\"operation\":\"B2CInvoice/AllowanceByCollegiate\",\"data\":" + ALLOWANCE + "}"), null);
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "UPDATE ecpay_command SET reply = ? WHERE id = 'ONLINE-1'")) {
                ps.setString(1, "{\"RtnCode\":1,\"IA_Allow_No\":\"2026112200000001\",\"IA_Invoice_No\":\"AB12345000\"}");
                ps.executeUpdate();
            }

            CallbackRow byTsr = journal.recordCallback(form(Kind.DELAY_ISSUE, "MerchantID=2000132&Tsr=TSR_1&RtnCode=1"
                    + "&InvoiceNo=AB12345001&CheckMacValue=X"), M, true, null, "127.0.0.1:50000");
            assertEquals("ERP-1", byTsr.commandId());
            assertTrue(byTsr.id() > 0);
            assertEquals("AB12345001", byTsr.invoiceNo());
            assertEquals("{\"MerchantID\":\"2000132\",\"Tsr\":\"TSR_1\",\"RtnCode\":\"1\",\"InvoiceNo\":\"AB12345001\"}",
                    byTsr.fields(), "kept as it came, without CheckMacValue");
            assertEquals(byKey.id(), journal.recordCallback(form(Kind.DELAY_ISSUE, "Tsr=T2&RtnCode=1"), M, true, null, null)
                    .commandId(), "the default id (operation, merchant, Tsr) is looked up first");
            assertEquals("ERP-2", journal.recordCallback(form(Kind.DELAY_ISSUE, "RelateNumber=ORD-2"), M, true, null, null)
                    .commandId(), "by RelateNumber when there is no Tsr");
            assertEquals("ONLINE-1", journal.recordCallback(form(Kind.ALLOWANCE_BY_COLLEGIATE,
                    "RtnCode=1&IA_Allow_No=2026112200000001&IA_Invoice_No=AB12345000"), M, true, null, null).commandId());
            assertNull(journal.recordCallback(form(Kind.DELAY_ISSUE, "Tsr=TSR_1"), "3000000", true, null, null).commandId(),
                    "another merchant's Tsr");
            assertNull(journal.recordCallback(form(Kind.DELAY_ISSUE, "Tsr=NONE"), M, true, null, null).commandId());

            CallbackRow forged = journal.recordCallback(form(Kind.DELAY_ISSUE, "MerchantID=2000132&Tsr=TSR_1&CheckMacValue=BAD"),
                    M, false, "CheckMacValue does not match merchant 2000132's keys", "10.0.0.9:4711");
            assertNull(forged.commandId(), "an unverified callback is never attached to a command");

            List<CallbackRow> rows = journal.callbacks("ERP-1");
            assertEquals(1, rows.size());
            assertTrue(rows.get(0).verified());
            assertEquals("DelayIssue", rows.get(0).kind());
            assertEquals("127.0.0.1:50000", rows.get(0).remoteAddress());
            assertEquals(1, journal.callbacks("ONLINE-1").size());
            assertEquals("AllowanceByCollegiate", journal.callbacks("ONLINE-1").get(0).kind());
            try (Connection c = ds.getConnection(); var rs = c.createStatement().executeQuery(
                    "SELECT verified, refusal, remote_address FROM ecpay_callback WHERE id = " + forged.id())) {
                assertTrue(rs.next());
                assertFalse(rs.getBoolean(1));
                assertEquals("CheckMacValue does not match merchant 2000132's keys", rs.getString(2));
                assertEquals("10.0.0.9:4711", rs.getString(3));
            }
        }
    }

    static Command delayIssue(String id, String tsr, String relate) {
        return command("{" + (id == null ? "" : "\"id\":\"" + id + "\",") + "\"operation\":\"B2CInvoice/DelayIssue\",\"data\":{"
                + "\"RelateNumber\":\"" + relate + "\",\"Tsr\":\"" + tsr + "\",\"PayType\":\"2\",\"PayAct\":\"ECPAY\","
                + "\"DelayFlag\":\"2\",\"DelayDay\":0,\"NotifyURL\":\"https://erp.example/ecpay\",\"CustomerEmail\":\"b@example.com\","
                + "\"Print\":\"0\",\"Donation\":\"0\",\"TaxType\":\"1\",\"SalesAmount\":200,\"InvType\":\"07\",\"Items\":[{\"ItemSeq\":1,"
                + "\"ItemName\":\"禮盒\",\"ItemCount\":1,\"ItemWord\":\"盒\",\"ItemPrice\":200,\"ItemAmount\":200}]}}");
    }

    static Command command(String json) {
        return Command.parse(json, OperationCatalog.standard(), M);
    }

    static EcpayCallback form(Kind kind, String body) {
        return EcpayCallback.parse(kind, body);
    }
}
