package dev.guardian.process.internal;

import com.sun.jna.LastErrorException;
import dev.guardian.process.AgentProcess;
import dev.guardian.process.LaunchSpec;
import dev.guardian.process.Launcher;
import dev.guardian.process.ResourceLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts agents as local child processes. Each runs under {@code setsid}, which (since a JVM child
 * is not a group leader) makes it the leader of a new session and process group without forking:
 * the pid Guardian sees is the agent's, and a signal to {@code -pid} reaches everything the agent
 * started. Caps are applied with prlimit right after the start (a window of a millisecond or so in
 * which they do not yet hold), and the CPU priority (nice value, scheduling policy) likewise, with
 * the weight of the agent's session where the kernel shares the CPU by session ({@link Autogroups}).
 * An idle-priority agent also goes into Guardian's idle CPU cgroup where there can be one
 * ({@link IdleCgroup}): only there does its policy hold against the other sessions.
 */
public final class LocalLauncher implements Launcher {

    private static final Logger LOG = LoggerFactory.getLogger(LocalLauncher.class);
    private static final String SETSID = "/usr/bin/setsid";

    @Override
    public AgentProcess launch(LaunchSpec spec) throws IOException {
        List<String> command = new ArrayList<>();
        boolean ownSession = new java.io.File(SETSID).canExecute();
        if (ownSession) {
            command.add(SETSID);
        } else {
            LOG.warn("{} not found: {} will share Guardian's process group, and signals reach only its own pid",
                    SETSID, spec.instanceId());
        }
        command.addAll(spec.command());
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(spec.env());
        if (spec.workingDir() != null) {
            pb.directory(spec.workingDir().toFile());
        }
        Process process = pb.start();
        int pid = (int) process.pid();
        try {
            applyLimits(pid, spec.limits());
            // Before the agent starts threads or children of its own, which inherit it.
            if (!spec.priority().isNormal() && !Priorities.applyToThread(pid, spec.priority())) {
                LOG.warn("could not set the CPU priority of {} (pid {}) to {}", spec.instanceId(), pid, spec.priority());
            }
        } catch (LastErrorException e) {
            process.destroyForcibly();
            throw new IOException("could not cap " + spec.instanceId() + " (pid " + pid + "): errno " + e.getErrorCode(), e);
        }
        IdleCgroup idleGroup = spec.priority().idle() ? IdleCgroup.forThisProcess().orElse(null) : null;
        boolean inIdleGroup = idleGroup != null && idleGroup.enter(pid, List.of());
        RotatingLog stderr = new RotatingLog(spec.stderrLog(), spec.stderrMaxBytes(), spec.stderrKeep());
        Thread pump = new Thread(() -> stderr.pump(process.getErrorStream()), "stderr-" + spec.instanceId());
        pump.setDaemon(true);
        pump.start();
        return new LocalAgentProcess(spec.instanceId(), process, ProcFs.startTime(pid), ownSession, spec.priority(),
                inIdleGroup);
    }

    private static void applyLimits(int pid, ResourceLimits limits) {
        if (limits.addressSpaceBytes() > 0) {
            LibC.INSTANCE.prlimit(pid, LibC.RLIMIT_AS, new LibC.Rlimit(limits.addressSpaceBytes(), limits.addressSpaceBytes()), null);
        }
        if (limits.cpuSeconds() > 0) {
            // Soft limit: SIGXCPU (kills by default); hard limit one second later: SIGKILL.
            LibC.INSTANCE.prlimit(pid, LibC.RLIMIT_CPU, new LibC.Rlimit(limits.cpuSeconds(), limits.cpuSeconds() + 1), null);
        }
        if (limits.openFiles() > 0) {
            LibC.INSTANCE.prlimit(pid, LibC.RLIMIT_NOFILE, new LibC.Rlimit(limits.openFiles(), limits.openFiles()), null);
        }
    }
}
