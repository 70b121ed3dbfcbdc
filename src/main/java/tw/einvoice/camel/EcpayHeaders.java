package tw.einvoice.camel;

/**
 * Every exchange header the routes and beans share, in one place: those of the ECPay call ({@code direct:ecpay-call}),
 * of dispatch and channels, of re-drive, and of file and SQL intake. YAML routes use the values ({@code ${header.EcpayState}}).
 */
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


    // dispatch and channels
    /**
     * The command's state after this attempt (SUCCEEDED, RETRY, UNKNOWN, DEAD); LOST when the claim was lost before
     * the outcome was recorded; RELEASED when it was given back unsent.
     */
    public static final String STATE = "EcpayState";
    /** true when the claimed batch was full: there may be more due right now. */
    public static final String BATCH_FULL = "EcpayBatchFull";

    // ECPay's callbacks (routes/callbacks.camel.yaml, direct:ecpay-callback)
    /** The callback's kind: DelayIssue or AllowanceByCollegiate (from its path). */
    public static final String CALLBACK_KIND = "EcpayCallbackKind";
    /** true when the form's CheckMacValue matched a configured merchant's keys: answered 1|OK. */
    public static final String CALLBACK_VERIFIED = "EcpayCallbackVerified";
    /** Which check a refused callback failed: short, never secret, answered after "0|". */
    public static final String CALLBACK_REFUSAL = "EcpayCallbackRefusal";
    /** The peer's address (and the X-Forwarded-For a reverse proxy added), for the log. */
    public static final String CALLBACK_REMOTE = "EcpayCallbackRemote";

    // re-drive (direct:redrive)
    /** Who asks for a re-drive (the HTTP endpoint sets the logged-in user). */
    public static final String REDRIVE_BY = "EcpayRedriveBy";
    /** Where the re-drive came from (route, http, cli). */
    public static final String REDRIVE_VIA = "EcpayRedriveVia";

    // SQL intake
    /** What became of an SQL row: JOURNALED, DUPLICATE, REJECTED, SKIPPED. */
    public static final String INTAKE_RESULT = "EcpayIntakeResult";
    public static final String SOURCE = "EcpaySource";
    public static final String ROW_KEY = "EcpayRowKey";

    // file intake
    public static final String INTAKE_SOURCE_NAME = "IntakeSourceName";
    public static final String INTAKE_MOVE_TO = "IntakeMoveTo";
    public static final String INTAKE_UNREADABLE = "IntakeUnreadable";
    public static final String INTAKE_LINE = "IntakeLine";
    public static final String INTAKE_FIELD = "IntakeField";
    public static final String INTAKE_REASON = "IntakeReason";
    public static final String INTAKE_STATE = "IntakeState";

    private EcpayHeaders() {
    }
}
