package tw.einvoice.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;
import tw.einvoice.sandbox.EcpaySandbox;
import tw.einvoice.sandbox.FaultRule;

/**
 * Dispatch throughput of the whole pipeline against a bare HTTP loop, in one run (bench/run.sh throughput; see
 * bench/README.md). For each case (concurrency, added latency): one sandbox in this JVM answering every call after the
 * case's latency; the {@link BareLoop} at that concurrency; then the main job on a fresh PostgreSQL schema and on an
 * embedded H2 file, each with a warm-up drop and a measured drop ({@link PipelineRun}). Before the cases: intake
 * alone into each journal. Every figure line starts with THROUGHPUT.
 * <p>
 * Runs with {@code -Dbench=true}. Settings: {@code bench.cases} ("8:0,8:100,32:100,128:100,32:500", concurrency:latency
 * ms), {@code bench.journals} ("postgresql,h2"), {@code bench.seconds} (20, measured pipeline run), {@code bench.bare-seconds}
 * (15, after 5 s of warm-up), {@code bench.intake-lines} (50,000), {@code bench.batch} (batch size; default
 * max(50, 4 x concurrency)), {@code bench.jfr} (true: a JFR recording per main job, kept under target/bench-jfr).
 */
class ThroughputBench {

    @TempDir
    Path work;

    record Case(int concurrency, int latencyMs) {
        String label() {
            return "c=" + concurrency + ", " + (latencyMs == 0 ? "no added latency" : latencyMs + " ms");
        }

        /** Little's law: at most concurrency / latency calls per second; NaN when the latency is not set. */
        double littleLimit() {
            return latencyMs == 0 ? Double.NaN : concurrency * 1000.0 / latencyMs;
        }
    }

    @Test
    void throughput() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("bench"), "a benchmark: -Dbench=true");
        List<Case> cases = new ArrayList<>();
        for (String c : System.getProperty("bench.cases", "8:0,8:100,32:100,128:100,32:500").split(",")) {
            String[] p = c.strip().split(":");
            cases.add(new Case(Integer.parseInt(p[0]), Integer.parseInt(p[1])));
        }
        List<String> journals = List.of(System.getProperty("bench.journals", "postgresql,h2").toLowerCase(Locale.ROOT).split(","));
        double seconds = Double.parseDouble(System.getProperty("bench.seconds", "20"));
        Duration bareSeconds = Duration.ofSeconds(Long.getLong("bench.bare-seconds", 15));
        int intakeLines = Integer.getInteger("bench.intake-lines", 50_000);
        Path dirs = Boolean.getBoolean("bench.jfr") ? Path.of("target/bench-jfr").toAbsolutePath() : work;
        say("machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + "; load average before: " + loadAverage());

        List<PipelineRun.IntakeResult> intakes = new ArrayList<>();
        for (String j : journals) {
            JournalTarget journal = journal(j, dirs.resolve("intake-" + j));
            if (journal == null) {
                continue;
            }
            try {
                intakes.add(PipelineRun.intake(dirs.resolve("intake-" + j), journal, intakeLines));
            } finally {
                journal.dispose();
            }
        }

        List<String[]> rates = new ArrayList<>();
        List<String[]> dbWork = new ArrayList<>();
        List<String[]> cpuWork = new ArrayList<>();
        List<String> breakdowns = new ArrayList<>();
        for (Case c : cases) {
            int batch = Integer.getInteger("bench.batch", Math.max(50, 4 * c.concurrency()));
            EcpaySandbox.Builder b = EcpaySandbox.builder().port(0).threads(c.concurrency() + 32).trackSize(50_000_000);
            if (c.latencyMs() > 0) {
                b.fault(new FaultRule(null, FaultRule.Kind.LATENCY, 1.0, c.latencyMs(), 0, 0));
            }
            try (EcpaySandbox sandbox = b.start()) {
                BareLoop.Result bare = BareLoop.run(sandbox.baseUrl(), c.concurrency(), Duration.ofSeconds(5), bareSeconds,
                        "B" + c.concurrency() + "x" + c.latencyMs() + "n");
                say(String.format(Locale.ROOT, "%s: bare loop %,.1f calls/s (%,d calls in %.0f s)", c.label(), bare.rate(),
                        bare.calls(), bare.seconds()));
                for (String j : journals) {
                    Path dir = dirs.resolve("c" + c.concurrency() + "-" + c.latencyMs() + "ms-" + j);
                    JournalTarget journal = journal(j, dir);
                    if (journal == null) {
                        continue;
                    }
                    PipelineRun.Result r;
                    try {
                        // sized for about bench.seconds at the warm-up's rate, at least at a quarter of what the bare loop did
                        double floor = 0.25 * (c.latencyMs() == 0 ? bare.rate() : Math.min(bare.rate(), c.littleLimit()));
                        r = PipelineRun.run(dir, journal, sandbox, c.concurrency(), batch, warmUp(c), seconds, floor);
                    } finally {
                        journal.dispose();
                    }
                    double little = c.littleLimit();
                    rates.add(new String[] {c.label(), r.journal(), Integer.toString(batch), String.format(Locale.ROOT, "%,d", r.commands()),
                            String.format(Locale.ROOT, "%.0f s", r.seconds()), rate(r.rate()), rate(bare.rate()),
                            ratio(r.rate() / bare.rate()), Double.isNaN(little) ? "-" : rate(little),
                            Double.isNaN(little) ? "-" : ratio(r.rate() / little), Double.isNaN(little) ? "-" : ratio(bare.rate() / little)});
                    CountingDriver.Snapshot q = r.jdbc();
                    dbWork.add(new String[] {c.label(), r.journal(), per(r, q.statements()), per(r, q.roundTrips()), per3(r.commands(), q.commits()),
                            per(r, q.noRowUpdates()), r.cpu().jobMs() < 0 ? "-" : per(r, r.cpu().jobMs()) + " ms",
                            r.dropToFirstCallMs() + " ms", r.lastAnswerToChannelMs() + " ms", r.lastAnswerToResultFileMs() + " ms"});
                    CpuMeter.Reading m = r.cpu();
                    CpuMeter.Reading bm = bare.cpu();
                    cpuWork.add(new String[] {c.label(), r.journal(), per(r, m.machineMs()) + " ms", per(r, m.jobMs()) + " ms",
                            per(r, m.benchJvmMs()) + " ms", per(r, m.databaseMs()) + " ms", per(r, m.otherMs()) + " ms",
                            per(bare.calls(), bm.machineMs()) + " ms", per(bare.calls(), bm.benchJvmMs()) + " ms",
                            ratio((double) bm.machineMs() / bare.calls() / ((double) m.machineMs() / r.commands()))});
                    say(String.format(Locale.ROOT, "%s, %s: %,d commands, pipeline %,.1f/s over %.0f s; %s statements, %s round trips "
                            + "per command", c.label(), r.journal(), r.commands(), r.rate(), r.seconds(), per(r, q.statements()),
                            per(r, q.roundTrips())));
                    if (c == cases.get(0)) {
                        breakdowns.add(breakdown(c.label() + ", " + r.journal(), q, r.commands()));
                    }
                }
            }
        }

        say("");
        say("Dispatch: steady-state rate (middle 80% of the measured drop's completions), bare loop at the same concurrency");
        table(new String[] {"case", "journal", "batch", "commands", "span", "pipeline /s", "bare loop /s", "pipeline / bare",
            "concurrency / latency", "pipeline / (c/L)", "bare / (c/L)"}, rates);
        say("");
        say("Per command of the measured drop, intake to channel and result file (JDBC calls counted in the job)");
        table(new String[] {"case", "journal", "statements", "round trips", "commits", "updates that changed no row",
            "job CPU", "drop -> first ECPay call",
            "last answer -> last channel message", "last answer -> result file"}, dbWork);
        say("");
        say("CPU per command of the measured drop (machine: /proc/stat, all cores; bench JVM: the sandbox and this benchmark; "
                + "database: PostgreSQL and MariaDB server processes), against the bare loop's per call in the same case");
        table(new String[] {"case", "journal", "machine", "job", "bench JVM", "database server", "other", "bare loop: machine",
            "bare loop: bench JVM", "bare CPU / pipeline CPU"}, cpuWork);
        say("");
        say("Intake alone (dispatch off), " + String.format(Locale.ROOT, "%,d", intakeLines) + "-line JSON Lines drop");
        List<String[]> in = new ArrayList<>();
        for (PipelineRun.IntakeResult i : intakes) {
            in.add(new String[] {i.journal(), String.format(Locale.ROOT, "%,.0f lines/s", i.rate()),
                per(i.lines(), i.jdbc().statements()), per(i.lines(), i.jdbc().roundTrips()), per3(i.lines(), i.jdbc().commits())});
        }
        table(new String[] {"journal", "intake", "statements / line", "round trips / line", "commits / line"}, in);
        for (PipelineRun.IntakeResult i : intakes) {
            breakdowns.add(breakdown("intake alone, " + i.journal(), i.jdbc(), i.lines()));
        }
        for (String b : breakdowns) {
            say("");
            for (String line : b.split("\n")) {
                say(line);
            }
        }
        say("");
        say("load average after: " + loadAverage());
    }

    /** Warm-up drop: about 5 s of work at the case's limit, at least 300 commands; 2,000 when CPU-bound. */
    static int warmUp(Case c) {
        return c.latencyMs() == 0 ? 2000 : (int) Math.max(300, Math.min(3000, c.littleLimit() * 5));
    }

    private static JournalTarget journal(String name, Path dir) {
        switch (name.strip()) {
            case "postgresql":
                try {
                    return JournalTarget.postgresql();
                } catch (TestAbortedException e) {
                    say("PostgreSQL skipped: " + e.getMessage());
                    return null;
                }
            case "h2":
                return JournalTarget.h2(dir);
            default:
                throw new IllegalArgumentException("bench.journals: postgresql or h2, not " + name);
        }
    }

    /** The SQL of one run, per command, largest first. */
    static String breakdown(String title, CountingDriver.Snapshot q, long commands) {
        StringBuilder b = new StringBuilder("JDBC work per command, " + title
                + " (statements | round trips | of them updates that changed no row | SQL):\n");
        q.counts().entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue()[1] + y.getValue()[0], x.getValue()[1] + x.getValue()[0]))
                .filter(e -> (e.getValue()[0] + e.getValue()[1]) * 1000 >= commands) // >= 0.001 per command
                .forEach(e -> b.append(String.format(Locale.ROOT, "  %7.3f | %7.3f | %7.3f | %s%n", (double) e.getValue()[0] / commands,
                        (double) e.getValue()[1] / commands, (double) e.getValue()[2] / commands, e.getKey())));
        return b.toString().stripTrailing();
    }

    private static String per(PipelineRun.Result r, long v) {
        return per(r.commands(), v);
    }

    private static String per(long n, long v) {
        return String.format(Locale.ROOT, "%.2f", (double) v / n);
    }

    private static String per3(long n, long v) {
        return String.format(Locale.ROOT, "%.3f", (double) v / n);
    }

    private static String rate(double r) {
        return String.format(Locale.ROOT, "%,.0f", r);
    }

    private static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2fx", r);
    }

    private static void table(String[] head, List<String[]> rows) {
        say("| " + String.join(" | ", head) + " |");
        say("|" + "---|".repeat(head.length));
        for (String[] r : rows) {
            say("| " + String.join(" | ", r) + " |");
        }
    }

    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (Exception e) {
            return "unknown";
        }
    }

    static void say(String line) {
        System.out.println("THROUGHPUT " + line);
    }
}
