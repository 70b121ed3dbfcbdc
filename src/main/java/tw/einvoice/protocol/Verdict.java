package tw.einvoice.protocol;

/** What a call's result means for the command. */
public enum Verdict {
    /** Done by this call. */
    SUCCESS,
    /** Done by an earlier call of the same command. */
    ALREADY_DONE,
    /** Not done; safe to send again later. */
    RETRY,
    /** May or may not have reached ECPay: reconcile before anything else. */
    UNKNOWN,
    /** Will not succeed by sending again: a person must look at it. */
    DEAD;

    public boolean isDone() {
        return this == SUCCESS || this == ALREADY_DONE;
    }
}
