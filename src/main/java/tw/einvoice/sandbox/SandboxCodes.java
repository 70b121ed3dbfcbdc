package tw.einvoice.sandbox;

/**
 * RtnCodes the sandbox answers where ECPay's exact code is not published. ECPay's own codes (1, 4000001-4000004,
 * 5070357, 5070453, 1100040, 9000001, 9999999) are used as ECPay uses them; these stand in for the rest and are
 * documented in the sandbox notes, so nobody mistakes them for ECPay's.
 */
final class SandboxCodes {

    /** Data.MerchantID differs from the envelope's MerchantID. */
    static final int MERCHANT_MISMATCH = 1000001;
    /** A required Data field is missing or empty. */
    static final int REQUIRED = 1000002;
    /** A Data field has the wrong type, pattern or date format. */
    static final int FORMAT = 1000003;
    /** A Data field is longer than allowed. */
    static final int TOO_LONG = 1000004;
    /** A Data field's value is not one of the allowed ones, or out of range. */
    static final int VALUE_NOT_ALLOWED = 1000005;
    /** No enabled track with numbers left (ECPay's code). */
    static final int NO_TRACK_NUMBERS = 1100040;
    static final int TRACK_NOT_FOUND = 1100041;
    static final int INVOICE_NOT_FOUND = 1600003;
    static final int NOT_INVALID = 1600004;
    /** CancelDelayIssue after the invoice was issued. */
    static final int ALREADY_ISSUED = 4000006;

    private SandboxCodes() {
    }
}
