package dev.guardian.process.internal;

import com.sun.jna.LastErrorException;
import dev.guardian.process.CpuPriority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Sets CPU priorities on Linux. Both the nice value and the scheduling policy belong to a thread,
 * not to a process: a process's threads and children inherit them when they are created, and a
 * later change has to visit every thread ({@code /proc/PID/task}).
 */
public final class Priorities {

    private Priorities() {
    }

    /** Sets one thread's priority; false when it cannot (gone, or not allowed to raise it). */
    public static boolean applyToThread(int tid, CpuPriority p) {
        try {
            LibC.SchedParam param = new LibC.SchedParam();
            LibC.INSTANCE.sched_setscheduler(tid, p.idle() ? LibC.SCHED_IDLE : LibC.SCHED_OTHER, param);
            LibC.INSTANCE.setpriority(LibC.PRIO_PROCESS, tid, p.niceness());
            return true;
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** Sets the calling thread's priority. */
    public static boolean applyToCurrentThread(CpuPriority p) {
        try {
            return applyToThread(LibC.INSTANCE.gettid(), p);
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** The calling thread's id, or 0 when it cannot be had. */
    public static int currentThreadId() {
        try {
            return LibC.INSTANCE.gettid();
        } catch (UnsatisfiedLinkError e) {
            return 0;
        }
    }

    /** Sets the priority of every thread of a process and of its descendants; false when one failed. */
    public static boolean applyToProcessTree(ProcessHandle root, CpuPriority p) {
        boolean all = applyToProcess(root.pid(), p);
        for (ProcessHandle child : (Iterable<ProcessHandle>) root.descendants()::iterator) {
            all &= applyToProcess(child.pid(), p);
        }
        return all;
    }

    private static boolean applyToProcess(long pid, CpuPriority p) {
        boolean all = true;
        for (int tid : threads(pid)) {
            all &= applyToThread(tid, p);
        }
        return all;
    }

    /** The scheduling policy of a thread: {@link LibC#SCHED_IDLE}, {@link LibC#SCHED_OTHER}, …; -1 if unknown. */
    public static int policy(int tid) {
        try {
            return LibC.INSTANCE.sched_getscheduler(tid);
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return -1;
        }
    }

    /** The ids of a process's threads (empty when it is gone). */
    public static List<Integer> threads(long pid) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.map(t -> Integer.parseInt(t.getFileName().toString())).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
