package dev.guardian.process.internal;

import dev.guardian.process.CpuPriority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives an agent's session the CPU weight of its priority, where Linux groups tasks by session.
 *
 * <p>Why: with autogroups on ({@code kernel.sched_autogroup_enabled=1}, the default of many
 * distributions, for tasks outside any cgroup that has the CPU controller), the scheduler first shares
 * the CPU between sessions, each weighing as one nice-0 task, and only then between the tasks inside
 * each. An agent runs under {@code setsid}, so it heads a session of its own: without this, fifty
 * {@code SCHED_IDLE} shadows were fifty nice-0 groups, took 1.4 of 2 cores, and the primary's threads
 * waited 1–3 ms for a CPU at every wake-up. The autogroup's nice value ({@code /proc/PID/autogroup})
 * is the one weight that counts between sessions.
 *
 * <p>It can be set only once the agent has called {@code setsid} (before that, its autogroup is
 * Guardian's own), and a caller without CAP_SYS_ADMIN may set one autogroup's nice value per 100 ms
 * in the whole system: both are retried for a while, off the caller's thread.
 */
public final class Autogroups {

    private static final Logger LOG = LoggerFactory.getLogger(Autogroups.class);
    private static final Path ENABLED = Path.of("/proc/sys/kernel/sched_autogroup_enabled");
    private static final int ATTEMPTS = 50;
    private static final Executor LATER = CompletableFuture.delayedExecutor(110, TimeUnit.MILLISECONDS);

    private Autogroups() {
    }

    /** The autogroup nice value for a priority: an idle instance weighs as little as a session can. */
    static int niceFor(CpuPriority p) {
        return p.idle() ? 19 : p.niceness();
    }

    /**
     * Keeps setting the nice value of the session that {@code pid} leads to that of {@code priority}'s
     * current value, until it holds, the process is gone, or the attempts run out. Does nothing where
     * autogroups are off.
     */
    static void follow(long pid, Supplier<CpuPriority> priority) {
        if (enabled()) {
            attempt(pid, priority, 1);
        }
    }

    private static void attempt(long pid, Supplier<CpuPriority> priority, int n) {
        Result r = apply(pid, niceFor(priority.get()));
        if (r == Result.RETRY && n < ATTEMPTS) {
            LATER.execute(() -> attempt(pid, priority, n + 1));
        } else if (r == Result.RETRY || r == Result.FAILED) {
            LOG.warn("could not set the autogroup nice value of pid {} to {}: it weighs as a nice-0 session against Guardian's",
                    pid, niceFor(priority.get()));
        }
    }

    private enum Result { DONE, RETRY, FAILED, GONE }

    private static Result apply(long pid, int nice) {
        long session = ProcFs.session(pid);
        if (session < 0) {
            return Result.GONE;
        }
        if (session != pid) {
            // setsid has not run yet (or is missing): this would set Guardian's own autogroup.
            return Result.RETRY;
        }
        Path file = Path.of("/proc", Long.toString(pid), "autogroup");
        try {
            Files.writeString(file, Integer.toString(nice));
            return Result.DONE;
        } catch (IOException e) {
            if (!Files.exists(file)) {
                return Result.GONE;
            }
            // EAGAIN: the system-wide rate limit for callers without CAP_SYS_ADMIN.
            String m = String.valueOf(e.getMessage());
            return m.contains("temporarily unavailable") ? Result.RETRY : Result.FAILED;
        }
    }

    /** The nice value of the autogroup that {@code pid} belongs to, or empty when unknown. */
    public static java.util.OptionalInt nice(long pid) {
        // "/autogroup-N nice V"
        String line = ProcFs.read(pid, "autogroup");
        if (line == null) {
            return java.util.OptionalInt.empty();
        }
        String s = line.trim();
        if (s.isEmpty()) {
            // The root autogroup: a session whose leaders never called setsid since boot (seen in CI containers).
            return java.util.OptionalInt.empty();
        }
        try {
            return java.util.OptionalInt.of(Integer.parseInt(s.substring(s.lastIndexOf(' ') + 1)));
        } catch (NumberFormatException e) {
            return java.util.OptionalInt.empty();
        }
    }

    /** True where the kernel groups tasks by session ({@code kernel.sched_autogroup_enabled=1}). */
    public static boolean enabled() {
        try {
            return "1".equals(Files.readString(ENABLED).trim()) && Files.exists(Path.of("/proc/self/autogroup"));
        } catch (IOException e) {
            return false;
        }
    }
}
