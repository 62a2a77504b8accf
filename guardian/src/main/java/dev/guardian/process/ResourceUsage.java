package dev.guardian.process;

/**
 * A sample of what an instance uses; -1 where unknown.
 *
 * @param rssBytes     resident memory of the instance and its descendants
 * @param cpuNanos     CPU time (user + system) used by the instance so far
 * @param cpuWaitNanos time its threads have spent runnable but waiting for a CPU, so far: what tells a
 *                     starved instance (a low-priority shadow on a busy machine) from a hung one
 */
public record ResourceUsage(long rssBytes, long cpuNanos, long cpuWaitNanos) {
    public static final ResourceUsage UNKNOWN = new ResourceUsage(-1, -1, -1);
}
