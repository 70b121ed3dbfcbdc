package tw.einvoice.intake;

import tw.einvoice.protocol.SafeText;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names derived from a dropped file's name (archive copy, {@code .failed} copy, result and rejects files, dead-letter
 * files, the commands' source_name) must fit the file system's 255-byte limit once a time stamp and suffixes such as
 * {@code .rejects.big5.jsonl.part} are added. A name that is too long, or holds control characters, is shortened and
 * cleaned, and a hash of the full name keeps two such names apart: {@code <first bytes>~<8 hex>.<format suffix>}.
 * The format suffix ({@code .csv}, {@code .big5.jsonl} ...) is always kept, since it tells format and charset.
 */
public final class DropNames {

    /** Longest name (UTF-8 bytes) kept as it is in derived names: stamp + name + the longest suffix stays below 255. */
    public static final int MAX_KEPT_BYTES = 150;
    /** File names on common file systems (ext4, XFS, NTFS in UTF-16 units, APFS) hold at most 255 bytes. */
    public static final int MAX_NAME_BYTES = 255;
    /** The longest name the inbox can take in: the file consumer's read lock writes {@code <name>.camelLock} beside it. */
    public static final int MAX_INBOX_NAME_BYTES = MAX_NAME_BYTES - ".camelLock".length();

    private static final Pattern FORMAT_SUFFIX = Pattern.compile("(?i)((\\.big5)?\\.(csv|jsonl|ndjson))$");

    private DropNames() {
    }

    public static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The dropped name as it appears in derived names: itself when short and clean, else shortened with a hash. */
    public static String derived(String name) {
        String clean = clean(name);
        if (clean.equals(name) && utf8Length(name) <= MAX_KEPT_BYTES) {
            return name;
        }
        Matcher m = FORMAT_SUFFIX.matcher(clean);
        String suffix = m.find() ? m.group(1) : "";
        return shorten(clean.substring(0, clean.length() - suffix.length()), name, suffix, MAX_KEPT_BYTES);
    }

    /**
     * {@code stem + suffix} when it fits in {@code maxBytes}; else the stem cut short and marked with a hash of the
     * whole stem, so the result still fits and differs from other stems cut the same way.
     */
    public static String fit(String stem, String suffix, int maxBytes) {
        if (utf8Length(stem) + utf8Length(suffix) <= maxBytes) {
            return stem + suffix;
        }
        return shorten(stem, stem, suffix, maxBytes);
    }

    private static String shorten(String stem, String hashOf, String suffix, int maxBytes) {
        String mark = "~" + hash(hashOf);
        int budget = maxBytes - utf8Length(suffix) - mark.length();
        return cut(stem, Math.max(0, budget)) + mark + suffix;
    }

    /** Control characters (and '/') replaced by '_'. */
    static String clean(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            out.append(SafeText.isControl(c) || c == '/' ? '_' : c);
        }
        return out.toString();
    }

    /** The longest prefix of {@code s} that fits in {@code maxBytes} UTF-8 bytes, never splitting a character. */
    static String cut(String s, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > maxBytes) {
                break;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
