package dev.guardian.supervision;

import dev.guardian.evolution.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Decides, for one supervised slot, what follows each exit: restart after a backoff, escalate, or
 * stop. Keeps the consecutive-restart count (reset after a stable uptime) and a sliding window of
 * restart times. Not thread-safe: owned by the slot's supervising thread.
 */
public final class RestartPlanner {

    private final SupervisionPolicy policy;
    private final Clock clock;
    private final Deque<Long> restarts = new ArrayDeque<>();
    private int consecutive;

    public RestartPlanner(SupervisionPolicy policy, Clock clock) {
        this.policy = policy;
        this.clock = clock;
    }

    /**
     * The decision for an instance that ended for {@code reason} after {@code uptime}. A restart
     * decision is counted in the intensity window at once.
     */
    public RestartDecision onExit(ExitReason reason, Duration uptime) {
        if (!policy.restart().restarts(reason)) {
            return new RestartDecision.Stop(reason);
        }
        long now = clock.nanoTime();
        long windowStart = now - policy.window().toNanos();
        while (!restarts.isEmpty() && restarts.peekFirst() <= windowStart) {
            restarts.removeFirst();
        }
        if (restarts.size() >= policy.maxRestarts()) {
            return new RestartDecision.Escalate(restarts.size() + 1, policy.window());
        }
        restarts.addLast(now);
        if (uptime.compareTo(policy.stableAfter()) >= 0) {
            consecutive = 0;
        }
        consecutive++;
        return new RestartDecision.Restart(delay(consecutive), consecutive);
    }

    /** Forgets the history, e.g. after an escalation replaced the version. */
    public void reset() {
        restarts.clear();
        consecutive = 0;
    }

    private Duration delay(int attempt) {
        double factor = Math.pow(policy.backoffMultiplier(), attempt - 1);
        double nanos = policy.backoffInitial().toNanos() * factor;
        long capped = (long) Math.min(nanos, policy.backoffMax().toNanos());
        return Duration.ofNanos(capped);
    }
}
