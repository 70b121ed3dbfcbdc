package tw.einvoice.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.journal.CommandState;
import tw.einvoice.journal.Journal;
import tw.einvoice.journal.JournalDatabase;
import tw.einvoice.protocol.Command;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.FaultRule;
import tw.einvoice.sandbox.FaultRule.Kind;

/**
 * The embedded default (an H2 file journal): stop the instance mid-run while calls are in flight (ECPay still does the
 * work, the replies are lost), start it again: every command ends SUCCEEDED, none lost, none issued twice.
 */
class DispatchRestartTest {

    static final String M = "2000132";

    @TempDir
    Path work;

    @Test
    void aStoppedInstanceLeavesNothingLostOrDoubledAfterItStartsAgain() throws Exception {
        int n = 200;
        String url = "jdbc:h2:file:" + work.resolve("journal/ecpay").toAbsolutePath();
        try (EcpaySandbox sandbox = EcpaySandbox.builder().port(0).start()) {
            // slow ECPay: calls are still in flight when the instance stops (it waits 1 s for them, they take 2.5 s);
            // the sandbox finishes their work anyway, and their replies are lost
            sandbox.addFault(FaultRule.always("B2CInvoice/Issue", Kind.LATENCY).withLatencyMs(2500));
            Map<String, String> props = DispatchNode.fastSettings(sandbox.baseUrl(), url, "sa", work.resolve("outbox"));
            props.put("ecpay.dispatch.lease", "PT8S");
            props.put("camel.component.http.so-timeout", "5000");
            props.put("camel.component.http.response-timeout", "5000");
            String prefix = "R" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
            List<Command> commands = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                commands.add(DispatchNode.issue(prefix + i));
            }

            DispatchNode first = DispatchNode.start("first-run", props);
            Journal journal1 = first.journal();
            DispatchNode.insertAll(journal1, commands);
            DispatchNode.await("a part is done", Duration.ofSeconds(60),
                    () -> journal1.countByState().getOrDefault(CommandState.SUCCEEDED, 0) >= 8);
            first.crash();

            int inFlight;
            int succeededBefore;
            try (HikariDataSource ds = JournalDatabase.open(url, "sa", "", 2)) {
                Map<CommandState, Integer> atStop = new Journal(ds, Clock.systemUTC()).countByState();
                inFlight = atStop.getOrDefault(CommandState.IN_FLIGHT, 0);
                succeededBefore = atStop.getOrDefault(CommandState.SUCCEEDED, 0);
                System.out.println("RESTART states when the first run stopped: " + atStop);
            }
            assertTrue(inFlight > 0, "the stop left commands IN_FLIGHT");
            assertTrue(succeededBefore < n, "the stop came mid-run");

            sandbox.clearFaults();
            long t0 = System.nanoTime();
            try (DispatchNode second = DispatchNode.start("second-run", props)) {
                Journal journal2 = second.journal();
                DispatchNode.await("every command is final", Duration.ofSeconds(90), () -> {
                    Map<CommandState, Integer> c = journal2.countByState();
                    return c.getOrDefault(CommandState.SUCCEEDED, 0) + c.getOrDefault(CommandState.DEAD, 0) == n;
                });
                assertEquals(Map.of(CommandState.SUCCEEDED, n), journal2.countByState(), "none lost, none dead");
                long notOnce = commands.stream()
                        .filter(c -> sandbox.ledger().issuedCount(M, c.data().get("RelateNumber").asText()) != 1).count();
                assertEquals(0, notOnce, "RelateNumbers not issued exactly once");
                long adopted = commands.stream().filter(c -> journal2.find(c.id()).reason().contains("adopted")).count();
                System.out.printf("RESTART %d commands: %d IN_FLIGHT at the stop, %d SUCCEEDED before; second run finished in "
                        + "%.1f s; %d adopted an invoice issued by a call the stop cut off; 0 lost, 0 issued twice%n",
                        n, inFlight, succeededBefore, (System.nanoTime() - t0) / 1e9, adopted);
            }
        }
    }
}
