package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * CheckMacValue against the published vectors of ECPay/ECPay-API-Skill test-vectors/checkmacvalue.json (commit
 * 5e4941d6642ad77c9081f6449314c6571d989e6e): the MD5 ones (AllowanceByCollegiate's callback, logistics) and the
 * SHA-256 ones whose values hold the characters the encoding treats specially (CJK text, {@code '}, {@code ~}, space).
 */
class CheckMacValueTest {

    static final Credentials INVOICE_STAGE = Credentials.PUBLIC_STAGE;
    static final Credentials AIO_STAGE = new Credentials("3002607", "pwFHCqoQZGmho4w6", "EkRm7iFT261dpevs", "");

    @Test
    void allowanceByCollegiateCallbackVector() {
        Map<String, String> fields = Map.of("MerchantID", "2000132", "AllowanceAmt", "100", "AllowanceDate", "2025/01/01 12:00:00",
                "AllowanceNo", "A01-23456789", "InvoiceNo", "AB-12345678", "RtnCode", "1", "RtnMsg", "OK");
        assertEquals("6A248D13B8C5B5C4F93D38FB5F2E2B5F", CheckMacValue.invoice(INVOICE_STAGE).compute(fields));
    }

    @Test
    void md5LogisticsVector() {
        Credentials logistics = new Credentials("2000132", "5294y06JbISpM5x9", "v77hoKGq4kWxNNIS", "");
        Map<String, String> fields = Map.of("MerchantID", "2000132", "LogisticsType", "CVS", "LogisticsSubType", "UNIMART",
                "MerchantTradeDate", "2025/01/01 12:00:00");
        assertEquals("545E6146FD45BDA683C88454DB34CE8D", CheckMacValue.invoice(logistics).compute(fields));
    }

    @Test
    void sha256VectorsWithTextTheEncodingTreatsSpecially() {
        CheckMacValue aio = new CheckMacValue(AIO_STAGE, CheckMacValue.Hash.SHA256);
        Map<String, String> basic = Map.of("MerchantID", "3002607", "MerchantTradeNo", "Test1234567890",
                "MerchantTradeDate", "2025/01/01 12:00:00", "PaymentType", "aio", "TotalAmount", "100", "TradeDesc", "測試",
                "ItemName", "測試商品", "ReturnURL", "https://example.com/notify", "ChoosePayment", "ALL", "EncryptType", "1");
        assertEquals("291CBA324D31FB5A4BBBFDF2CFE5D32598524753AFD4959C3BF590C5B2F57FB2", aio.compute(basic));
        assertEquals("CF0A3D4901D99459D8641516EC57210700E8A5C9AB26B1D021301E9CB93EF78D",
                aio.compute(Map.of("MerchantID", "3002607", "ItemName", "Tom's Shop", "TotalAmount", "100")));
        assertEquals("CEEAE01D2F9A8E74D4AC0DCE7735B046D73F35A5EC99558A31A2EE03159DA1C9",
                aio.compute(Map.of("MerchantID", "3002607", "ItemName", "Test~Product", "TotalAmount", "200")));
        assertEquals("7712A5E6EDC3B57086063C88568084C66CE882A21D40E74DE5ACA3B478C6F316",
                aio.compute(Map.of("MerchantID", "3002607", "ItemName", "My Test Product", "TotalAmount", "300")));
    }

    @Test
    void verifyAcceptsTheRightValueInEitherCaseAndIgnoresItsOwnField() {
        CheckMacValue cmv = CheckMacValue.invoice(INVOICE_STAGE);
        Map<String, String> fields = new HashMap<>(Map.of("RtnCode", "1", "IA_Allow_No", "2026113000000001"));
        String value = cmv.compute(fields);
        fields.put(CheckMacValue.FIELD, value);
        assertEquals(value, cmv.compute(fields), "CheckMacValue itself is not hashed");
        assertTrue(cmv.verify(fields));
        fields.put(CheckMacValue.FIELD, value.toLowerCase());
        assertTrue(cmv.verify(fields));
    }

    @Test
    void verifyRefusesAChangedFieldAWrongKeyAndAMissingValue() {
        CheckMacValue cmv = CheckMacValue.invoice(INVOICE_STAGE);
        Map<String, String> fields = new HashMap<>(Map.of("RtnCode", "1", "IA_Allow_No", "2026113000000001"));
        fields.put(CheckMacValue.FIELD, cmv.compute(fields));
        Map<String, String> changed = new HashMap<>(fields);
        changed.put("IA_Allow_No", "2026113000000002");
        assertFalse(cmv.verify(changed));
        Credentials other = new Credentials("2000132", "0123456789abcdef", "fedcba9876543210", "");
        assertFalse(CheckMacValue.invoice(other).verify(fields));
        Map<String, String> missing = new HashMap<>(fields);
        missing.remove(CheckMacValue.FIELD);
        assertFalse(cmv.verify(missing));
        Map<String, String> sha = new HashMap<>(fields);
        sha.put(CheckMacValue.FIELD, new CheckMacValue(INVOICE_STAGE, CheckMacValue.Hash.SHA256).compute(fields));
        assertFalse(cmv.verify(sha), "a SHA-256 value is not an MD5 one");
    }

    @Test
    void dotNetEncodingKeepsWhatDotNetKeeps() {
        assertEquals("a+b-c_d.e!f*g(h)i%7ej%27k%2fl", CheckMacValue.dotNetUrlEncode("A b-c_d.e!f*g(h)i~j'k/l"));
    }
}
