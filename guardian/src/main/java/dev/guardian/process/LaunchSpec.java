package dev.guardian.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to start and how.
 *
 * @param instanceId    unique id of the instance, for logs and status
 * @param command       the command and its arguments
 * @param env           extra environment variables (added to Guardian's own)
 * @param workingDir    working directory, or null for Guardian's
 * @param limits        resource caps
 * @param priority      CPU priority (normal for the primary; shadows run at a lower one)
 * @param stderrLog     the agent's stderr goes here, rotated by size
 * @param stderrMaxBytes size at which the stderr log rotates
 * @param stderrKeep    how many rotated stderr files are kept
 */
public record LaunchSpec(String instanceId, List<String> command, Map<String, String> env, Path workingDir,
        ResourceLimits limits, CpuPriority priority, Path stderrLog, long stderrMaxBytes, int stderrKeep) {

    public LaunchSpec {
        Objects.requireNonNull(instanceId, "instanceId");
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        env = env == null ? Map.of() : Map.copyOf(env);
        limits = limits == null ? ResourceLimits.NONE : limits;
        priority = priority == null ? CpuPriority.NORMAL : priority;
        Objects.requireNonNull(stderrLog, "stderrLog");
        if (stderrMaxBytes < 1024) {
            throw new IllegalArgumentException("stderrMaxBytes must be >= 1024, but was " + stderrMaxBytes);
        }
        if (stderrKeep < 1) {
            throw new IllegalArgumentException("stderrKeep must be >= 1, but was " + stderrKeep);
        }
    }

    /** A spec with defaults for everything but the command and the stderr log. */
    public static LaunchSpec of(String instanceId, List<String> command, Path stderrLog) {
        return new LaunchSpec(instanceId, command, Map.of(), null, ResourceLimits.NONE, CpuPriority.NORMAL, stderrLog,
                10L * 1024 * 1024, 3);
    }

    public LaunchSpec withLimits(ResourceLimits newLimits) {
        return new LaunchSpec(instanceId, command, env, workingDir, newLimits, priority, stderrLog, stderrMaxBytes, stderrKeep);
    }

    public LaunchSpec withPriority(CpuPriority newPriority) {
        return new LaunchSpec(instanceId, command, env, workingDir, limits, newPriority, stderrLog, stderrMaxBytes, stderrKeep);
    }

    public LaunchSpec withEnv(Map<String, String> newEnv) {
        return new LaunchSpec(instanceId, command, newEnv, workingDir, limits, priority, stderrLog, stderrMaxBytes, stderrKeep);
    }
}
