package tw.einvoice.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tw.einvoice.app.Application;

/**
 * The main job in a JVM of its own, started from the project folder as an operator starts it (config/, routes/), with
 * key=value overrides; its stdout and stderr go to files. {@link #kill()} is SIGKILL ({@code kill -9}): nothing in
 * the process runs after it, no shutdown hook, no finally.
 */
public final class MainJobProcess implements AutoCloseable {

    private final Process process;
    public final Path log;

    private MainJobProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static MainJobProcess start(Path logDir, String name, Map<String, String> settings) throws IOException {
        Files.createDirectories(logDir);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // user.home of its own: the Camel CLI connector's status files (~/.camel/<pid>) of a job killed with
                // kill -9 stay behind, and a reused PID would make the user's `camel ... ecpay-einvoice` match twice
                "-Xmx512m", "-Duser.home=" + logDir.toAbsolutePath(), "-cp", System.getProperty("java.class.path"),
                Application.class.getName()));
        settings.forEach((k, v) -> command.add(k + "=" + v));
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // only what the test sets: no ECPAY_*, JOURNAL_*, ... from the environment running the tests
        pb.environment().keySet().removeIf(k -> k.startsWith("ECPAY_") || k.startsWith("JOURNAL_") || k.startsWith("SANDBOX_")
                || k.startsWith("INTAKE_") || k.startsWith("ERP_"));
        return new MainJobProcess(pb.start(), log);
    }

    /** SIGKILL, and wait until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM (a plain stop, as Ctrl-C or systemd), and wait up to {@code seconds} for the exit code. */
    public int stop(int seconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the main job did not stop within " + seconds + " s of SIGTERM");
        }
        return process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
