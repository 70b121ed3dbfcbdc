package tw.einvoice.sandbox;

/**
 * A B2B invoice as the sandbox holds it, for tests and tools.
 *
 * @param mode {@code exchange} or {@code certificate}: its buyer's mode when it was issued
 * @param state ISSUED, CONFIRMED, REJECTED, REJECT_CONFIRMED, INVALID or INVALID_CONFIRMED
 * @param allowed the untaxed amount allowed against it by allowances not cancelled
 */
public record SandboxB2BInvoice(String merchantId, String relateNumber, String invoiceNumber, String invoiceDate, String mode,
                                String state, long totalAmount, long allowed) {
}
