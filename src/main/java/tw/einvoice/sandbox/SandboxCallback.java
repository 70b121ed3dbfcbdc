package tw.einvoice.sandbox;

import java.util.Map;

/**
 * One callback the sandbox sent (DelayIssue's NotifyURL, AllowanceByCollegiate's ReturnURL), for tests to follow.
 *
 * @param form the fields as posted, CheckMacValue included
 */
public record SandboxCallback(String merchantId, String kind, String url, Map<String, String> form, State state) {

    /** Where a callback stands: attempts so far, the last answer, and whether the receiver answered 1|OK. */
    public static final class State {
        private volatile int attempts;
        private volatile String lastAnswer = "";
        private volatile boolean acknowledged;

        public int attempts() {
            return attempts;
        }

        public String lastAnswer() {
            return lastAnswer;
        }

        public boolean acknowledged() {
            return acknowledged;
        }
    }

    SandboxCallback(String merchantId, String kind, String url, Map<String, String> form) {
        this(merchantId, kind, url, form, new State());
    }

    void answered(int attempt, String answer, boolean ok) {
        state.attempts = attempt;
        state.lastAnswer = answer;
        state.acknowledged = ok;
    }
}
