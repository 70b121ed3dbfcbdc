package tw.einvoice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tw.einvoice.app.Application;

/**
 * The main job in a JVM of its own, started from the project folder with the shipped config/ and routes/ and the
 * given key=value overrides (as tw.einvoice.testing.MainJobProcess does), plus what the benchmark needs in that JVM:
 * the {@link CountingDriver} (journal URLs written {@code jdbc:count:...}) writing its counters to {@link #counts},
 * and, with {@code -Dbench.jfr=true}, a JFR recording (profile settings) written to {@code <name>.jfr} at exit.
 */
final class BenchJob implements AutoCloseable {

    private final Process process;
    final Path log;
    final Path counts;

    private BenchJob(Process process, Path log, Path counts) {
        this.process = process;
        this.log = log;
        this.counts = counts;
    }

    static BenchJob start(Path dir, String name, Map<String, String> settings) throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve(name + ".log");
        Path counts = dir.resolve(name + ".jdbc-counts");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Djdbc.drivers=" + CountingDriver.class.getName(), "-D" + CountingDriver.COUNTS_FILE + "=" + counts));
        // the job logs as shipped (config/logback.xml, not the tests' logback-test.xml), its files under the run's folder
        command.addAll(List.of("-Dlogback.configurationFile=config/logback.xml", "-DECPAY_LOG_DIR=" + dir.resolve(name + "-logs")));
        if (Boolean.getBoolean("bench.jfr")) {
            command.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + dir.resolve(name + ".jfr"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Application.class.getName()));
        settings.forEach((k, v) -> command.add(k + "=" + v));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // only what the benchmark sets: no ECPAY_*, JOURNAL_*, ... from the environment running it
        pb.environment().keySet().removeIf(k -> k.startsWith("ECPAY_") || k.startsWith("JOURNAL_") || k.startsWith("SANDBOX_")
                || k.startsWith("INTAKE_") || k.startsWith("ERP_"));
        return new BenchJob(pb.start(), log, counts);
    }

    /** The job's process, for the CPU it used so far (all its threads: routes, JDBC, GC, JIT; see {@link CpuMeter}). */
    ProcessHandle handle() {
        return process.toHandle();
    }

    /** The JDBC counters as the job last wrote them (every 200 ms). */
    CountingDriver.Snapshot counts() {
        return CountingDriver.Snapshot.read(counts);
    }

    /** Waits until the counters file was written again after now, so that it holds everything done before this call. */
    CountingDriver.Snapshot freshCounts() throws Exception {
        long before = Files.exists(counts) ? Files.getLastModifiedTime(counts).toMillis() : 0;
        long end = System.nanoTime() + 5_000_000_000L;
        Thread.sleep(250);
        while (Files.exists(counts) && Files.getLastModifiedTime(counts).toMillis() == before && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        return counts();
    }

    /** The first group of the first line of the log matching {@code line}, waiting up to {@code seconds}. */
    String await(Pattern line, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            Matcher m = line.matcher(output());
            if (m.find()) {
                return m.groupCount() > 0 ? m.group(1) : m.group();
            }
            alive();
            Thread.sleep(100);
        }
        throw new AssertionError("timed out after " + seconds + " s waiting for '" + line + "' in " + log);
    }

    void alive() throws IOException {
        if (!process.isAlive()) {
            throw new AssertionError("the main job ended (exit " + process.exitValue() + "); its log " + log + ":\n" + tail());
        }
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    private String tail() throws IOException {
        String out = output();
        return out.length() > 4000 ? out.substring(out.length() - 4000) : out;
    }

    /** SIGTERM, as an operator stops it; waits for the exit. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
