package tw.einvoice.intake;

import java.nio.charset.Charset;
import java.util.Locale;

/**
 * The two drop formats, told apart by file name: {@code .jsonl} / {@code .ndjson} are JSON Lines, {@code .csv} is CSV
 * with a header row. A {@code .big5} part before the extension ({@code orders.big5.csv}) marks a Big5 file.
 */
public enum DropFormat {
    JSONL("jsonl"), CSV("csv");

    private final String extension;

    DropFormat(String extension) {
        this.extension = extension;
    }

    public String extension() {
        return extension;
    }

    /** The format a file name announces, or null when it is neither. */
    public static DropFormat of(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
            return JSONL;
        }
        if (n.endsWith(".csv")) {
            return CSV;
        }
        return null;
    }

    /**
     * Big5 as Taiwanese ERPs write it: Microsoft's code page 950, a superset of strict Big5 that also holds characters
     * such as 碁 (as in 宏碁), 裏, 恒 and the euro sign, which strict Big5 cannot decode.
     */
    public static final Charset BIG5 = Charset.forName("x-windows-950");

    /** A charset by name; "Big5" (any letter case) means {@link #BIG5}. */
    public static Charset charset(String name) {
        return name.strip().equalsIgnoreCase("big5") ? BIG5 : Charset.forName(name.strip());
    }

    /** Big5 when the name says so ({@code x.big5.csv}), else the configured default (UTF-8 unless changed). */
    public static Charset charsetOf(String fileName, Charset defaultCharset) {
        return isBig5Name(fileName) ? BIG5 : defaultCharset;
    }

    static boolean isBig5Name(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).matches(".*\\.big5\\.(csv|jsonl|ndjson)");
    }

    /**
     * The name without its format suffix ({@code .csv}, {@code .big5.csv}, {@code .jsonl} ...): the stem that result
     * and reject files are named after.
     */
    public static String stem(String fileName) {
        return fileName.replaceFirst("(?i)(\\.big5)?\\.(csv|jsonl|ndjson)$", "");
    }
}
