package dev.guardian.process;

/**
 * How much of the CPU an instance may take from the others.
 *
 * <p>A nice value only weighs tasks against each other: one shadow at nice 10 weighs about a tenth
 * of a primary at nice 0, so a hundred of them together outweigh it ten to one. {@code idle}
 * (Linux {@code SCHED_IDLE}) is what keeps many shadows off the primary's CPU: such a task runs only
 * on CPU time that no normal task wants, and a normal task that wakes up preempts it at once.
 *
 * @param niceness -20..19; 0 is normal, higher is lower priority
 * @param idle     run under {@code SCHED_IDLE}
 */
public record CpuPriority(int niceness, boolean idle) {

    public static final CpuPriority NORMAL = new CpuPriority(0, false);

    public CpuPriority {
        if (niceness < -20 || niceness > 19) {
            throw new IllegalArgumentException("niceness must be between -20 and 19, but was " + niceness);
        }
    }

    public static CpuPriority nice(int niceness) {
        return new CpuPriority(niceness, false);
    }

    /**
     * The priority of Guardian's own threads that serve an instance at this one: normal for a normal
     * instance, else nice 19 under the normal policy. Not {@code SCHED_IDLE}: a JVM thread starved of
     * CPU would hold up every safepoint (every GC pause) until it got one. Nice 19 still yields to
     * the primary's threads, and when one of them waits for a lock such a thread holds, the lock
     * holder is the next to run.
     */
    public CpuPriority forGuardianThreads() {
        return isNormal() ? this : new CpuPriority(19, false);
    }

    /** Sets it on one thread of this JVM or of an agent; false when it cannot (gone, or not allowed to raise it). */
    public boolean applyToThread(int tid) {
        return tid > 0 && dev.guardian.process.internal.Priorities.applyToThread(tid, this);
    }

    /** The calling thread's id, for {@link #applyToThread}; 0 when it cannot be had. */
    public static int currentThreadId() {
        return dev.guardian.process.internal.Priorities.currentThreadId();
    }

    /** Nanoseconds a thread of this JVM has spent runnable but waiting for a CPU; -1 when unknown. */
    public static long threadCpuWaitNanos(int tid) {
        return dev.guardian.process.internal.ProcFs.threadCpuWaitNanos(ProcessHandle.current().pid(), tid);
    }

    /** True when a thread of this JVM is running or waiting for a CPU right now. */
    public static boolean threadRunnable(int tid) {
        return dev.guardian.process.internal.ProcFs.threadRunnable(ProcessHandle.current().pid(), tid);
    }

    public boolean isNormal() {
        return niceness == 0 && !idle;
    }

    @Override
    public String toString() {
        return idle ? "idle (nice " + niceness + ")" : "nice " + niceness;
    }
}
