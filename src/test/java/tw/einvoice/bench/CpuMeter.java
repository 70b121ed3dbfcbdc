package tw.einvoice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time used on this machine, split by who used it, so that a benchmark can say where a command's CPU goes: the whole
 * machine (/proc/stat), this JVM (the benchmark with its sandbox), the database servers (PostgreSQL and MariaDB
 * processes, with their exited children) and the job's process. Linux only; on anything else every figure is -1.
 */
final class CpuMeter {

    /** /proc counts in clock ticks, 100 per second on Linux (USER_HZ). */
    private static final long MS_PER_TICK = 10;
    private static final List<String> DATABASE_SERVERS = List.of("postgres", "mariadbd", "mysqld");

    /** CPU milliseconds used so far, or over a period (see {@link #minus}). */
    record Reading(long machineMs, long benchJvmMs, long databaseMs, long jobMs) {

        /** The CPU used since {@code before}; -1 where either reading is unknown. */
        Reading minus(Reading before) {
            return new Reading(since(machineMs, before.machineMs), since(benchJvmMs, before.benchJvmMs),
                    since(databaseMs, before.databaseMs), since(jobMs, before.jobMs));
        }

        private static long since(long now, long before) {
            return now < 0 || before < 0 ? -1 : now - before;
        }

        /** What the machine did beyond the three parts measured: the kernel's own work, other processes. */
        long otherMs() {
            return machineMs - benchJvmMs - databaseMs - Math.max(0, jobMs);
        }
    }

    private CpuMeter() {
    }

    /** Now; {@code job} may be null (no job running: its figure is 0). */
    static Reading read(ProcessHandle job) {
        return new Reading(machineMs(), cpuMs(ProcessHandle.current()), databaseMs(), job == null ? 0 : cpuMs(job));
    }

    private static long cpuMs(ProcessHandle process) {
        return process.info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(-1L);
    }

    private static long machineMs() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal: everything but idle and iowait is busy
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += i < f.length ? Long.parseLong(f[i]) : 0;
            }
            return busy * MS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long databaseMs() {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .mapToLong(CpuMeter::databaseTicks).sum() * MS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime + cutime + cstime of a database server process (its exited backends included), else 0. */
    private static long databaseTicks(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            if (DATABASE_SERVERS.stream().noneMatch(comm::startsWith)) {
                return 0;
            }
            // fields after "pid (comm) ": state is field 3, utime..cstime are fields 14..17
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return 0; // gone meanwhile
        }
    }
}
