package tw.einvoice.journal;

import java.time.LocalDateTime;

/**
 * What one attempt ends with, written in the same UPDATE that releases the claim.
 *
 * @param nextAttemptAt when the command is due again (RETRY, UNKNOWN); ignored for final states
 * @param maybeSent     whether any attempt so far may have reached ECPay
 * @param reply         the decrypted reply Data as JSON, or null to keep the one stored
 */
public record Completion(CommandState state, LocalDateTime nextAttemptAt, boolean maybeSent, String reason,
                         Integer httpStatus, Integer transCode, Integer rtnCode, String rtnMsg, String reply) {
}
