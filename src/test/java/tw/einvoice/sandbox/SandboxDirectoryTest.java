package tw.einvoice.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Ministry of Finance's tax id check digit, as the sandbox's GetCompanyNameByTaxID applies it. */
class SandboxDirectoryTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "97025978, true",   // ECPay (paid-tw live stage: a real company)
        "53212539, true",
        "00000000, true",   // paid-tw live stage: well formed, no data (7)
        "12345678, false",  // paid-tw live stage: 1200125, check digit
        "10458575, true",   // seventh digit 7: its 28 counts as 10 (sum 30)
        "10458574, true",   // ... or as 1 (sum 29 - 9 = 20)
        "10458571, false",  // neither (26, 17)
        "1234567, false",
        "1234567A, false",
    })
    void checkDigit(String id, boolean valid) {
        assertEquals(valid, SandboxDirectory.validTaxId(id));
    }
}
