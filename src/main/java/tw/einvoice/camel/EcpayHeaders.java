package tw.einvoice.camel;

/** Exchange headers set by the ECPay call route; routes {@code choice} on them. */
public final class EcpayHeaders {

    /** The operation, e.g. {@code B2CInvoice/Issue}. */
    public static final String OPERATION = "EcpayOperation";
    /** The command id (idempotency key). */
    public static final String COMMAND_ID = "EcpayCommandId";
    public static final String MERCHANT_ID = "EcpayMerchantId";
    /** Input: true when an earlier attempt of this command may have reached ECPay. */
    public static final String MAYBE_SENT_BEFORE = "EcpayMaybeSentBefore";
    /** SUCCESS, ALREADY_DONE, RETRY, UNKNOWN or DEAD. */
    public static final String OUTCOME = "EcpayOutcome";
    public static final String REASON = "EcpayReason";
    /** Seconds before the next attempt makes sense (0: the journal's backoff decides). */
    public static final String RETRY_AFTER = "EcpayRetryAfter";
    /** true when every call for this merchant must pause (HTTP 403). */
    public static final String PAUSE_MERCHANT = "EcpayPauseMerchant";
    public static final String ALERT = "EcpayAlert";
    /** 0 when no HTTP reply came. */
    public static final String HTTP_STATUS = "EcpayHttpStatus";
    public static final String TRANS_CODE = "EcpayTransCode";
    public static final String TRANS_MSG = "EcpayTransMsg";
    public static final String RTN_CODE = "EcpayRtnCode";
    public static final String RTN_MSG = "EcpayRtnMsg";
    /** What a SUCCEEDED outcome rests on ({@link tw.einvoice.protocol.Evidence}): REPLY, LOOKUP, ... */
    public static final String EVIDENCE = "EcpayEvidence";

    private EcpayHeaders() {
    }
}
