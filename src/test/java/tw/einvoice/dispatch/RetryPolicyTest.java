package tw.einvoice.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import tw.einvoice.protocol.Verdict;
import tw.einvoice.journal.Claim;
import tw.einvoice.journal.CommandState;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofSeconds(20));
    private final LocalDateTime now = LocalDateTime.of(2026, 3, 1, 2, 0);

    private Claim claim(int attempt, boolean maybeSentBefore) {
        return new Claim("id", "B2CInvoice/Issue", "2000132", "{}", attempt, maybeSentBefore, CommandState.NEW, "me",
                now.plusMinutes(2), null);
    }

    @Test
    void backoffDoublesWithJitterInItsUpperHalfAndIsCapped() {
        assertEquals(Duration.ofSeconds(15), policy.backoff(1, () -> 0.0));
        assertEquals(Duration.ofSeconds(30), policy.backoff(1, () -> 1.0));
        assertEquals(Duration.ofSeconds(60), policy.backoff(2, () -> 1.0));
        assertEquals(Duration.ofSeconds(120), policy.backoff(3, () -> 1.0));
        assertEquals(Duration.ofMinutes(10), policy.backoff(6, () -> 1.0), "capped");
        assertEquals(Duration.ofMinutes(5), policy.backoff(60, () -> 0.0), "no overflow far past the cap");
        for (int i = 0; i < 1000; i++) {
            Duration d = policy.backoff(2, Math::random);
            assertTrue(d.compareTo(Duration.ofSeconds(30)) >= 0 && d.compareTo(Duration.ofSeconds(60)) <= 0, d::toString);
        }
    }

    @Test
    void theClassifiersRetryAfterIsAFloor() {
        RetryPolicy.Decision d = policy.decide(claim(1, false), Verdict.RETRY, "HTTP 403", Duration.ofMinutes(30), now, () -> 1.0);
        assertEquals(CommandState.RETRY, d.state());
        assertEquals(now.plusMinutes(30), d.nextAttemptAt());
    }

    @Test
    void eachVerdictMapsToItsState() {
        assertEquals(CommandState.SUCCEEDED, policy.decide(claim(1, false), Verdict.SUCCESS, "ok", Duration.ZERO, now, () -> 0).state());
        assertEquals(CommandState.SUCCEEDED, policy.decide(claim(2, true), Verdict.ALREADY_DONE, "dup", Duration.ZERO, now, () -> 0).state());
        RetryPolicy.Decision dead = policy.decide(claim(1, false), Verdict.DEAD, "RtnCode 5000022: amounts", Duration.ZERO, now, () -> 0);
        assertEquals(CommandState.DEAD, dead.state());
        assertEquals("RtnCode 5000022: amounts", dead.reason());
        RetryPolicy.Decision unknown = policy.decide(claim(1, false), Verdict.UNKNOWN, "read timeout", Duration.ZERO, now, () -> 0);
        assertEquals(CommandState.UNKNOWN, unknown.state());
        assertEquals(now.plusSeconds(20), unknown.nextAttemptAt());
        assertTrue(unknown.maybeSent());
    }

    @Test
    void theAttemptLimitTurnsRetryAndUnknownDead() {
        RetryPolicy.Decision retry = policy.decide(claim(5, false), Verdict.RETRY, "HTTP 503", Duration.ZERO, now, () -> 0);
        assertEquals(CommandState.DEAD, retry.state());
        assertEquals("gave up after 5 attempts: HTTP 503", retry.reason());
        RetryPolicy.Decision unknown = policy.decide(claim(5, true), Verdict.UNKNOWN, "reset", Duration.ZERO, now, () -> 0);
        assertEquals(CommandState.DEAD, unknown.state());
        assertTrue(unknown.reason().contains("may have been done at ECPay"), unknown.reason());
        assertEquals(CommandState.RETRY, policy.decide(claim(4, false), Verdict.RETRY, "x", Duration.ZERO, now, () -> 0).state());
    }

    @Test
    void fileNamesAreSafeAndDistinct() {
        String a = Dispatcher.fileName("B2CInvoice/Issue:INV001");
        String b = Dispatcher.fileName("B2CInvoice_Issue_INV001");
        assertTrue(a.matches("[A-Za-z0-9._-]+\\.json"), a);
        assertTrue(a.startsWith("B2CInvoice_Issue_INV001-"), a);
        assertTrue(!a.equals(b), "ids that read the same once made safe stay apart");
        assertTrue(Dispatcher.fileName("../../etc/passwd").matches("[A-Za-z0-9_][A-Za-z0-9._-]*\\.json"));
        assertTrue(Dispatcher.fileName("x".repeat(100)).length() < 100);
    }
}
