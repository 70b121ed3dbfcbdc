package tw.einvoice.journal;

import java.time.LocalDateTime;
import tw.einvoice.protocol.Evidence;
import tw.einvoice.protocol.Verdict;

/**
 * What one attempt ends with, written in the same UPDATE that releases the claim.
 *
 * @param nextAttemptAt when the command is due again (RETRY, UNKNOWN); ignored for final states
 * @param maybeSent     whether any attempt so far may have reached ECPay
 * @param reply         the decrypted reply Data as JSON, or null to keep the one stored
 * @param outcome       the attempt's verdict (stored as last_outcome; the channel message's "outcome"), or null
 * @param evidence      what a SUCCEEDED outcome rests on, or null
 */
public record Completion(CommandState state, LocalDateTime nextAttemptAt, boolean maybeSent, String reason,
                         Integer httpStatus, Integer transCode, Integer rtnCode, String rtnMsg, String reply,
                         Verdict outcome, Evidence evidence) {

    public Completion(CommandState state, LocalDateTime nextAttemptAt, boolean maybeSent, String reason,
                      Integer httpStatus, Integer transCode, Integer rtnCode, String rtnMsg, String reply) {
        this(state, nextAttemptAt, maybeSent, reason, httpStatus, transCode, rtnCode, rtnMsg, reply, null, null);
    }
}
