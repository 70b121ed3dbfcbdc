package tw.einvoice.journal;

import java.time.LocalDateTime;

/**
 * What the audit keeps of one attempt beyond its {@link Completion}: who made it, when, how long it took, a SHA-256 of
 * the Data it sent (never the Data itself, never keys) and the reconciliation call it made, if any.
 *
 * @param startedAt       UTC, when the attempt began to be prepared
 * @param durationMs      from then until its outcome was recorded
 * @param dataSha256      hex SHA-256 of the plain Data JSON sent, or null when nothing was sent
 * @param lookupOperation the lookup made to adopt an earlier result (e.g. B2CInvoice/GetIssue), or null
 */
public record AttemptAudit(String instanceId, LocalDateTime startedAt, long durationMs, String dataSha256,
                           String lookupOperation) {
}
