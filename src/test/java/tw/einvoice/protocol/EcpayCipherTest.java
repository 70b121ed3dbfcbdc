package tw.einvoice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tw.einvoice.protocol.EcpayCipherException.Reason;

/** The Data cipher against the published vectors (ecpay-protocol.md §4), a recorded live reply and random text. */
class EcpayCipherTest {

    static final String STAGE_KEY = "ejCk326UnaZWKisg";
    static final String STAGE_IV = "q9jcZX8Ib9LM8wYk";
    static final EcpayCipher STAGE = new EcpayCipher(STAGE_KEY, STAGE_IV);

    static final String LIVE_REPLY = "6xafbXXjyQnBuHWKr5nDl3elIhyu1OUPiZsXnreThwQMIYbPFyWZHL9ALxDT9maQm1zzov+o2Suh56+NpeqrtK7A6Ew"
            + "TVdAJGbl/4ATxEScKukTLEjpSflzkNBeN513sqfGsjM8REOlO29AJFOeRnrOo5432DG/4QTh9AKByqLTc+Gk1vR89eB7vnyY0dmrcz4x7VMZTWkm"
            + "hg8NAf8njGLUwIf8pJBiDuESGZYz0Oc1gsuS2mnguBB5llViW/0rCHGNRPRVVcZUuZpKIO9OSjNSTFF+QGUmb1jH970qkBb89KmwoGduqLrM9DNX"
            + "Nwvko";
    static final String LIVE_REPLY_JSON = "{\"RtnCode\":1,\"RtnMsg\":\"開立發票成功\",\"InvoiceNo\":\"LA25008605\","
            + "\"InvoiceDate\":\"2026-08-15 23:29:10\",\"RandomNumber\":\"5706\"}";

    // ---- published vectors, encrypt direction ----

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "stage key | ejCk326UnaZWKisg | q9jcZX8Ib9LM8wYk | {\"Name\":\"Test\",\"ID\":\"A123456789\"} "
                + "| %7B%22Name%22%3A%22Test%22%2C%22ID%22%3A%22A123456789%22%7D "
                + "| uvI4yrErM37XNQkXGAgRgJAgHn2t72jahaMZzYhWL1HmvH4WV18VJDP2i9pTbC+tby5nxVExLLFyAkbjbS2Dvg==",
        "other key | A123456789012345 | B123456789012345 | {\"Name\":\"Test\",\"ID\":\"A123456789\"} "
                + "| %7B%22Name%22%3A%22Test%22%2C%22ID%22%3A%22A123456789%22%7D "
                + "| 7woM9RorZKAtXJRVccAb0qhHYm+5lnlhBzyfh5EZdNck7PacNsRHgv/Jvp//ajJidqcQcs0UmAgPQVjXQHeziw==",
        "PHP-only characters | ejCk326UnaZWKisg | q9jcZX8Ib9LM8wYk | {\"Name\":\"test!*'()~value\"} "
                + "| %7B%22Name%22%3A%22test%21%2A%27%28%29%7Evalue%22%7D "
                + "| uvI4yrErM37XNQkXGAgRgBuDOiJoVs72Xn/rum9Ejl1DSna4HyLSoY7764PmhTR7JXb9jJWLSjCGcZEDeFiABg==",
        "full padding block | ejCk326UnaZWKisg | q9jcZX8Ib9LM8wYk | {\"N\":\"1234567890\"} "
                + "| %7B%22N%22%3A%221234567890%22%7D "
                + "| gVwWJnIpl1m3ZDypcRAjiCctilYnQhHn4h8OzJP5IxQPov7HuysXX+jPONvrHS7Z",
    })
    void reproducesEveryPublishedVectorByteForByte(String name, String key, String iv, String json, String encoded, String base64) {
        EcpayCipher cipher = new EcpayCipher(key, iv);
        assertEquals(encoded, EcpayCipher.urlEncode(json), "the string that is encrypted");
        assertEquals(base64, cipher.encrypt(json), "the Base64 Data");
        assertEquals(json, cipher.decrypt(base64), "and back");
    }

    @Test
    void fullPaddingVectorReallyIsTwoBlocksPlusOneOfPadding() {
        assertEquals(32, EcpayCipher.urlEncode("{\"N\":\"1234567890\"}").length());
        assertEquals(48, Base64.getDecoder().decode(STAGE.encrypt("{\"N\":\"1234567890\"}")).length);
    }

    @Test
    void decryptsTheLowerCaseHexVectorAsDotNetSendsIt() {
        String dotNet = "ZD/z07UvdmL3aYz0tsVo+bFXF5VldNcns6ezyfea777KOmLiizrUNDYe+v1bh2QTT4AySf1NICgXxWXB6f7c6A==";
        // the vector's plaintext is the lower-case-hex string itself
        assertEquals("%7b%22Name%22%3a%22Test%22%2c%22ID%22%3a%22A123456789%22%7d", aesDecryptRaw(STAGE_KEY, STAGE_IV, dotNet));
        assertEquals(dotNet, aesEncryptRaw(STAGE_KEY, STAGE_IV, "%7b%22Name%22%3a%22Test%22%2c%22ID%22%3a%22A123456789%22%7d"));
        assertEquals("{\"Name\":\"Test\",\"ID\":\"A123456789\"}", STAGE.decrypt(dotNet));
    }

    @Test
    void decryptsTheRecordedLiveReplyToExactlyTheJsonShown() {
        assertEquals(LIVE_REPLY_JSON, STAGE.decrypt(LIVE_REPLY));
        // the live server writes .NET style: lower-case hex and '+' for the space in the date
        assertTrue(aesDecryptRaw(STAGE_KEY, STAGE_IV, LIVE_REPLY).contains("2026-08-15+23%3a29%3a10"));
    }

    @Test
    void toleratesLineBreaksAndSurroundingSpaceInBase64() {
        String wrapped = LIVE_REPLY.substring(0, 76) + "\r\n" + LIVE_REPLY.substring(76, 152) + "\n" + LIVE_REPLY.substring(152);
        assertEquals(LIVE_REPLY_JSON, STAGE.decrypt("  " + wrapped + "\n"));
    }

    // ---- properties over random text ----

    /** The characters that break naive encoders, plus CJK, emoji, whitespace and control characters. */
    private static final int[] TRICKY = ("+%&=~*'()!/\\\" \n\r\t:;,.?#@[]{}<>^`|$-_"
            + "開立發票成功系統忙碌請稍後重覆重複統一編號").codePoints().toArray();
    private static final int[] EMOJI = {0x1F600, 0x1F9FE, 0x1F4B0, 0x2764, 0xFE0F, 0x1F1F9, 0x1F1FC};

    static String randomText(Random random, int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(6)) {
                case 0 -> sb.appendCodePoint(TRICKY[random.nextInt(TRICKY.length)]);
                case 1 -> sb.appendCodePoint(EMOJI[random.nextInt(EMOJI.length)]);
                case 2 -> sb.appendCodePoint(0x4E00 + random.nextInt(0x9FFF - 0x4E00)); // CJK unified ideographs
                case 3 -> sb.appendCodePoint(0x20 + random.nextInt(0x5F)); // printable ASCII
                case 4 -> sb.appendCodePoint(random.nextInt(0x20)); // control characters
                default -> sb.appendCodePoint(randomValidCodePoint(random));
            }
        }
        return sb.toString();
    }

    private static int randomValidCodePoint(Random random) {
        while (true) {
            int cp = random.nextInt(0x30000);
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                return cp;
            }
        }
    }

    @Test
    void randomTextRoundTripsExactly() {
        Random random = new Random(20260815L);
        for (int i = 0; i < 3000; i++) {
            String text = randomText(random, 60);
            String encrypted = STAGE.encrypt(text);
            assertEquals(text, STAGE.decrypt(encrypted), () -> "case " + codePoints(text));
            // what is encrypted is PHP urlencode output: [A-Za-z0-9._-], '+' and upper-case %XX only
            String encoded = EcpayCipher.urlEncode(text);
            assertTrue(encoded.matches("([A-Za-z0-9._+-]|%[0-9A-F]{2})*"), () -> "encoding of " + codePoints(text) + ": " + encoded);
        }
    }

    @Test
    void randomTextEncodedDotNetStyleDecodesRight() {
        Random random = new Random(42L);
        for (int i = 0; i < 3000; i++) {
            String text = randomText(random, 60);
            String dotNet = dotNetUrlEncode(text);
            assertEquals(text, EcpayCipher.urlDecode(dotNet), () -> "decode of " + dotNet);
            // and the whole reply path: AES over the .NET-encoded text, as the live server sends it
            assertEquals(text, STAGE.decrypt(aesEncryptRaw(STAGE_KEY, STAGE_IV, dotNet)), () -> "decrypt of " + dotNet);
        }
    }

    @Test
    void literalPlusAndPercentSurviveBothWays() {
        assertEquals("a%2Bb%25c+d", EcpayCipher.urlEncode("a+b%c d"));
        assertEquals("a+b%c d", EcpayCipher.urlDecode("a%2bb%25c+d"));
        assertEquals("2026-08-15 23:29:10", EcpayCipher.urlDecode("2026-08-15+23%3a29%3a10"));
    }

    // ---- failures are specific, never garbage ----

    @Test
    void wrongKeysNeverYieldText() {
        Random random = new Random(7L);
        String shortCipher = STAGE.encrypt("{\"N\":\"1234567890\"}");
        EnumSet<Reason> seen = EnumSet.noneOf(Reason.class);
        for (int i = 0; i < 3000; i++) {
            String key = randomAscii(random);
            String iv = i % 2 == 0 ? STAGE_IV : randomAscii(random);
            EcpayCipher wrong = new EcpayCipher(key, iv);
            for (String data : new String[] {LIVE_REPLY, shortCipher}) {
                try {
                    String garbage = wrong.decrypt(data);
                    fail("key " + i + " decrypted to " + garbage);
                } catch (EcpayCipherException e) {
                    assertTrue(e.reason() == Reason.BAD_PADDING || e.reason() == Reason.NOT_URL_ENCODED, e.reason().name());
                    seen.add(e.reason());
                    assertSecretsAbsent(e, key, iv);
                }
            }
        }
        // both layers of defence are exercised: padding alone lets roughly 1 in 256 wrong keys through
        assertEquals(EnumSet.of(Reason.BAD_PADDING, Reason.NOT_URL_ENCODED), seen);
    }

    @Test
    void wrongIvAloneIsCaughtToo() {
        // with CBC a wrong IV only spoils the first block; the printable-text check must catch it
        EcpayCipher wrongIv = new EcpayCipher(STAGE_KEY, "0000000000000000");
        EcpayCipherException e = assertThrows(EcpayCipherException.class, () -> wrongIv.decrypt(LIVE_REPLY));
        assertEquals(Reason.NOT_URL_ENCODED, e.reason());
        assertSecretsAbsent(e, STAGE_KEY, "0000000000000000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"this is not Base64!", "uvI4yrErM37XNQkX GAgRgJAgHn2t7@jah", "%7B%22Name%22%3A%7D", "####", "é"})
    void nonBase64IsReportedAsSuch(String data) {
        EcpayCipherException e = assertThrows(EcpayCipherException.class, () -> STAGE.decrypt(data));
        assertEquals(Reason.NOT_BASE64, e.reason(), e.getMessage());
        assertSecretsAbsent(e, STAGE_KEY, STAGE_IV);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 15, 17, 31, 33})
    void wrongLengthIsReportedAsSuch(int bytes) {
        String data = Base64.getEncoder().encodeToString(new byte[bytes]);
        EcpayCipherException e = assertThrows(EcpayCipherException.class, () -> STAGE.decrypt(data));
        assertEquals(Reason.BAD_LENGTH, e.reason());
        assertTrue(e.getMessage().contains(bytes + " bytes"), e.getMessage());
    }

    @Test
    void truncatedCiphertextIsBadLength() {
        byte[] raw = Base64.getDecoder().decode(LIVE_REPLY);
        byte[] cut = java.util.Arrays.copyOf(raw, raw.length - 5);
        EcpayCipherException e = assertThrows(EcpayCipherException.class,
                () -> STAGE.decrypt(Base64.getEncoder().encodeToString(cut)));
        assertEquals(Reason.BAD_LENGTH, e.reason());
    }

    @Test
    void emptyOrNullDataIsEmpty() {
        assertEquals(Reason.EMPTY, assertThrows(EcpayCipherException.class, () -> STAGE.decrypt(null)).reason());
        assertEquals(Reason.EMPTY, assertThrows(EcpayCipherException.class, () -> STAGE.decrypt(" ")).reason());
    }

    @Test
    void plaintextThatIsNotUrlEncodingIsRejected() {
        // printable, right key, but '%' not followed by two hex digits: a broken encoder on the other side
        String data = aesEncryptRaw(STAGE_KEY, STAGE_IV, "%7B%22Name%22%3A%22100%%22%7D");
        EcpayCipherException e = assertThrows(EcpayCipherException.class, () -> STAGE.decrypt(data));
        assertEquals(Reason.NOT_URL_ENCODED, e.reason());
    }

    @Test
    void percentEncodedBytesThatAreNotUtf8AreRejectedNotReplaced() {
        // %C3%28 is invalid UTF-8: a lenient decoder would silently turn it into U+FFFD
        String data = aesEncryptRaw(STAGE_KEY, STAGE_IV, "%7B%22N%22%3A%22%C3%28%22%7D");
        EcpayCipherException e = assertThrows(EcpayCipherException.class, () -> STAGE.decrypt(data));
        assertEquals(Reason.NOT_URL_ENCODED, e.reason());
    }

    @Test
    void keysMustBeSixteenAsciiCharactersAndAreNeverEchoed() {
        for (String bad : new String[] {"short", "ejCk326UnaZWKisgX", "ejCk326UnaZWKis發", "ejCk326Una WKisg"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EcpayCipher(bad, STAGE_IV));
            assertTrue(e.getMessage().contains("HashKey"), e.getMessage());
            assertFalse(e.getMessage().contains(bad), e.getMessage());
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> new EcpayCipher(STAGE_KEY, bad));
            assertTrue(e2.getMessage().contains("HashIV"), e2.getMessage());
            assertFalse(e2.getMessage().contains(bad), e2.getMessage());
            assertFalse(e2.getMessage().contains(STAGE_KEY), e2.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new EcpayCipher(null, STAGE_IV));
        assertThrows(IllegalArgumentException.class, () -> new EcpayCipher(STAGE_KEY, ""));
    }

    @Test
    void toStringsHideKeyMaterial() {
        assertSecretsAbsent(STAGE.toString(), STAGE_KEY, STAGE_IV);
        assertSecretsAbsent(Credentials.PUBLIC_STAGE.toString(), STAGE_KEY, STAGE_IV);
        assertTrue(Credentials.PUBLIC_STAGE.toString().contains("2000132"));
    }

    // ---- helpers ----

    private static void assertSecretsAbsent(Throwable e, String key, String iv) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertSecretsAbsent(String.valueOf(t.getMessage()), key, iv);
            assertSecretsAbsent(t.toString(), key, iv);
        }
    }

    private static void assertSecretsAbsent(String text, String key, String iv) {
        assertFalse(text.contains(key), () -> "key leaked in: " + text);
        assertFalse(text.contains(iv), () -> "IV leaked in: " + text);
    }

    private static String randomAscii(Random random) {
        StringBuilder sb = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
            sb.append((char) (0x21 + random.nextInt(0x7e - 0x21)));
        }
        return sb.toString();
    }

    /** .NET HttpUtility.UrlEncode: lower-case hex, '+' for space, {@code -_.!*()} left as they are. */
    static String dotNetUrlEncode(String text) {
        StringBuilder sb = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == ' ') {
                sb.append('+');
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_.!*()".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return sb.toString();
    }

    /** AES-128-CBC of an already URL-encoded text, bypassing the class under test. */
    static String aesEncryptRaw(String key, String iv, String plain) {
        try {
            Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "AES"),
                    new IvParameterSpec(iv.getBytes(StandardCharsets.US_ASCII)));
            return Base64.getEncoder().encodeToString(c.doFinal(plain.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String aesDecryptRaw(String key, String iv, String base64) {
        try {
            Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "AES"),
                    new IvParameterSpec(iv.getBytes(StandardCharsets.US_ASCII)));
            return new String(c.doFinal(Base64.getDecoder().decode(base64)), StandardCharsets.US_ASCII);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String codePoints(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> sb.append(String.format("U+%04X ", cp)));
        return sb.toString();
    }
}
