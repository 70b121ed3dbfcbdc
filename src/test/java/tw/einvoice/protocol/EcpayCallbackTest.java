package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tw.einvoice.protocol.EcpayCallback.Kind;
import tw.einvoice.protocol.EcpayCallback.MalformedCallbackException;

/** Reading a callback form: the key fields under each name ECPay uses, and what is not a form. */
class EcpayCallbackTest {

    @Test
    void keyFieldsAreReadUnderEachKnownName() {
        EcpayCallback allowance = EcpayCallback.parse(Kind.ALLOWANCE_BY_COLLEGIATE,
                "RtnCode=1&RtnMsg=%E6%88%90%E5%8A%9F&IA_Allow_No=2026112200000001&IA_Invoice_No=AB12345000&CheckMacValue=AB");
        assertEquals("2026112200000001", allowance.allowanceNo());
        assertEquals("AB12345000", allowance.invoiceNo());
        assertNull(allowance.merchantId());
        assertEquals("{\"RtnCode\":\"1\",\"RtnMsg\":\"成功\",\"IA_Allow_No\":\"2026112200000001\",\"IA_Invoice_No\":\"AB12345000\"}",
                allowance.fieldsJson());
        EcpayCallback older = EcpayCallback.parse(Kind.DELAY_ISSUE, "MerchantID=2000132&InvoiceNumber=AB12345001&Tsr=T+1");
        assertEquals("AB12345001", older.invoiceNo());
        assertEquals("T 1", older.tsr());
        assertEquals(Kind.DELAY_ISSUE, Kind.ofPath("delay-issue"));
        assertEquals(Kind.ALLOWANCE_BY_COLLEGIATE, Kind.ofPath("allowance"));
        assertNull(Kind.ofPath("other"));
    }

    @Test
    void aDecodedFormReadsAsTheSame() {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("Tsr", "T1");
        form.put("RtnCode", List.of("1"));
        assertEquals(EcpayCallback.parse(Kind.DELAY_ISSUE, "Tsr=T1&RtnCode=1"), EcpayCallback.of(Kind.DELAY_ISSUE, form));
    }

    @Test
    void whatIsNotAFormIsRefusedWithoutEchoingIt() {
        assertEquals("empty form", assertThrows(MalformedCallbackException.class,
                () -> EcpayCallback.parse(Kind.DELAY_ISSUE, "")).getMessage());
        assertEquals("not URL-encoded form data", assertThrows(MalformedCallbackException.class,
                () -> EcpayCallback.parse(Kind.DELAY_ISSUE, "Tsr=%zz")).getMessage());
        assertEquals("a field given twice", assertThrows(MalformedCallbackException.class,
                () -> EcpayCallback.parse(Kind.DELAY_ISSUE, "Tsr=1&tsr=2")).getMessage());
        assertEquals("a field given twice", assertThrows(MalformedCallbackException.class,
                () -> EcpayCallback.of(Kind.DELAY_ISSUE, Map.of("Tsr", List.of("1", "2")))).getMessage());
        assertThrows(MalformedCallbackException.class, () -> EcpayCallback.parse(Kind.DELAY_ISSUE, "a=" + "x".repeat(9000)));
    }
}
