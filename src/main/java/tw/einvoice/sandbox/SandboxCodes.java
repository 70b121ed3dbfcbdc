package tw.einvoice.sandbox;

/**
 * RtnCodes the sandbox answers where ECPay's exact code is not published. ECPay's own codes (1, 4000001-4000004,
 * 5070357, 5070453, 1100040, 9000001, 9999999; 5070450, 2000063, 2000039, 5070250, 1200125, 7 below) are used as ECPay
 * uses them; the others stand in for the rest and are documented in docs/sandbox.md, so nobody mistakes them for ECPay's.
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
    /** GetGovInvoiceWordSetting / AddInvoiceWordSetting for a year ECPay does not take (paid-tw live: 字軌年份錯誤). */
    static final int TRACK_YEAR = 1100042;
    /** AddInvoiceWordSetting with a range that overlaps a track of the same header and period. */
    static final int TRACK_OVERLAP = 1100043;
    static final int INVOICE_NOT_FOUND = 1600003;
    static final int NOT_INVALID = 1600004;
    /** Invalid (or VoidWithReIssue) of an invoice with allowances (ECPay's code, abookyun errors_spec). */
    static final int HAS_ALLOWANCES = 5070450;
    /** AllowanceInvalid of an allowance already voided (ECPay's code, paid-tw live stage). */
    static final int ALLOWANCE_ALREADY_VOID = 2000063;
    /** AllowanceInvalid or AllowanceInvalidByCollegiate of an unknown allowance (ECPay's code, abookyun errors_spec). */
    static final int ALLOWANCE_NOT_FOUND = 2000039;
    /** AllowanceInvalidByCollegiate of an online allowance the buyer agreed to (ECPay's code, paid-tw). */
    static final int ONLINE_ALLOWANCE_AGREED = 5070250;
    /** Allowance on a voided invoice. */
    static final int ALLOWANCE_ON_VOID = 2000040;
    /** Allowance beyond what is left of the invoice. */
    static final int ALLOWANCE_OVER_REMAINING = 2000041;
    /** AllowanceInvalid of an online allowance not agreed to yet (cancel it with AllowanceInvalidByCollegiate). */
    static final int ALLOWANCE_PENDING = 2000042;
    /** AllowanceInvalidByCollegiate of an allowance that was not made online. */
    static final int ALLOWANCE_NOT_ONLINE = 2000043;
    /** AllowanceInvalidByCollegiate of an online allowance already cancelled. */
    static final int ALLOWANCE_ALREADY_CANCELLED = 2000044;
    /** VoidWithReIssue naming another RelateNumber or issue time than the invoice's (ECPay keeps both). */
    static final int REISSUE_CHANGES_KEY = 5070460;
    /** VoidWithReIssue of an invoice reissued less than a day ago, not uploaded yet (paid-tw live stage, code not recorded). */
    static final int REISSUE_NOT_UPLOADED = 5070461;
    /** InvoiceNotify of something the invoice does not have: no void (II), no award (AW), no such allowance (A, AI, OA). */
    static final int NOTHING_TO_NOTIFY = 1600005;
    /** B2B MaintainMerchantCustomerData Update or Delete of a trading partner never added. */
    static final int B2B_PARTNER_NOT_FOUND = 6160101;
    /** A B2B exchange step (confirm, reject, void confirm) on a certificate-mode invoice or allowance. */
    static final int B2B_NOT_EXCHANGE = 6160102;
    /** A B2B step done already (a second IssueConfirm, Invalid, Reject, AllowanceConfirm ...). */
    static final int B2B_ALREADY_DONE = 6160103;
    /** A B2B step whose earlier step is missing or was undone (RejectConfirm before Reject, Invalid of a returned invoice). */
    static final int B2B_WRONG_STATE = 6160104;
    /** A B2B lookup of a step not done (GetIssueConfirm of an invoice not confirmed ...). */
    static final int B2B_NOT_DONE = 6160105;
    /** CancelDelayIssue after the invoice was issued. */
    static final int ALREADY_ISSUED = 4000006;

    private SandboxCodes() {
    }
}
