package tw.einvoice.journal;

import java.time.LocalDateTime;

/**
 * One row of a command's audit history (table ecpay_attempt).
 *
 * @param kind       ATTEMPT (a call to ECPay) or REDRIVE (an operator sent the dead command again)
 * @param attempt    the attempt number; for REDRIVE the attempts made before it
 * @param instanceId the instance that made the attempt; for REDRIVE who re-drove it
 * @param stateAfter the command's state after it; LOST when the claim was lost before the outcome was recorded
 * @param redriveId  for REDRIVE, the re-drive (table ecpay_redrive) it belongs to
 */
public record AttemptRow(long id, String commandId, int attempt, String kind, String instanceId, LocalDateTime startedAt,
                         LocalDateTime endedAt, Long durationMs, Integer httpStatus, Integer transCode, Integer rtnCode,
                         String rtnMsg, String outcome, String stateAfter, String reason, String evidence,
                         String dataSha256, String lookupOperation, String redriveId) {
}
