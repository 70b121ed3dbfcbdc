package tw.einvoice.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import tw.einvoice.testing.MutableClock;

/** The sandbox answers GetIssueList's Data as a plain JSON object on the wire, as ECPay does (paid-tw, live stage); others encrypted. */
class EcpaySandboxPlainReplyTest {

    @Test
    void getIssueListsDataIsPlainOnTheWireAndEveryOtherOperationsEncrypted() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-08-15T02:00:00Z"));
        try (EcpaySandbox sandbox = EcpaySandbox.builder().clock(clock).start()) {
            SandboxClient c = new SandboxClient(sandbox.baseUrl()).clock(clock);
            SandboxClient.Result issued = c.call("B2CInvoice/Issue", SandboxClient.issueData("Plain1"));
            assertTrue(issued.envelope().path("Data").isTextual(), issued.rawBody());
            SandboxClient.Result list = c.call("B2CInvoice/GetIssueList", "{\"BeginDate\":\"2026/08/15\",\"EndDate\":\"2026-08-15\","
                    + "\"NumPerPage\":10,\"ShowingPage\":1,\"DataType\":\"1\"}");
            assertTrue(list.envelope().path("Data").isObject(), list.rawBody());
            assertEquals(1, list.rtnCode());
            assertEquals(1, list.data().path("TotalCount").asInt());
            assertEquals(issued.get("InvoiceNo"), list.data().path("InvoiceData").get(0).path("IIS_Number").asText());
            assertEquals("Plain1", list.data().path("InvoiceData").get(0).path("IIS_Relate_Number").asText());
            SandboxClient.Result none = c.call("B2CInvoice/GetIssueList", "{\"BeginDate\":\"2026-08-16\",\"EndDate\":\"2026-08-31\","
                    + "\"NumPerPage\":10,\"ShowingPage\":1,\"DataType\":\"1\"}");
            assertEquals(0, none.data().path("TotalCount").asInt());
        }
    }
}
