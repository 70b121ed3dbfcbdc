package tw.einvoice.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import tw.einvoice.protocol.Credentials;
import tw.einvoice.protocol.EcpayCipher;

/**
 * How the reply's Data is read: encrypted for every operation, a plain JSON object for GetIssueList (paid-tw, live stage),
 * and encrypted GetIssueList Data still read should ECPay answer as its page says. A plain object where encrypted Data is
 * due is not taken at its word.
 */
class EcpayClientReplyDataTest {

    static final String ISSUE_LIST = "{\"operation\":\"B2CInvoice/GetIssueList\",\"data\":{\"BeginDate\":\"2026-08-15\","
            + "\"EndDate\":\"2026-08-15\",\"NumPerPage\":10,\"ShowingPage\":1,\"DataType\":\"1\"}}";
    static final String GET_ISSUE = "{\"operation\":\"B2CInvoice/GetIssue\",\"data\":{\"RelateNumber\":\"R1\"}}";
    static final String PLAIN = "{\"RtnCode\":1,\"RtnMsg\":\"查詢成功\",\"TotalCount\":0,\"InvoiceData\":[]}";

    final EcpayClient client = new EcpayClient();

    Exchange answer(String command, String data) throws Exception {
        Exchange e = new DefaultExchange(new DefaultCamelContext());
        e.getMessage().setBody(command);
        client.prepare(e);
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        e.getMessage().setBody("{\"PlatformID\":\"\",\"MerchantID\":2000132,\"RpHeader\":{\"Timestamp\":1},\"TransCode\":1,"
                + "\"TransMsg\":\"Success\",\"Data\":" + data + "}");
        client.interpret(e);
        return e;
    }

    static String encrypted(String json) {
        return "\"" + new EcpayCipher(Credentials.PUBLIC_STAGE).encrypt(json) + "\"";
    }

    @Test
    void getIssueListsPlainDataIsReadAsItIs() throws Exception {
        Exchange e = answer(ISSUE_LIST, PLAIN);
        assertEquals("SUCCESS", e.getMessage().getHeader(EcpayHeaders.OUTCOME));
        assertEquals(1, e.getMessage().getHeader(EcpayHeaders.RTN_CODE));
        assertEquals(PLAIN, e.getMessage().getBody(String.class));
    }

    @Test
    void getIssueListsDataIsAlsoReadWhenEncryptedOrGivenAsJsonText() throws Exception {
        assertEquals(1, answer(ISSUE_LIST, encrypted(PLAIN)).getMessage().getHeader(EcpayHeaders.RTN_CODE));
        String asText = "\"" + PLAIN.replace("\"", "\\\"") + "\"";
        assertEquals(1, answer(ISSUE_LIST, asText).getMessage().getHeader(EcpayHeaders.RTN_CODE));
    }

    @Test
    void plainDataWhereEncryptedDataIsDueIsNotTakenAtItsWord() throws Exception {
        Exchange e = answer(GET_ISSUE, PLAIN);
        assertNull(e.getMessage().getHeader(EcpayHeaders.RTN_CODE));
        assertEquals("RETRY", e.getMessage().getHeader(EcpayHeaders.OUTCOME), "a query: asked again later");
        assertTrue(e.getMessage().getHeader(EcpayHeaders.RTN_MSG, String.class)
                .contains("reply Data is a plain object, but B2CInvoice/GetIssue answers encrypted Data"));
        assertEquals(1, answer(GET_ISSUE, encrypted(PLAIN)).getMessage().getHeader(EcpayHeaders.RTN_CODE));
    }
}
