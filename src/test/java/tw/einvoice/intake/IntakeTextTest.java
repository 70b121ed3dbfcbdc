package tw.einvoice.intake;

import tw.einvoice.protocol.SafeText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Names derived from dropped names, CSV cells neutralised against formulas, and input text in log lines. */
class IntakeTextTest {

    @Test
    void shortCleanNamesAreKeptLongOrDirtyOnesShortenedWithAHash() {
        assertEquals("orders.csv", DropNames.derived("orders.csv"));
        String a236 = "a".repeat(230) + ".jsonl";
        String derived = DropNames.derived(a236);
        assertTrue(derived.endsWith(".jsonl") && derived.contains("~"), derived);
        assertTrue(DropNames.utf8Length(derived) <= DropNames.MAX_KEPT_BYTES, derived);
        // two long names with the same beginning stay apart
        assertNotEquals(derived, DropNames.derived("a".repeat(229) + "b.jsonl"));
        // the format suffix (charset included) survives, characters are never cut in half
        String big5 = DropNames.derived("訂單".repeat(60) + ".big5.csv");
        assertTrue(big5.endsWith(".big5.csv") && DropNames.utf8Length(big5) <= DropNames.MAX_KEPT_BYTES, big5);
        assertTrue(big5.startsWith("訂單訂單"), big5);
        // control characters are replaced, and the hash tells such names apart
        String evil = DropNames.derived("x\nERROR fake.csv");
        assertTrue(evil.startsWith("x_ERROR fake~") && evil.endsWith(".csv") && SafeText.firstControl(evil) < 0, evil);
        assertNotEquals(evil, DropNames.derived("x\rERROR fake.csv"));
        // a stem cut to fit a suffix
        String fitted = DropNames.fit("s".repeat(250), ".rejects.big5.jsonl.part", 255);
        assertEquals(255, DropNames.utf8Length(fitted));
        assertEquals("short.result.csv", DropNames.fit("short", ".result.csv", 255));
    }

    @Test
    void formulaCellsGetAQuoteThatComesOffAgain() {
        for (String v : List.of("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1")) {
            assertEquals("'" + v, CsvCells.neutralise(v));
            assertEquals(v, CsvCells.restore(CsvCells.neutralise(v)));
        }
        for (String v : List.of("", "plain", "1-2", "a=b", "'quoted", "''", "'")) {
            assertEquals(v, CsvCells.neutralise(v), v);
            assertEquals(v, CsvCells.restore(v), v);
        }
        // a value that already looks neutralised gets one more quote, so the round trip is exact
        assertEquals("''=1", CsvCells.neutralise("'=1"));
        assertEquals("'=1", CsvCells.restore(CsvCells.neutralise("'=1")));
        assertEquals("", CsvCells.neutralise((String) null));
    }

    @Test
    void controlCharactersAreEscapedInLogText() {
        assertEquals("plain 文字", SafeText.log("plain 文字"));
        assertEquals("a\\nERROR b\\r\\t\\u001B[31m\\u0000\\u2028\\u202E", SafeText.log("a\nERROR b\r\t\u001b[31m\u0000\u2028\u202e"));
        assertEquals(-1, SafeText.firstControl("id-1"));
        assertEquals(4, SafeText.firstControl("id-1\u0085"));
        assertEquals(null, SafeText.log(null));
    }
}
