package dev.guardian.evolution.rollout;

import java.util.Locale;

/**
 * What moves a rollout. Each trigger names its cause (a verdict, the drill, an operator, time) so that the
 * timeline explains itself; the {@link TransitionTable} says where each one leads from each state.
 */
public enum RolloutTrigger {
    /** Begin the shadow phase. */
    START_SHADOW,
    /** Begin the canary at its first stage (from pending, or after a passed shadow phase). */
    START_CANARY,
    /** Give the candidate all traffic (from pending, or after a passed shadow phase). */
    START_DIRECT,
    /** A canary stage passed; move to the next stage. */
    ADVANCE,
    /** An inconclusive verdict extended the current window. */
    EXTEND,
    /** The last window passed; run the rollback drill. */
    REQUEST_DRILL,
    /** The drill restored the checkpoint and answered identically. */
    DRILL_LOSSLESS,
    /** The drill was lossy and the plan allows promotion anyway. */
    DRILL_LOSSY_ALLOWED,
    /** The drill was lossy and the plan blocks promotion. */
    DRILL_LOSSY_BLOCKED,
    /** Inconclusive after every allowed extension, and the plan says hold. */
    HOLD,
    /** Inconclusive after every allowed extension, and the plan says roll back. */
    INCONCLUSIVE_ROLLBACK,
    /** The judge failed the candidate. */
    FAIL,
    /** {@code guardian promote}. */
    OPERATOR_PROMOTE,
    /** {@code guardian rollback}. */
    OPERATOR_ROLLBACK,
    /** The rollout exceeded its maximum total duration. */
    TIMEOUT,
    /** The rollout cannot go on (e.g. the candidate could not start). */
    ABORT;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static RolloutTrigger fromLabel(String label) {
        for (RolloutTrigger t : values()) {
            if (t.label().equals(label)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown rollout trigger '" + label + "'");
    }
}
