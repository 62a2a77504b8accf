package dev.guardian.process.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CPU cgroup beside Guardian's own, with {@code cpu.idle = 1}, for the agents that run at idle
 * priority (shadows): the whole group then runs only on CPU time that nothing outside it wants.
 *
 * <p>Why not only {@code SCHED_IDLE}: each agent heads a session of its own, and where the kernel
 * groups tasks by session (autogroups), a task's policy counts only inside its session. Between
 * sessions the scheduler compares groups, and a shadow's group that has just woken up is not
 * preempted by the primary's threads: it may run out its slice first. {@code bench/idle_wakeups.py}
 * measured it, with no Guardian involved: 25 pairs of idle processes waking each other every
 * millisecond, each in a session of its own at autogroup nice 19, made a normal-priority thread's
 * 1 ms sleeps end 3.7 ms late at p99 (0.12 ms without them). In one idle cgroup the same pairs cost
 * it nothing measurable (0.13 ms): the kernel preempts an idle group for a non-idle one at once, at
 * every level. A process in a cgroup is also outside the autogroups, which apply only to the root
 * cgroup.
 *
 * <p>The group is made when the first idle agent starts and removed when its last one has left, so
 * that a Guardian stopped by any means leaves at most an empty directory, which the next Guardian
 * removes. It needs a writable CPU hierarchy (cgroup v1 {@code cpu}, or v2 with the {@code cpu}
 * controller enabled for Guardian's cgroup) and a kernel with {@code cpu.idle} (5.15): elsewhere, or
 * with {@code GUARDIAN_IDLE_CGROUP=off}, {@link #forThisProcess} is empty and agents keep only their
 * policy and autogroup weight.
 */
final class IdleCgroup {

    private static final Logger LOG = LoggerFactory.getLogger(IdleCgroup.class);
    /** The environment variable that turns the group off ({@code off}), for hosts where Guardian must not make cgroups. */
    static final String SWITCH = "GUARDIAN_IDLE_CGROUP";
    private static final Pattern OURS = Pattern.compile("guardian-(\\d+)-idle");
    private static final Optional<IdleCgroup> THIS_PROCESS = locate();

    /** Guardian's own CPU cgroup, where an agent goes back when it is raised to normal priority. */
    private final Path parent;
    private final Path dir;
    /** Whether {@link #dir} exists (made by this class); guarded by this. */
    private boolean made;

    IdleCgroup(Path parent, String name) {
        this.parent = parent;
        this.dir = parent.resolve(name);
    }

    /** The idle group of this JVM, or empty where there can be none (no writable CPU cgroup here). */
    static Optional<IdleCgroup> forThisProcess() {
        return THIS_PROCESS;
    }

    Path dir() {
        return dir;
    }

    /**
     * Moves a process (all its threads) and its descendants into the group, making it first when
     * needed; false when it cannot, and the process then stays in Guardian's cgroup.
     */
    synchronized boolean enter(long pid, List<Long> descendants) {
        try {
            if (!made) {
                make();
            }
        } catch (IOException e) {
            LOG.warn("could not make the idle CPU group {} for pid {}: {}", dir, pid, e.toString());
            return false;
        }
        boolean all = moveTo(dir, pid);
        for (long child : descendants) {
            all &= moveTo(dir, child);
        }
        if (!all) {
            LOG.warn("could not move pid {} (or one of its descendants) into the idle CPU group {}", pid, dir);
        }
        return all;
    }

    /** Moves a process and its descendants back to Guardian's own cgroup (a shadow promoted to primary). */
    synchronized boolean leave(long pid, List<Long> descendants) {
        boolean all = moveTo(parent, pid);
        for (long child : descendants) {
            all &= moveTo(parent, child);
        }
        vacate();
        return all;
    }

    /** Removes the group once no process is left in it (an agent in it exited); it is made again when needed. */
    synchronized void vacate() {
        if (!made) {
            return;
        }
        try {
            if (Files.readString(dir.resolve("cgroup.procs")).isBlank()) {
                Files.delete(dir);
                made = false;
            }
        } catch (IOException e) {
            // A process moved in meanwhile (EBUSY) or the group is gone already: either way, nothing to undo.
            made = Files.isDirectory(dir);
        }
    }

    /** The CPU cgroup that a process is in, as a directory, per {@code /proc/PID/cgroup}; empty when unknown. */
    static Optional<Path> cgroupOf(long pid) {
        String text = ProcFs.read(pid, "cgroup");
        return text == null ? Optional.empty() : CgroupPaths.cpuCgroup(text, readMountInfo());
    }

    private void make() throws IOException {
        try {
            Files.createDirectory(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // Left by a JVM with the same pid (a container restarted): take it over.
        }
        try {
            Files.writeString(dir.resolve("cpu.idle"), "1");
        } catch (IOException e) {
            deleteQuietly(dir);
            throw e;
        }
        made = true;
    }

    /** True when the process is in the group now, or is gone (nothing left to move). */
    private static boolean moveTo(Path group, long pid) {
        try {
            Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
            return true;
        } catch (IOException e) {
            return !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    private static Optional<IdleCgroup> locate() {
        String setting = System.getenv(SWITCH);
        if ("off".equalsIgnoreCase(setting)) {
            LOG.info("{}=off: idle agents keep SCHED_IDLE and their session's weight, without an idle CPU cgroup", SWITCH);
            return Optional.empty();
        }
        if (setting != null && !setting.isBlank() && !"on".equalsIgnoreCase(setting)) {
            // Not worth stopping Guardian for: the default is kept, and said.
            LOG.warn("{}={} is neither on nor off: taken as on", SWITCH, setting);
        }
        long self = ProcessHandle.current().pid();
        Optional<Path> own = cgroupOf(self);
        if (own.isEmpty() || !Files.isWritable(own.get())) {
            LOG.info("no writable CPU cgroup here ({}): idle agents keep SCHED_IDLE and, with autogroups on, their "
                    + "session's weight, which lets them delay normal-priority wake-ups", own.map(Path::toString).orElse("none found"));
            return Optional.empty();
        }
        removeStale(own.get());
        IdleCgroup group = new IdleCgroup(own.get(), "guardian-" + self + "-idle");
        // Proven once here, so that a machine without cpu.idle says so at the start, not at the first shadow.
        synchronized (group) {
            try {
                group.make();
                group.vacate();
            } catch (IOException e) {
                LOG.info("idle agents cannot have a CPU cgroup of their own here ({}): they keep SCHED_IDLE and, with "
                        + "autogroups on, their session's weight, which lets them delay normal-priority wake-ups", e.toString());
                return Optional.empty();
            }
        }
        LOG.info("idle-priority agents (shadows) run in the CPU cgroup {} (cpu.idle = 1) while any runs", group.dir);
        return Optional.of(group);
    }

    /** Removes the idle groups of Guardians that are gone, when they are empty. */
    private static void removeStale(Path own) {
        try (DirectoryStream<Path> groups = Files.newDirectoryStream(own, "guardian-*-idle")) {
            for (Path g : groups) {
                Matcher m = OURS.matcher(g.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    deleteQuietly(g);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not look for stale idle groups in {}: {}", own, e.toString());
        }
    }

    private static void deleteQuietly(Path group) {
        try {
            Files.delete(group);
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", group, e.toString());
        }
    }

    private static String readMountInfo() {
        try {
            return Files.readString(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            return "";
        }
    }
}
