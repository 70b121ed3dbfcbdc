package tw.einvoice.protocol;

/**
 * What a SUCCEEDED command's outcome rests on. ECPay is the ledger that counts: a command is never SUCCEEDED on the
 * strength of our own memory alone.
 */
public enum Evidence {
    /** ECPay answered this attempt with one of the operation's success codes. */
    REPLY,
    /** ECPay answered that an earlier request already did it (an already-done code) and the operation has no lookup. */
    ALREADY_DONE_ANSWER,
    /**
     * An earlier attempt may have reached ECPay, and the catalog's lookup shows the change: after a duplicate-key answer
     * the same content (or, for {@code adoptWith.absent}, nothing left to cancel), or before sending again
     * ({@code lookupFirst}) the change done.
     */
    LOOKUP,
    /**
     * A duplicate-key answer with no earlier attempt on record (journal restored or lost, or another system used the
     * key); the lookup found the same content under the key, so it is adopted, and flagged for the operator.
     */
    LOOKUP_WITHOUT_RECORD
}
