package tw.einvoice.journal;

import java.time.LocalDateTime;

/**
 * A command this instance holds until {@code expiresAt}: only the owner may complete it, and only for this attempt.
 *
 * @param attempt         the attempt number this claim made (attempts after the claim)
 * @param maybeSentBefore true when an earlier attempt may have reached ECPay: a duplicate-key answer then means done
 * @param previousState   the state the row was claimed from (NEW, RETRY or UNKNOWN)
 * @param attemptBase     attempts made before the last re-drive: the attempt limit counts from here
 */
public record Claim(String id, String operation, String merchantId, String payload, int attempt, boolean maybeSentBefore,
                    CommandState previousState, String owner, LocalDateTime expiresAt, Source source, int attemptBase) {

    public Claim(String id, String operation, String merchantId, String payload, int attempt, boolean maybeSentBefore,
                 CommandState previousState, String owner, LocalDateTime expiresAt, Source source) {
        this(id, operation, merchantId, payload, attempt, maybeSentBefore, previousState, owner, expiresAt, source, 0);
    }

    /** Attempts counted against the limit: those since the last re-drive. */
    public int attemptsCounted() {
        return attempt - attemptBase;
    }
}
