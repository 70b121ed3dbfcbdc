package tw.einvoice.sandbox;

/**
 * A snapshot of one allowance the sandbox made, for tests to compare with what a client recorded.
 *
 * @param online true for AllowanceByCollegiate (the buyer agrees online)
 * @param state  ISSUED, PENDING (online, not agreed yet), VOID (AllowanceInvalid) or CANCELLED (AllowanceInvalidByCollegiate)
 * @param reason why it was voided or cancelled, else null
 */
public record SandboxAllowance(String merchantId, String allowanceNo, String invoiceNo, long amount, boolean online, String state,
                               String reason) {
}
