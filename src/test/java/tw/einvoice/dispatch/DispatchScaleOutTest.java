package tw.einvoice.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.journal.CommandState;
import tw.einvoice.journal.Journal;
import tw.einvoice.protocol.Command;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.FaultRule;
import tw.einvoice.sandbox.FaultRule.Kind;
import tw.einvoice.testing.TestDatabases;

/**
 * Two dispatcher instances (two CamelContexts) on one PostgreSQL journal, 2,000 Issue commands, about 20% of calls
 * faulted (work done without a reply, dropped before work, HTTP 503, transient RtnCode). Every command must end final,
 * no RelateNumber issued twice, and no command sent by both instances at the same time.
 * {@code -Dtorture=true} runs 20,000 commands; {@code -Ddispatch.commands=N} any number.
 */
class DispatchScaleOutTest {

    static final String M = "2000132";

    @TempDir
    Path outbox;

    @Test
    void twoInstancesOnOnePostgresJournalFinishEveryCommandOnceUnderFaults() throws Exception {
        int n = Integer.getInteger("dispatch.commands", Boolean.getBoolean("torture") ? 20_000 : 2_000);
        try (HikariDataSource ds = TestDatabases.POSTGRESQL.fresh(4);
             EcpaySandbox sandbox = EcpaySandbox.builder().port(0).trackSize(n + 1000).threads(32).start()) {
            for (Kind kind : List.of(Kind.WORK_DONE_DROP, Kind.DROP, Kind.HTTP_503, Kind.RTN_CODE)) {
                sandbox.addFault(FaultRule.always("B2CInvoice/Issue", kind).withRate(0.0557)); // 1-(1-0.0557)^4 = 20%
            }
            Journal journal = new Journal(ds, java.time.Clock.systemUTC());
            String prefix = "S" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
            List<Command> commands = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                commands.add(DispatchNode.issue(prefix + i));
            }
            DispatchNode.insertAll(journal, commands);

            Map<String, String> props = DispatchNode.fastSettings(sandbox.baseUrl(), ds.getJdbcUrl(), "postgres", outbox);
            props.put("ecpay.dispatch.max-attempts", "20");
            long t0 = System.nanoTime();
            try (DispatchNode a = DispatchNode.start("node-a", props); DispatchNode b = DispatchNode.start("node-b", props)) {
                DispatchNode.await("every command is final", Duration.ofMinutes(n / 1000 + 2), () -> {
                    Map<CommandState, Integer> c = journal.countByState();
                    return c.getOrDefault(CommandState.SUCCEEDED, 0) + c.getOrDefault(CommandState.DEAD, 0) == n;
                });
                double seconds = (System.nanoTime() - t0) / 1e9;

                Map<CommandState, Integer> counts = journal.countByState();
                assertEquals(Map.of(CommandState.SUCCEEDED, n), counts, "every command succeeded");
                long issuedTwice = commands.stream()
                        .filter(c -> sandbox.ledger().issuedCount(M, c.data().get("RelateNumber").asText()) != 1).count();
                assertEquals(0, issuedTwice, "RelateNumbers not issued exactly once");
                assertEquals(n, sandbox.ledger().totalIssued());

                List<DispatchNode.Send> sends = new ArrayList<>(a.sends);
                sends.addAll(b.sends);
                Map<String, List<DispatchNode.Send>> byCommand = sends.stream()
                        .filter(s -> s.operation().equals("B2CInvoice/Issue"))
                        .collect(Collectors.groupingBy(DispatchNode.Send::commandId));
                int overlapping = 0;
                int handledByBoth = 0;
                for (List<DispatchNode.Send> list : byCommand.values()) {
                    list.sort(Comparator.comparingLong(DispatchNode.Send::start));
                    for (int i = 1; i < list.size(); i++) {
                        if (list.get(i).start() < list.get(i - 1).end()) {
                            overlapping++;
                        }
                    }
                    if (list.stream().map(DispatchNode.Send::node).distinct().count() > 1) {
                        handledByBoth++;
                    }
                }
                assertEquals(n, byCommand.size(), "every command was sent");
                assertEquals(0, overlapping, "a command was being sent by both instances at once");
                int attempts = 0;
                try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery("SELECT SUM(attempts) FROM ecpay_command")) {
                    rs.next();
                    attempts = rs.getInt(1);
                }
                long issueSends = byCommand.values().stream().mapToLong(List::size).sum();
                // every call is journaled as an attempt (none hidden); an attempt without a call is a claim given back
                // unsent whose lease had already run out under load (the expiry kept it, as UNKNOWN, to be reconciled)
                int released = a.released.get() + b.released.get();
                assertTrue(issueSends <= attempts && attempts <= issueSends + released, "ECPay calls " + issueSends
                        + ", journaled attempts " + attempts + ", claims given back unsent " + released);
                DispatchNode.await("every outcome reached its channel", Duration.ofSeconds(10), () -> {
                    try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery(
                            "SELECT COUNT(*) FROM ecpay_command WHERE channel_delivered_at IS NULL")) {
                        rs.next();
                        return rs.getInt(1) == 0;
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                try (var files = java.nio.file.Files.list(outbox.resolve("success"))) {
                    assertEquals(n, files.filter(f -> f.getFileName().toString().endsWith(".json")).count(),
                            "one channel file per command");
                }
                long faults = 0;
                Map<String, Long> faultsByKind = new HashMap<>();
                for (Kind k : Kind.values()) {
                    faultsByKind.put(k.name(), sandbox.ledger().faults(k));
                    faults += sandbox.ledger().faults(k);
                }
                Set<String> nodes = new HashSet<>();
                sends.forEach(s -> nodes.add(s.node()));
                System.out.printf("SCALE-OUT %d commands on 2 instances (PostgreSQL): %.1f s, %.0f commands/s; %d Issue calls "
                                + "(node-a %d, node-b %d), %d GetIssue adoptions, %d faults %s (%.1f%% of Issue calls), "
                                + "0 issued twice, %d overlapping sends, %d commands retried on the other instance%n",
                        n, seconds, n / seconds, issueSends, a.sends.stream().filter(s -> s.operation().endsWith("/Issue")).count(),
                        b.sends.stream().filter(s -> s.operation().endsWith("/Issue")).count(),
                        sends.stream().filter(s -> s.operation().endsWith("GetIssue")).count(), faults, faultsByKind,
                        100.0 * faults / issueSends, overlapping, handledByBoth);
                assertTrue(nodes.size() == 2, "both instances worked");
            }
        }
    }
}
