package dev.guardian.instance;

import dev.guardian.process.ResourceUsage;
import java.time.Duration;

/** A snapshot of one instance for {@code guardian status} and metrics. */
public record InstanceStats(String id, String where, AgentInstance.State state, Duration uptime, int inFlight,
        int stdinQueued, long protocolErrors, ResourceUsage usage, int missedPings, LatencySummary latency) {
}
