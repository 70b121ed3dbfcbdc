package tw.einvoice.journal;

import java.time.LocalDateTime;

/**
 * One journal row as stored, for reports, channels and tests.
 *
 * @param outcome            the verdict of the last attempt (SUCCESS, ALREADY_DONE, RETRY, UNKNOWN, DEAD), or null
 * @param channelDeliveredAt when the outcome channel accepted this final command's message; null: not yet
 * @param evidence           what a SUCCEEDED outcome rests on (REPLY, LOOKUP, LOOKUP_WITHOUT_RECORD, ...), or null
 */
public record CommandRow(String id, String operation, String merchantId, String payload, CommandState state, int attempts,
                         boolean maybeSent, LocalDateTime nextAttemptAt, String claimOwner, LocalDateTime claimExpiresAt,
                         Integer httpStatus, Integer transCode, Integer rtnCode, String rtnMsg, String reason, String reply,
                         Source source, LocalDateTime createdAt, LocalDateTime updatedAt, String outcome,
                         LocalDateTime channelDeliveredAt, String evidence) {
}
