package tw.einvoice.sandbox;

import java.util.Locale;
import java.util.Map;

/**
 * One injected fault: which operation it hits, what it does, how often.
 *
 * @param operation  an operation name such as {@code B2CInvoice/Issue} (letter case and a leading slash forgiven);
 *                   {@code null}, empty or {@code *} hits every operation
 * @param kind       what happens to a hit request
 * @param rate       chance per request, 0..1 (1 = every matching request); drawn from the sandbox's seeded Random
 * @param latencyMs  {@link Kind#LATENCY}: the added delay; {@link Kind#WORK_DONE_HANG}: how long the reply is held
 *                   before the connection is dropped (default 60 s, longer than any sane client timeout)
 * @param rtnCode    {@link Kind#RTN_CODE}: the transient RtnCode answered (default 9000001; 9999999 is the other one)
 * @param times      how many requests this rule may hit at most; 0 = no limit (e.g. 1 = "fail once, then recover")
 */
public record FaultRule(String operation, Kind kind, double rate, long latencyMs, int rtnCode, int times) {

    /** What a fault does to the request it hits. */
    public enum Kind {
        /** Waits {@code latencyMs}, then handles the request normally. */
        LATENCY,
        /** HTTP 503 before any work: the request was not processed. */
        HTTP_503,
        /** HTTP 403 before any work: ECPay's rate limit. */
        HTTP_403,
        /** The connection is closed before any work: no reply, nothing done. */
        DROP,
        /** The request is processed in full (an invoice may be issued), then the connection is closed with no reply. */
        WORK_DONE_DROP,
        /** The request is processed in full, then the reply is held for {@code latencyMs} and never sent: a read timeout. */
        WORK_DONE_HANG,
        /** The envelope is accepted but the answer is a transient RtnCode (9000001 / 9999999); nothing is done. */
        RTN_CODE;

        /** Reads {@code http-503}, {@code work_done_hang}, {@code WORK-DONE-DROP}, ... */
        public static Kind parse(String text) {
            String key = text == null ? "" : text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
            Kind alias = ALIASES.get(key);
            if (alias != null) {
                return alias;
            }
            try {
                return valueOf(key);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown fault kind '" + text + "'; known: latency, http-503, http-403, drop, "
                        + "work-done-drop, work-done-hang, rtn-code");
            }
        }

        private static final Map<String, Kind> ALIASES = Map.of("503", HTTP_503, "403", HTTP_403,
                "TIMEOUT", WORK_DONE_HANG, "HANG", WORK_DONE_HANG, "RTNCODE", RTN_CODE, "DROP_BEFORE_REPLY", DROP);
    }

    public static final long DEFAULT_HANG_MS = 60_000;
    public static final int DEFAULT_RTN_CODE = 9000001;

    public FaultRule {
        if (kind == null) {
            throw new IllegalArgumentException("a fault needs a kind");
        }
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("fault rate must be between 0 and 1, got " + rate);
        }
        if (latencyMs < 0 || times < 0) {
            throw new IllegalArgumentException("fault latency-ms and times may not be negative");
        }
        operation = operation == null || operation.isBlank() || operation.strip().equals("*") ? null
                : operation.strip().replaceFirst("^/", "");
        if (kind == Kind.WORK_DONE_HANG && latencyMs == 0) {
            latencyMs = DEFAULT_HANG_MS;
        }
        if (kind == Kind.RTN_CODE && rtnCode == 0) {
            rtnCode = DEFAULT_RTN_CODE;
        }
    }

    /** Every request of {@code operation} (null: every operation) gets this fault. */
    public static FaultRule always(String operation, Kind kind) {
        return new FaultRule(operation, kind, 1.0, 0, 0, 0);
    }

    public FaultRule withRate(double newRate) {
        return new FaultRule(operation, kind, newRate, latencyMs, rtnCode, times);
    }

    public FaultRule withLatencyMs(long ms) {
        return new FaultRule(operation, kind, rate, ms, rtnCode, times);
    }

    public FaultRule withRtnCode(int code) {
        return new FaultRule(operation, kind, rate, latencyMs, code, times);
    }

    public FaultRule withTimes(int max) {
        return new FaultRule(operation, kind, rate, latencyMs, rtnCode, max);
    }

    boolean matches(String operationName) {
        return operation == null || operation.equalsIgnoreCase(operationName);
    }

    /**
     * Reads a rule from {@code key=value} pairs: {@code operation}, {@code kind}, {@code rate} (default 1),
     * {@code latency-ms}, {@code rtn-code}, {@code times}.
     */
    public static FaultRule fromMap(Map<String, String> values, String where) {
        try {
            String kind = values.get("kind");
            if (kind == null) {
                throw new IllegalArgumentException("kind is missing");
            }
            for (String key : values.keySet()) {
                if (!java.util.Set.of("operation", "kind", "rate", "latency-ms", "rtn-code", "times").contains(key)) {
                    throw new IllegalArgumentException("unknown key '" + key
                            + "' (known: operation, kind, rate, latency-ms, rtn-code, times)");
                }
            }
            return new FaultRule(values.get("operation"), Kind.parse(kind),
                    Double.parseDouble(values.getOrDefault("rate", "1").strip()),
                    Long.parseLong(values.getOrDefault("latency-ms", "0").strip()),
                    Integer.parseInt(values.getOrDefault("rtn-code", "0").strip()),
                    Integer.parseInt(values.getOrDefault("times", "0").strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** Reads the command-line form {@code operation=B2CInvoice/Issue,kind=http-503,rate=0.2}. */
    public static FaultRule parse(String spec) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("fault '" + spec + "': '" + part + "' is not key=value");
            }
            values.put(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).strip());
        }
        return fromMap(values, "fault '" + spec + "'");
    }
}
