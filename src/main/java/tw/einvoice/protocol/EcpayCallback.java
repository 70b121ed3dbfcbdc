package tw.einvoice.protocol;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One form POST ECPay sends back (application/x-www-form-urlencoded, signed with a {@link CheckMacValue}): DelayIssue's
 * NotifyURL when the delayed invoice is issued, AllowanceByCollegiate's ReturnURL when the buyer agreed to the
 * allowance. The fields are kept as they came; the key fields a command is found by are read under each name ECPay is
 * known to use for them (docs/callbacks.md lists the sources).
 */
public record EcpayCallback(Kind kind, Map<String, String> fields) {

    /** Forms larger than this are refused unread: ECPay's carry a dozen short fields. */
    public static final int MAX_FORM_CHARS = 8192;
    private static final int MAX_FIELDS = 64;

    public enum Kind {
        DELAY_ISSUE("DelayIssue", "B2CInvoice/DelayIssue", "delay-issue"),
        ALLOWANCE_BY_COLLEGIATE("AllowanceByCollegiate", "B2CInvoice/AllowanceByCollegiate", "allowance");

        private final String label;
        private final String operation;
        private final String path;

        Kind(String label, String operation, String path) {
            this.label = label;
            this.operation = operation;
            this.path = path;
        }

        /** The name used in the journal, the logs and the metrics. */
        public String label() {
            return label;
        }

        /** The operation whose command asked for this callback. */
        public String operation() {
            return operation;
        }

        /** The last part of its receiving path, /ecpay/notify/&lt;path&gt; (docs/callbacks.md). */
        public String path() {
            return path;
        }

        /** The kind received at /ecpay/notify/&lt;path&gt;, or null for any other path. */
        public static Kind ofPath(String path) {
            for (Kind k : values()) {
                if (k.path.equals(path)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** A body that is not a form ECPay could have sent; the message names the problem, never the content. */
    public static final class MalformedCallbackException extends RuntimeException {
        public MalformedCallbackException(String message) {
            super(message);
        }
    }

    public EcpayCallback {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Reads an application/x-www-form-urlencoded body (UTF-8). */
    public static EcpayCallback parse(Kind kind, String body) {
        if (body != null && body.length() > MAX_FORM_CHARS) {
            throw new MalformedCallbackException("form of " + body.length() + " characters, more than " + MAX_FORM_CHARS);
        }
        List<Map.Entry<String, Object>> pairs = new ArrayList<>();
        for (String pair : body == null ? new String[0] : body.strip().split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                pairs.add(Map.entry(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)));
            } catch (IllegalArgumentException e) {
                throw new MalformedCallbackException("not URL-encoded form data");
            }
        }
        return of(kind, pairs);
    }

    /**
     * A form an HTTP server already decoded: name to value, or to a list of values when the name came more than once
     * (refused, as a name given twice).
     */
    public static EcpayCallback of(Kind kind, Map<?, ?> form) {
        List<Map.Entry<String, Object>> pairs = new ArrayList<>();
        form.forEach((k, v) -> pairs.add(Map.entry(String.valueOf(k), v == null ? "" : v)));
        return of(kind, pairs);
    }

    private static EcpayCallback of(Kind kind, List<Map.Entry<String, Object>> pairs) {
        Map<String, String> fields = new LinkedHashMap<>();
        int chars = 0;
        for (Map.Entry<String, Object> pair : pairs) {
            String name = pair.getKey();
            if (pair.getValue() instanceof Collection<?> values && values.size() != 1) {
                throw new MalformedCallbackException("a field given twice");
            }
            String value = pair.getValue() instanceof Collection<?> values ? String.valueOf(values.iterator().next())
                    : String.valueOf(pair.getValue());
            if (name.isBlank()) {
                throw new MalformedCallbackException("a field without a name");
            }
            if (fields.keySet().stream().anyMatch(name::equalsIgnoreCase)) {
                throw new MalformedCallbackException("a field given twice");
            }
            fields.put(name, value);
            chars += name.length() + value.length() + 2;
            if (fields.size() > MAX_FIELDS || chars > MAX_FORM_CHARS) {
                throw new MalformedCallbackException("more than " + MAX_FIELDS + " fields or " + MAX_FORM_CHARS + " characters");
            }
        }
        if (fields.isEmpty()) {
            throw new MalformedCallbackException("empty form");
        }
        return new EcpayCallback(kind, fields);
    }

    public String merchantId() {
        return field("MerchantID");
    }

    public String tsr() {
        return field("Tsr");
    }

    public String relateNumber() {
        return field("RelateNumber");
    }

    /** InvoiceNo (B2C 3.0 names), IA_Invoice_No (the allowance callback), InvoiceNumber (older invoice API). */
    public String invoiceNo() {
        return field("InvoiceNo", "IA_Invoice_No", "InvoiceNumber");
    }

    /** IA_Allow_No (the allowance callback, as AllowanceByCollegiate's reply), AllowanceNo. */
    public String allowanceNo() {
        return field("IA_Allow_No", "AllowanceNo");
    }

    public String rtnCode() {
        return field("RtnCode");
    }

    public boolean hasCheckMacValue() {
        return field(CheckMacValue.FIELD) != null;
    }

    /** The fields as a JSON object, without CheckMacValue (it proves nothing once checked, and says nothing). */
    public String fieldsJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        fields.forEach((k, v) -> {
            if (!CheckMacValue.FIELD.equalsIgnoreCase(k)) {
                node.put(k, v);
            }
        });
        return Envelope.toJson(node);
    }

    /** The first non-blank of these fields (names matched without regard to case, as the form's sender may spell them). */
    private String field(String... names) {
        for (String name : names) {
            for (Map.Entry<String, String> e : fields.entrySet()) {
                if (e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)) && !e.getValue().isBlank()) {
                    return e.getValue().strip();
                }
            }
        }
        return null;
    }
}
