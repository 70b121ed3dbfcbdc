package tw.einvoice.protocol;

import java.time.Duration;

/**
 * The classifier's answer: the verdict, a reason a person can act on, the earliest sensible retry (zero when the
 * journal's backoff alone decides), whether the whole merchant must pause, and whether an operator should be alerted.
 */
public record Outcome(Verdict verdict, String reason, Duration retryAfter, boolean pauseMerchant, boolean alert) {

    public Outcome {
        retryAfter = retryAfter == null ? Duration.ZERO : retryAfter;
    }

    public static Outcome of(Verdict verdict, String reason) {
        return new Outcome(verdict, reason, Duration.ZERO, false, false);
    }
}
