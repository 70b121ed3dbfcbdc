package tw.einvoice.protocol;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * Turns one call's result into a {@link Outcome}: transport failure, then HTTP status, then TransCode, then RtnCode,
 * using the operation catalog for operation-specific codes and the {@link ResultTable} for the generic ones.
 */
public final class ResultClassifier {

    private final ResultTable table;

    public ResultClassifier(ResultTable table) {
        this.table = table;
    }

    /**
     * @param maybeSentBefore true when an earlier attempt of this command may have reached ECPay; a duplicate-key
     *                        answer then means "done by that attempt" rather than "key taken by someone else"
     */
    public Outcome classify(Operation op, CallResult r, boolean maybeSentBefore) {
        Outcome o = classifyResult(op, r, maybeSentBefore);
        if (o.verdict() == Verdict.UNKNOWN && op.noResendKey()) {
            // sending it again could do it twice (a second allowance): a person checks first
            return new Outcome(Verdict.DEAD, o.reason() + "; " + notResent(op), o.retryAfter(), false, true);
        }
        return o;
    }

    /**
     * Why a command of an operation without a resend key is not sent again after an attempt that may have reached ECPay,
     * and what to look up instead.
     */
    public static String notResent(Operation op) {
        return "ECPay has no key by which it would recognise " + op.name() + " sent again, so it is not sent again by itself: "
                + (op.adoptWith() == null ? "check at ECPay" : "check with " + op.adoptWith().operation())
                + " whether it was done, and send it again under a new id only if it was not";
    }

    private Outcome classifyResult(Operation op, CallResult r, boolean maybeSentBefore) {
        if (r.failure() != null) {
            return classifyFailure(op, r.failure());
        }
        if (r.transCode() == null) {
            Outcome byStatus = r.httpStatus() == 200 ? null : http(r.httpStatus());
            if (byStatus != null) {
                return unknownBecomesRetryFor(op, byStatus);
            }
            return Outcome.of(op.idempotent() ? Verdict.RETRY : Verdict.UNKNOWN,
                    "HTTP " + r.httpStatus() + " without an ECPay reply envelope");
        }
        if (r.transCode() != 1) {
            String said = "TransCode " + r.transCode() + ": " + blankAsNone(r.transMsg());
            Outcome byCode = table.transCode(r.transCode());
            return byCode != null ? withWhatEcpaySaid(byCode, said) : Outcome.of(Verdict.DEAD, said);
        }
        if (r.httpStatus() != 200) {
            Outcome byStatus = http(r.httpStatus());
            if (byStatus != null && byStatus.verdict() != Verdict.UNKNOWN) {
                return byStatus;
            }
        }
        Integer rtn = r.rtnCode();
        if (rtn == null) {
            return Outcome.of(op.idempotent() ? Verdict.RETRY : Verdict.UNKNOWN, "TransCode 1 but the reply Data held no RtnCode");
        }
        String said = "RtnCode " + rtn + ": " + blankAsNone(r.rtnMsg());
        if (op.successCodes().contains(rtn)) {
            return Outcome.of(Verdict.SUCCESS, said);
        }
        if (op.alreadyDoneCodes().contains(rtn)) {
            return Outcome.of(Verdict.ALREADY_DONE, said);
        }
        if (op.duplicateKeyCodes().contains(rtn) && op.adoptWith() != null) {
            // evidence over memory: whether or not an earlier attempt is on record, the lookup shows what ECPay holds
            // under the key, and the dispatcher compares it with this command before anything is concluded
            return Outcome.of(Verdict.ALREADY_DONE, said + (maybeSentBefore
                    ? " (an earlier attempt of this command may have done it: looking it up)"
                    : " (no earlier attempt of this command is on record: looking up what ECPay holds under "
                            + String.join("/", op.businessKey()) + ")"));
        }
        if (op.duplicateKeyCodes().contains(rtn)) {
            return maybeSentBefore
                    ? Outcome.of(Verdict.ALREADY_DONE, said + " (an earlier attempt of this command already did it)")
                    // no attempt of this command was sent before, so the answer is about the key itself:
                    // DelayIssue's Tsr or RelateNumber taken by someone else (no query shows a staging)
                    : Outcome.of(Verdict.DEAD, said + " (" + String.join("/", op.businessKey())
                            + " refused before any attempt of this command was sent)");
        }
        Outcome byCode = table.rtnCode(rtn, op.name());
        if (byCode == null) {
            byCode = table.rtnMsg(r.rtnMsg());
        }
        if (byCode != null) {
            return withWhatEcpaySaid(byCode, said);
        }
        return Outcome.of(Verdict.DEAD, said);
    }

    /** The table's entry for an HTTP status, its reason led by the status itself: "HTTP 413 Payload Too Large: ...". */
    private Outcome http(int status) {
        Outcome o = table.http(status);
        if (o == null) {
            return null;
        }
        String reason = "HTTP " + status + (o.reason().isEmpty() ? "" : " " + o.reason());
        return new Outcome(o.verdict(), reason, o.retryAfter(), o.pauseMerchant(), o.alert());
    }

    private static Outcome withWhatEcpaySaid(Outcome o, String said) {
        String reason = o.reason().isEmpty() ? said : o.reason() + " (" + said + ")";
        return new Outcome(o.verdict(), reason, o.retryAfter(), o.pauseMerchant(), o.alert());
    }

    private Outcome classifyFailure(Operation op, Throwable failure) {
        String what = describe(failure);
        if (neverSent(failure)) {
            return Outcome.of(Verdict.RETRY, "could not connect to ECPay: " + what);
        }
        return op.idempotent()
                ? Outcome.of(Verdict.RETRY, "no reply from ECPay: " + what)
                : Outcome.of(Verdict.UNKNOWN, "no reply from ECPay, the request may have been processed: " + what);
    }

    /** A connection that was never made means the request cannot have reached ECPay. */
    static boolean neverSent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || t.getClass().getSimpleName().equals("ConnectTimeoutException")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static Outcome unknownBecomesRetryFor(Operation op, Outcome o) {
        // a query or status setting can simply be sent again
        return o.verdict() == Verdict.UNKNOWN && op.idempotent()
                ? new Outcome(Verdict.RETRY, o.reason(), o.retryAfter(), o.pauseMerchant(), o.alert()) : o;
    }

    private static String describe(Throwable t) {
        String msg = t.getMessage();
        return t.getClass().getSimpleName() + (msg == null ? "" : " (" + msg + ")");
    }

    private static String blankAsNone(String s) {
        return s == null || s.isBlank() ? "(no message)" : s.replace("\r\n", " / ");
    }
}
