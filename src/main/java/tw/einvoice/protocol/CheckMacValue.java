package tw.einvoice.protocol;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * ECPay's CheckMacValue over form fields, as ECPay signs the form POSTs it sends back (the e-invoice callbacks use MD5:
 * AllowanceByCollegiate's ReturnURL and DelayIssue's NotifyURL, docs/callbacks.md).
 *
 * <p>The algorithm, as ECPay's PHP SDK implements it (ECPay/SDK_PHP src/Services/CheckMacValueService.php,
 * UrlService.php, ArrayService.php): every field except CheckMacValue, sorted by name case-insensitively (PHP
 * {@code strcasecmp}), joined as {@code HashKey=..&name=value&...&HashIV=..}; that string URL-encoded the PHP way
 * ({@code urlencode}: space as {@code +}), lower-cased, then {@code %2d %5f %2e %21 %2a %28 %29} turned back into
 * {@code - _ . ! * ( )} as .NET's encoder leaves them; hashed (MD5 or SHA-256) and upper-cased. The test vectors are
 * those of ECPay/ECPay-API-Skill test-vectors/checkmacvalue.json.
 */
public final class CheckMacValue {

    /** The form field that carries the value; never part of what is hashed. */
    public static final String FIELD = "CheckMacValue";

    public enum Hash {
        MD5("MD5"), SHA256("SHA-256");

        private final String jca;

        Hash(String jca) {
            this.jca = jca;
        }
    }

    private final Credentials credentials;
    private final Hash hash;

    public CheckMacValue(Credentials credentials, Hash hash) {
        this.credentials = credentials;
        this.hash = hash;
    }

    /** MD5, as the e-invoice callbacks are signed. */
    public static CheckMacValue invoice(Credentials credentials) {
        return new CheckMacValue(credentials, Hash.MD5);
    }

    /** The CheckMacValue of these fields (a CheckMacValue among them is left out). */
    public String compute(Map<String, String> fields) {
        // strcasecmp order; a tie (names equal but for case) is broken by the exact name so the order stays total
        TreeMap<String, String> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER.thenComparing(Comparable::compareTo));
        fields.forEach((k, v) -> {
            if (!FIELD.equalsIgnoreCase(k)) {
                sorted.put(k, v == null ? "" : v);
            }
        });
        StringBuilder raw = new StringBuilder("HashKey=").append(credentials.hashKey());
        sorted.forEach((k, v) -> raw.append('&').append(k).append('=').append(v));
        raw.append("&HashIV=").append(credentials.hashIv());
        return HexFormat.of().withUpperCase().formatHex(digest(dotNetUrlEncode(raw.toString())));
    }

    /**
     * True when the fields carry the CheckMacValue these credentials give them. The comparison takes the same time
     * however much of the value is right; case is ignored (a hex digest).
     */
    public boolean verify(Map<String, String> fields) {
        String given = fields.get(FIELD);
        if (given == null) {
            return false;
        }
        byte[] expected = compute(fields).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given.strip().toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * PHP's {@code urlencode}, lower-cased, with the characters .NET does not encode put back. Java's URLEncoder
     * differs from PHP's only in leaving {@code *} as it is, which the .NET step restores anyway.
     */
    static String dotNetUrlEncode(String s) {
        String encoded = URLEncoder.encode(s, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        return encoded.replace("%2d", "-").replace("%5f", "_").replace("%2e", ".").replace("%21", "!")
                .replace("%2a", "*").replace("%28", "(").replace("%29", ")");
    }

    private byte[] digest(String text) {
        try {
            return MessageDigest.getInstance(hash.jca).digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(hash.jca + " is missing from this Java runtime", e);
        }
    }
}
