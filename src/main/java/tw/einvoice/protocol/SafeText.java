package tw.einvoice.protocol;

/**
 * Input text on its way into a log line or a key: control characters (C0, DEL, C1), line and paragraph separators and
 * bidirectional overrides can forge log lines or hide what a value really is. {@link #log} shows them escaped
 * ({@code \n}, {@code \u001B}); {@link #firstControl} finds them so intake can refuse keys holding one.
 */
public final class SafeText {

    private SafeText() {
    }

    /** True for characters a key may not hold and a log line must not carry raw. */
    public static boolean isControl(int c) {
        return Character.getType(c) == Character.CONTROL
                || c == '\u2028' || c == '\u2029'
                || c == '\u200E' || c == '\u200F'
                || (c >= '\u202A' && c <= '\u202E')
                || (c >= '\u2066' && c <= '\u2069');
    }

    /** The index of the first control character, or -1. */
    public static int firstControl(String s) {
        if (s == null) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (isControl(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** {@code U+001B} for a character, as reasons name it. */
    public static String codePoint(char c) {
        return String.format("U+%04X", (int) c);
    }

    /**
     * The text with every control character escaped ({@code \n}, {@code \r}, {@code \t}, else {@code \u001B}), so input
     * can never start a log line of its own; backslashes are left as they are. Null stays null.
     */
    public static String log(Object value) {
        if (value == null) {
            return null;
        }
        String s = value.toString();
        if (firstControl(s) < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isControl(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append(String.format("\\u%04X", (int) c));
            }
        }
        return out.toString();
    }
}
