package dev.guardian.process.internal;

import dev.guardian.process.AgentProcess;
import dev.guardian.process.CpuPriority;
import dev.guardian.process.ExitStatus;
import dev.guardian.process.ResourceUsage;
import dev.guardian.process.Signal;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** A local child process in its own process group. Immutable apart from the JDK's process state. */
final class LocalAgentProcess implements AgentProcess {

    private final String instanceId;
    private final Process process;
    private final long startTime;
    private final CompletableFuture<ExitStatus> exit;
    /** Whether the agent heads a session of its own (started under setsid), with an autogroup of its own. */
    private final boolean ownSession;
    private volatile CpuPriority priority;
    /** Whether the agent is in Guardian's idle CPU cgroup (it runs at idle priority, and there is one); guarded by this. */
    private boolean inIdleGroup;

    LocalAgentProcess(String instanceId, Process process, long startTime, boolean ownSession, CpuPriority priority,
            boolean inIdleGroup) {
        this.instanceId = instanceId;
        this.process = process;
        this.startTime = startTime;
        this.exit = process.onExit().thenApply(p -> ExitStatus.fromExitValue(p.exitValue()));
        this.ownSession = ownSession;
        this.priority = priority;
        if (ownSession && Autogroups.niceFor(priority) != 0) {
            Autogroups.follow(process.pid(), () -> this.priority);
        }
        if (inIdleGroup) {
            joinedIdleGroup();
        }
    }

    private void joinedIdleGroup() {
        if (!inIdleGroup) {
            inIdleGroup = true;
            // The group goes once its last agent has: an exit takes a process out of it.
            exit.whenComplete((s, e) -> IdleCgroup.forThisProcess().ifPresent(IdleCgroup::vacate));
        }
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public String describe() {
        return "pid " + process.pid();
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.of(process.pid());
    }

    @Override
    public String identity() {
        return process.pid() + ":" + startTime;
    }

    @Override
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        return exit;
    }

    @Override
    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public boolean signal(Signal signal) {
        return Signals.kill(process.pid(), signal);
    }

    @Override
    public synchronized boolean setPriority(CpuPriority priority) {
        this.priority = priority;
        if (ownSession) {
            Autogroups.follow(process.pid(), () -> this.priority);
        }
        boolean moved = true;
        java.util.Optional<IdleCgroup> group = IdleCgroup.forThisProcess();
        if (group.isPresent() && inIdleGroup != priority.idle()) {
            long pid = process.pid();
            if (priority.idle()) {
                moved = group.get().enter(pid, ProcessTree.descendants(pid));
                if (moved) {
                    joinedIdleGroup();
                }
            } else {
                moved = group.get().leave(pid, ProcessTree.descendants(pid));
                inIdleGroup = !moved;
            }
        }
        return Priorities.applyToProcessTree(process.toHandle(), priority) && moved;
    }

    @Override
    public boolean runnable() {
        return ProcFs.anyThreadRunnable(process.pid());
    }

    @Override
    public ResourceUsage usage() {
        long pid = process.pid();
        long rss = ProcFs.rssBytes(pid);
        if (rss < 0) {
            return ResourceUsage.UNKNOWN;
        }
        // Count what the agent started too: a leak in a helper process is the agent's leak.
        long total = rss + ProcessTree.descendants(pid).stream().mapToLong(p -> Math.max(0, ProcFs.rssBytes(p))).sum();
        return new ResourceUsage(total, ProcFs.cpuNanos(pid), ProcFs.cpuWaitNanos(pid));
    }
}
