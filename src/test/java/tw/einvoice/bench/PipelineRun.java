package tw.einvoice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tw.einvoice.sandbox.EcpaySandbox;

/**
 * One benchmark case on one journal: the main job (its own JVM, shipped routes and config) with the dispatcher's
 * concurrency and batch size of the case, calling the benchmark's sandbox. A warm-up drop first (taken, dispatched,
 * published, its result file written), then the measured drop, sized from the warm-up's rate to last about
 * {@code seconds}. Rate: the middle 80% of the measured drop's completion times (updated_at of its SUCCEEDED rows).
 */
final class PipelineRun {

    static final String ISSUE = "B2CInvoice/Issue";

    /** What one run measured. Times in ms; statements etc. per command of the measured drop. */
    record Result(String journal, int commands, double rate, double seconds, long dropToFirstCallMs, long lastAnswerToChannelMs,
                  long lastAnswerToResultFileMs, CountingDriver.Snapshot jdbc, CpuMeter.Reading cpu) {

        double perCommand(long value) {
            return (double) value / commands;
        }
    }

    private PipelineRun() {
    }

    static Map<String, String> settings(Path dir, JournalTarget journal, String ecpayUrl) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("sandbox.enabled", "false");
        s.put("ecpay.base-url", ecpayUrl);
        s.put("journal.url", journal.countedUrl());
        s.put("journal.user", journal.user());
        s.put("journal.password", "");
        s.put("intake.file.inbox", dir.resolve("inbox").toString());
        s.put("intake.file.archive-dir", dir.resolve("archive").toString());
        s.put("ecpay.channel.success", "file:" + dir.resolve("outbox/success") + "?tempPrefix=.writing-");
        s.put("ecpay.channel.dead-letter", "file:" + dir.resolve("outbox/dead-letter") + "?tempPrefix=.writing-");
        return s;
    }

    static Result run(Path dir, JournalTarget journal, EcpaySandbox sandbox, int concurrency, int batch, int warmUp, double seconds,
                      double floorRate) throws Exception {
        Map<String, String> s = settings(dir, journal, sandbox.baseUrl());
        s.put("ecpay.dispatch.concurrency", Integer.toString(concurrency));
        s.put("ecpay.dispatch.batch-size", Integer.toString(batch));
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String warmTag = "W" + run;
        String tag = "M" + run;
        LongSupplier issued = () -> sandbox.ledger().totalIssued();
        LongSupplier requests = () -> sandbox.ledger().requests(ISSUE);
        try (BenchJob job = BenchJob.start(dir, "job-" + journal.name(), s)) {
            // warm-up: JIT, pools, connections; its rate sizes the measured drop
            long base = issued.getAsLong();
            Workload.drop(dir.resolve("inbox"), warmTag, warmUp);
            long t50 = waitFor(job, () -> issued.getAsLong() >= base + warmUp / 2, 600);
            long t100 = waitFor(job, () -> issued.getAsLong() >= base + warmUp, 600);
            // the second half of the warm-up (the first is slowed by the JIT), and no less than floorRate: a warm-up slowed
            // by a burst of load on the machine would otherwise make the measured drop too short to mean anything
            double estimate = Math.max(floorRate, warmUp * 0.5 / Math.max(1e-3, (t100 - t50) / 1e9));
            waitFor(job, () -> channelMessages(dir) >= warmUp, 120, 20);
            waitFor(job, () -> resultFile(dir, warmTag), 120, 20);

            int n = (int) Math.max(500, Math.min(200_000, Math.round(estimate * seconds)));
            CountingDriver.Snapshot before = job.freshCounts();
            CpuMeter.Reading machineBefore = CpuMeter.read(job.handle());
            long issuedBefore = issued.getAsLong();
            long requestsBefore = requests.getAsLong();
            Workload.drop(dir.resolve("inbox"), tag, n);
            long dropped = System.nanoTime();
            long firstCall = waitFor(job, () -> requests.getAsLong() > requestsBefore, 600);
            long lastAnswer = waitFor(job, () -> issued.getAsLong() >= issuedBefore + n, Math.max(600, (long) (10 * n / estimate)));
            long channel = waitFor(job, () -> channelMessages(dir) >= warmUp + n, 300, 20);
            long resultFile = waitFor(job, () -> resultFile(dir, tag), 300, 20);
            CpuMeter.Reading machine = CpuMeter.read(job.handle()).minus(machineBefore);
            CountingDriver.Snapshot jdbc = job.freshCounts().minus(before);
            job.stop();

            Map<String, Long> states = journal.states(tag);
            if (!Long.valueOf(n).equals(states.get("SUCCEEDED")) || states.size() != 1) {
                throw new AssertionError(journal.name() + ": the measured drop of " + n + " commands ended " + states + " (log "
                        + job.log + ")");
            }
            List<Long> done = journal.completions(tag);
            double rate = SteadyState.steady(done);
            double span = (done.get(done.size() - 1) - done.get(0)) / 1000.0;
            return new Result(journal.name(), n, rate, span, ms(firstCall - dropped), ms(channel - lastAnswer),
                    ms(resultFile - lastAnswer), jdbc, machine);
        }
    }

    /** Intake alone (dispatch off): lines/s as the job reports it, and the JDBC work per line. */
    record IntakeResult(String journal, int lines, double rate, CountingDriver.Snapshot jdbc) {
    }

    static IntakeResult intake(Path dir, JournalTarget journal, int lines) throws Exception {
        Map<String, String> s = settings(dir, journal, "http://127.0.0.1:9");
        s.put("ecpay.dispatch.enabled", "false");
        String tag = "I" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        try (BenchJob job = BenchJob.start(dir, "intake-" + journal.name(), s)) {
            job.await(Pattern.compile("ecpay-einvoice started"), 120);
            CountingDriver.Snapshot before = job.freshCounts();
            Workload.drop(dir.resolve("inbox"), tag, lines);
            String rate = job.await(Pattern.compile(tag + "[^\\n]* done: " + lines + " lines[^\\n]*\\((\\d+) lines/s\\)"), 1800);
            CountingDriver.Snapshot jdbc = job.freshCounts().minus(before);
            job.stop();
            return new IntakeResult(journal.name(), lines, Double.parseDouble(rate), jdbc);
        }
    }

    static long channelMessages(Path dir) {
        Path success = dir.resolve("outbox/success");
        if (!Files.isDirectory(success)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(success)) {
            return files.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    static boolean resultFile(Path dir, String tag) {
        Path archive = dir.resolve("archive");
        if (!Files.isDirectory(archive)) {
            return false;
        }
        try (Stream<Path> files = Files.list(archive)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(tag + ".result.csv"));
        } catch (IOException e) {
            return false;
        }
    }

    interface Check {
        boolean done() throws Exception;
    }

    /** Polls the sandbox's counters every 2 ms; returns System.nanoTime() when {@code check} first held. */
    static long waitFor(BenchJob job, Check check, long seconds) throws Exception {
        return waitFor(job, check, seconds, 2);
    }

    /** Polls every {@code pollMs} (folders: 20 ms, so that listing them takes little CPU from the job). */
    static long waitFor(BenchJob job, Check check, long seconds, long pollMs) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long nextAlive = 0;
        while (true) {
            if (check.done()) {
                return System.nanoTime();
            }
            long now = System.nanoTime();
            if (now > end) {
                throw new AssertionError("timed out after " + seconds + " s; the job's log: " + job.log);
            }
            if (now > nextAlive) {
                job.alive();
                nextAlive = now + 1_000_000_000L;
            }
            Thread.sleep(pollMs);
        }
    }

    private static long ms(long nanos) {
        return Math.round(nanos / 1e6);
    }
}
