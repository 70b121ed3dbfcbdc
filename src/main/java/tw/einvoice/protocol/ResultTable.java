package tw.einvoice.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What each generic result code means: HTTP statuses, TransCodes, RtnCodes and RtnMsg fragments, read from
 * properties such as {@code rtncode.9000001 = RETRY alert | ECPay could not reach the Ministry of Finance}.
 * Operation-specific success and already-done codes live in the operation catalog instead.
 * Keys: {@code http.<status>}, {@code http.5xx}, {@code transcode.<code>}, {@code rtncode.<code>},
 * {@code rtncode.<code>.<Operation>} (for one operation only) and {@code rtnmsg.<text found in RtnMsg>}.
 * Value: {@code VERDICT [after=ISO-8601 duration] [pause-merchant] [alert] | reason}.
 */
public final class ResultTable {

    private static final String DEFAULTS = "result-codes.properties";
    private static final Pattern KEY = Pattern.compile(
            "http\\.([1-5][0-9]{2}|[1-5]xx)|transcode\\.-?[0-9]+|rtncode\\.-?[0-9]+(\\.B2[BC]Invoice/[A-Za-z]+)?|rtnmsg\\..+");

    private final Map<String, Outcome> entries;

    private ResultTable(Map<String, Outcome> entries) {
        this.entries = entries;
    }

    public static ResultTable defaults() {
        try (InputStream in = ResultTable.class.getResourceAsStream(DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException("result-code table " + DEFAULTS + " is missing from the classpath");
            }
            return new ResultTable(read(new InputStreamReader(in, StandardCharsets.UTF_8), DEFAULTS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The defaults with the entries of {@code overrides} (UTF-8 properties) laid over them. */
    public ResultTable withOverrides(Reader overrides, String source) {
        Map<String, Outcome> merged = new LinkedHashMap<>(entries);
        merged.putAll(read(overrides, source));
        return new ResultTable(merged);
    }

    private static Map<String, Outcome> read(Reader reader, String source) {
        Properties props = new Properties();
        try {
            props.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read result-code table " + source, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("result-code table " + source + " is malformed: " + e.getMessage(), e);
        }
        Map<String, Outcome> out = new LinkedHashMap<>();
        for (String key : props.stringPropertyNames()) {
            String k = key.strip();
            if (!KEY.matcher(k).matches()) {
                // a mistyped key would otherwise be ignored without a word
                throw new IllegalArgumentException("result-code table " + source + ", key " + k + ": not a known kind of key"
                        + " (expected http.<status>, http.5xx, transcode.<code>, rtncode.<code>, rtncode.<code>.<Operation>"
                        + " or rtnmsg.<text>)");
            }
            out.put(k, parseEntry(source, k, props.getProperty(key)));
        }
        return out;
    }

    static Outcome parseEntry(String source, String key, String value) {
        int bar = value.indexOf('|');
        String head = (bar < 0 ? value : value.substring(0, bar)).strip();
        String reason = bar < 0 ? "" : value.substring(bar + 1).strip();
        String[] words = head.split("\\s+");
        Verdict verdict;
        try {
            verdict = Verdict.valueOf(words[0].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("result-code table " + source + ", key " + key + ": '" + words[0]
                    + "' is not one of SUCCESS, ALREADY_DONE, RETRY, UNKNOWN, DEAD");
        }
        Duration after = Duration.ZERO;
        boolean pause = false;
        boolean alert = false;
        for (int i = 1; i < words.length; i++) {
            String w = words[i];
            if (w.startsWith("after=")) {
                try {
                    after = Duration.parse(w.substring(6));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("result-code table " + source + ", key " + key + ": '" + w
                            + "' is not an ISO-8601 duration such as after=PT30M");
                }
            } else if (w.equals("pause-merchant")) {
                pause = true;
            } else if (w.equals("alert")) {
                alert = true;
            } else {
                throw new IllegalArgumentException("result-code table " + source + ", key " + key + ": unknown word '" + w
                        + "' (expected after=…, pause-merchant or alert)");
            }
        }
        return new Outcome(verdict, reason, after, pause, alert);
    }

    public Outcome http(int status) {
        Outcome exact = entries.get("http." + status);
        return exact != null ? exact : entries.get("http." + (status / 100) + "xx");
    }

    public Outcome transCode(int code) {
        return entries.get("transcode." + code);
    }

    public Outcome rtnCode(int code, String operation) {
        Outcome specific = entries.get("rtncode." + code + "." + operation);
        return specific != null ? specific : entries.get("rtncode." + code);
    }

    public Outcome rtnMsg(String message) {
        if (message == null || message.isEmpty()) {
            return null;
        }
        // the longest matching fragment wins, so that the answer does not depend on the order of the file
        return entries.entrySet().stream()
                .filter(e -> e.getKey().startsWith("rtnmsg.") && message.contains(e.getKey().substring(7)))
                .max(java.util.Comparator.comparingInt((Map.Entry<String, Outcome> e) -> e.getKey().length())
                        .thenComparing(Map.Entry::getKey, java.util.Comparator.reverseOrder()))
                .map(Map.Entry::getValue)
                .orElse(null);
    }
}
