package tw.einvoice.journal;

import java.time.LocalDateTime;

/** One journal row as stored, for reports, channels and tests. */
public record CommandRow(String id, String operation, String merchantId, String payload, CommandState state, int attempts,
                         boolean maybeSent, LocalDateTime nextAttemptAt, String claimOwner, LocalDateTime claimExpiresAt,
                         Integer httpStatus, Integer transCode, Integer rtnCode, String rtnMsg, String reason, String reply,
                         Source source, LocalDateTime createdAt, LocalDateTime updatedAt) {
}
