package tw.einvoice.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tw.einvoice.sandbox.EcpaySandbox;

/**
 * A large backlog on the embedded journal (bench/run.sh backlog): a 200,000-line drop taken in with dispatch off, then
 * the main job started with dispatch on as shipped (concurrency 8, batch 50), against the sandbox with no added
 * latency, until every command is done. Prints the dispatch rate over the first and over the last 10,000 completions
 * (updated_at of the SUCCEEDED rows): a per-command statement that scans the backlog makes the start slower than the end.
 * <p>
 * Runs with {@code -Dbench=true}. Settings: {@code bench.backlog.commands} (200,000), {@code bench.backlog.window}
 * (10,000), {@code bench.backlog.max-minutes} (90: then the rates are of what was done so far).
 */
class BacklogBench {

    @TempDir
    Path work;

    @Test
    void backlog() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("bench"), "a benchmark: -Dbench=true");
        int n = Integer.getInteger("bench.backlog.commands", 200_000);
        int window = Integer.getInteger("bench.backlog.window", 10_000);
        long maxMinutes = Long.getLong("bench.backlog.max-minutes", 90);
        JournalTarget journal = JournalTarget.h2(work);
        String tag = "K" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        say("backlog: load average before: " + ThroughputBench.loadAverage());
        try (EcpaySandbox sandbox = EcpaySandbox.builder().port(0).threads(40).trackSize(n + 10_000).start()) {
            Map<String, String> s = PipelineRun.settings(work, journal, sandbox.baseUrl());
            s.put("ecpay.dispatch.enabled", "false");
            Workload.drop(work.resolve("inbox"), tag, n);
            String intake;
            try (BenchJob job = BenchJob.start(work, "backlog-intake", s)) {
                intake = job.await(Pattern.compile(tag + "[^\\n]* done: " + n + " lines[^\\n]*\\((\\d+) lines/s\\)"), 3600);
                job.stop();
            }
            say(String.format(Locale.ROOT, "backlog: %,d lines taken into H2 at %s lines/s (dispatch off)", n, intake));

            s.put("ecpay.dispatch.enabled", "true");
            long t0 = System.nanoTime();
            boolean finished;
            CountingDriver.Snapshot jdbc;
            try (BenchJob job = BenchJob.start(work, "backlog-dispatch", s)) {
                long end = t0 + maxMinutes * 60_000_000_000L;
                long lastReport = System.nanoTime();
                long lastCount = 0;
                while (sandbox.ledger().totalIssued() < n && System.nanoTime() < end) {
                    job.alive();
                    Thread.sleep(200);
                    if (System.nanoTime() - lastReport >= 60_000_000_000L) {
                        long count = sandbox.ledger().totalIssued();
                        say(String.format(Locale.ROOT, "backlog: %,d of %,d issued after %.0f s (%.1f/s in the last minute)", count, n,
                                (System.nanoTime() - t0) / 1e9, (count - lastCount) / ((System.nanoTime() - lastReport) / 1e9)));
                        lastCount = count;
                        lastReport = System.nanoTime();
                    }
                }
                finished = sandbox.ledger().totalIssued() >= n;
                // the last answers recorded and published, and the drop's result file written, before the job stops
                PipelineRun.waitFor(job, () -> PipelineRun.channelMessages(work) >= sandbox.ledger().totalIssued(), 120, 100);
                if (finished) {
                    PipelineRun.waitFor(job, () -> PipelineRun.resultFile(work, tag), 900, 200);
                }
                jdbc = job.freshCounts();
                job.stop();
            }
            List<Long> done = journal.completions(tag);
            say(String.format(Locale.ROOT, "backlog: %,d of %,d commands SUCCEEDED%s in %.0f s, %,.1f/s on average", done.size(), n,
                    finished ? "" : " (stopped at bench.backlog.max-minutes)", (done.get(done.size() - 1) - done.get(0)) / 1000.0,
                    SteadyState.rate(done, 0, 1)));
            say(String.format(Locale.ROOT, "backlog: dispatch rate over the first %,d completions %,.1f/s, over the last %,d %,.1f/s "
                    + "(end / start %.2f)", window, SteadyState.first(done, window), window, SteadyState.last(done, window),
                    SteadyState.last(done, window) / SteadyState.first(done, window)));
            say(String.format(Locale.ROOT, "backlog: %.2f statements, %.2f round trips per command from the dispatching job's "
                    + "start (dispatch, channel, result file)", (double) jdbc.statements() / done.size(), (double) jdbc.roundTrips() / done.size()));
            say(ThroughputBench.breakdown("backlog dispatch, H2", jdbc, done.size()).replace("\n", "\nBACKLOG "));
            say("backlog: load average after: " + ThroughputBench.loadAverage());
        }
    }

    private static void say(String line) {
        System.out.println("BACKLOG " + line);
    }
}
