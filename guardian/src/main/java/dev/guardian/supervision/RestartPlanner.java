package dev.guardian.supervision;

import dev.guardian.evolution.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Decides, for one supervised slot, what follows each exit: restart after a backoff, escalate, or
 * stop. Keeps the consecutive-restart count (reset after a stable uptime) and a sliding window of
 * restart times.
 *
 * <p>An exit may be blamed on a request the instance was handling (a strike). Once that request is
 * set aside as poison, the restarts it caused leave the intensity window ({@link Blame#poison}): the
 * window is for a broken agent, not for a bad request, which the poison rule already bounds. At most
 * {@code maxForgivenPoison} requests are forgiven within one window: an agent that dies on every
 * request is broken, and escalates as before. Not thread-safe: owned by the slot's supervising thread.
 */
public final class RestartPlanner {

    /** The request an exit is blamed on; {@code poison} when this strike sets it aside. */
    public record Blame(long seq, boolean poison) {
    }

    private record Counted(long atNanos, long blamedSeq) {
    }

    private final SupervisionPolicy policy;
    private final Clock clock;
    private final int maxForgivenPoison;
    private final Deque<Counted> restarts = new ArrayDeque<>();
    private final Deque<Long> forgiven = new ArrayDeque<>();
    private int consecutive;

    public RestartPlanner(SupervisionPolicy policy, Clock clock) {
        this(policy, clock, 0);
    }

    /** With {@code maxForgivenPoison} poison requests per window whose restarts do not count (0: none). */
    public RestartPlanner(SupervisionPolicy policy, Clock clock, int maxForgivenPoison) {
        if (maxForgivenPoison < 0) {
            throw new IllegalArgumentException("max forgiven poison requests must be >= 0, but was " + maxForgivenPoison);
        }
        this.policy = policy;
        this.clock = clock;
        this.maxForgivenPoison = maxForgivenPoison;
    }

    /**
     * The decision for an instance that ended for {@code reason} after {@code uptime}. A restart
     * decision is counted in the intensity window at once.
     */
    public RestartDecision onExit(ExitReason reason, Duration uptime) {
        return onExit(reason, uptime, null);
    }

    /** As {@link #onExit(ExitReason, Duration)}, for an exit blamed on a request ({@code blame} may be null). */
    public RestartDecision onExit(ExitReason reason, Duration uptime, Blame blame) {
        if (!policy.restart().restarts(reason)) {
            return new RestartDecision.Stop(reason);
        }
        long now = clock.nanoTime();
        long windowStart = now - policy.window().toNanos();
        while (!restarts.isEmpty() && restarts.peekFirst().atNanos() <= windowStart) {
            restarts.removeFirst();
        }
        while (!forgiven.isEmpty() && forgiven.peekFirst() <= windowStart) {
            forgiven.removeFirst();
        }
        boolean forgive = blame != null && blame.poison() && forgiven.size() < maxForgivenPoison;
        if (forgive) {
            forgiven.addLast(now);
            restarts.removeIf(c -> c.blamedSeq() == blame.seq());
        } else {
            if (restarts.size() >= policy.maxRestarts()) {
                return new RestartDecision.Escalate(restarts.size() + 1, policy.window());
            }
            restarts.addLast(new Counted(now, blame == null ? -1 : blame.seq()));
        }
        if (uptime.compareTo(policy.stableAfter()) >= 0) {
            consecutive = 0;
        }
        consecutive++;
        return new RestartDecision.Restart(delay(consecutive), consecutive);
    }

    /** Forgets the history, e.g. after an escalation replaced the version. */
    public void reset() {
        restarts.clear();
        forgiven.clear();
        consecutive = 0;
    }

    private Duration delay(int attempt) {
        double factor = Math.pow(policy.backoffMultiplier(), attempt - 1);
        double nanos = policy.backoffInitial().toNanos() * factor;
        long capped = (long) Math.min(nanos, policy.backoffMax().toNanos());
        return Duration.ofNanos(capped);
    }
}
