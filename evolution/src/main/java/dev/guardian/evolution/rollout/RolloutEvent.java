package dev.guardian.evolution.rollout;

import java.time.Instant;
import java.util.Objects;

/**
 * One transition, published after it happened; the timeline of a rollout and of its proof. Self-transitions
 * (a canary advancing a stage, a window extended) are events too, so the timeline shows every step.
 *
 * @param time             wall-clock time of the transition
 * @param from             state before
 * @param to               state after
 * @param trigger          what caused it
 * @param stage            canary stage index after the transition (0-based), or -1 outside the canary
 * @param candidatePercent the candidate's share of client answers after the transition
 * @param detail           one line a person reads: the reason, the numbers, who
 */
public record RolloutEvent(Instant time, RolloutState from, RolloutState to, RolloutTrigger trigger, int stage,
                           int candidatePercent, String detail) {
    public RolloutEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(detail, "detail");
    }
}
