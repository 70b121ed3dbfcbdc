package tw.einvoice.sandbox;

/**
 * A snapshot of one invoice the sandbox issued, for tests to compare with what a client recorded.
 *
 * @param invoiceDate  {@code yyyy-MM-dd HH:mm:ss}, Asia/Taipei
 * @param tsr          the DelayIssue Tsr it came from, or null for a direct Issue
 * @param invalidDate  {@code yyyy-MM-dd HH:mm:ss} when voided, else null
 */
public record SandboxInvoice(String merchantId, String relateNumber, String invoiceNo, String invoiceDate,
                             String randomNumber, long salesAmount, String trackId, String tsr,
                             boolean invalid, String invalidReason, String invalidDate) {
}
