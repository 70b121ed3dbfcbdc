package tw.einvoice.journal;

import java.time.LocalDateTime;

/**
 * One callback ECPay sent back, as recorded in {@code ecpay_callback} (docs/callbacks.md).
 *
 * @param commandId null when no command was found (or the callback was not verified: never matched)
 * @param refusal   which check failed, for an unverified callback; null when verified
 * @param fields    the form as JSON, without CheckMacValue
 */
public record CallbackRow(long id, LocalDateTime receivedAt, String kind, String merchantId, String commandId, String tsr,
        String relateNumber, String invoiceNo, String allowanceNo, String rtnCode, boolean verified, String refusal,
        String fields, String remoteAddress) {
}
