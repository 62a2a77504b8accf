package dev.guardian.process;

/**
 * A sample of what an instance uses; -1 where unknown.
 *
 * @param rssBytes resident memory of the instance and its descendants
 * @param cpuNanos CPU time (user + system) used by the instance so far
 */
public record ResourceUsage(long rssBytes, long cpuNanos) {
    public static final ResourceUsage UNKNOWN = new ResourceUsage(-1, -1);
}
