package tw.einvoice.dispatch;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.function.DoubleSupplier;
import tw.einvoice.protocol.Verdict;
import tw.einvoice.journal.Claim;
import tw.einvoice.journal.CommandState;

/**
 * Turns a classified attempt into the command's next state and due time.
 * <ul>
 *   <li>SUCCESS, ALREADY_DONE → SUCCEEDED.</li>
 *   <li>RETRY → due after {@code max(retryAfter, backoff)}, where backoff is {@code base·2^(attempt−1)} capped at
 *       {@code cap}, with "equal jitter" (a random point in its upper half) so that instances and commands that failed
 *       together do not come back together.</li>
 *   <li>UNKNOWN → due after {@code unknownDelay} for reconciliation (re-sent with the same key, "already done" adopted).</li>
 *   <li>DEAD → DEAD. RETRY or UNKNOWN at the attempt limit → DEAD, with the reason kept.</li>
 *   <li>Attempts and backoff count from the last re-drive ({@link Claim#attemptsCounted()}).</li>
 * </ul>
 */
public record RetryPolicy(int maxAttempts, Duration backoffBase, Duration backoffCap, Duration unknownDelay) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(10, Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(30));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("ecpay.dispatch.max-attempts must be at least 1, not " + maxAttempts);
        }
        if (backoffBase.isNegative() || backoffCap.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("backoff base " + backoffBase + " must be >= 0 and <= the cap " + backoffCap);
        }
    }

    /** The backoff before attempt {@code attempt + 1}, jitter drawn from {@code random} in [0, 1). */
    public Duration backoff(int attempt, DoubleSupplier random) {
        long baseMs = backoffBase.toMillis();
        int doublings = Math.max(0, Math.min(attempt - 1, 40));
        long full = baseMs >= (backoffCap.toMillis() >> doublings) ? backoffCap.toMillis() : baseMs << doublings;
        full = Math.min(full, backoffCap.toMillis());
        long half = full / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (full - half)));
    }

    /**
     * @param verdict    the classifier's verdict for this attempt
     * @param retryAfter the earliest sensible retry the classifier asked for (zero: backoff alone decides)
     */
    public Decision decide(Claim claim, Verdict verdict, String reason, Duration retryAfter, LocalDateTime now,
                           DoubleSupplier random) {
        boolean lastAttempt = claim.attemptsCounted() >= maxAttempts;
        return switch (verdict) {
            case SUCCESS, ALREADY_DONE -> new Decision(CommandState.SUCCEEDED, now, true, reason);
            case DEAD -> new Decision(CommandState.DEAD, now, claim.maybeSentBefore(), reason);
            case RETRY -> lastAttempt
                    ? new Decision(CommandState.DEAD, now, claim.maybeSentBefore(),
                            "gave up after " + claim.attemptsCounted() + " attempts: " + reason)
                    : new Decision(CommandState.RETRY, now.plus(max(retryAfter, backoff(claim.attemptsCounted(), random))),
                            claim.maybeSentBefore(), reason);
            case UNKNOWN -> lastAttempt
                    ? new Decision(CommandState.DEAD, now, true, "gave up after " + claim.attemptsCounted()
                            + " attempts; an attempt may have been done at ECPay, check before sending it again: " + reason)
                    : new Decision(CommandState.UNKNOWN, now.plus(max(retryAfter, unknownDelay)), true, reason);
        };
    }

    /** The next state, when it is due, whether the request may have reached ECPay, and why. */
    public record Decision(CommandState state, LocalDateTime nextAttemptAt, boolean maybeSent, String reason) {
    }

    private static Duration max(Duration a, Duration b) {
        return a == null || a.compareTo(b) < 0 ? b : a;
    }
}
