package dev.guardian.evolution.rollout;

import java.util.Locale;

/**
 * Where a rollout is. {@code DRILLING} and {@code HELD} exist so that "waiting for the rollback drill" and
 * "waiting for a person" are states with their own legal triggers rather than flags on other states.
 */
public enum RolloutState {
    /** Created, nothing started. */
    PENDING,
    /** The candidate receives mirrored traffic; its answers are compared, never returned. */
    SHADOW,
    /** The candidate answers a share of clients (the current stage's percent). */
    CANARY,
    /** The candidate answers every client, under monitoring. */
    DIRECT,
    /** Every window passed; the daemon is running the rollback drill. */
    DRILLING,
    /** Stopped advancing until an operator promotes or rolls back (inconclusive, or a lossy drill blocked). */
    HELD,
    /** The candidate became the primary. */
    PROMOTED,
    /** The baseline stayed (or became again) the primary because the candidate failed or an operator said so. */
    ROLLED_BACK,
    /** Ended without a judgement of the candidate (it could not start, the rollout took too long, ...). */
    ABORTED;

    /** True for the three end states, which accept no trigger. */
    public boolean isTerminal() {
        return this == PROMOTED || this == ROLLED_BACK || this == ABORTED;
    }

    /** True while the candidate runs and is judged (shadow, canary, direct) or drilled. */
    public boolean isMonitored() {
        return this == SHADOW || this == CANARY || this == DIRECT || this == DRILLING;
    }

    /** The outcome string of a vault {@code DeploymentRecord}: {@code pending}, {@code rolled-back}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static RolloutState fromLabel(String label) {
        for (RolloutState s : values()) {
            if (s.label().equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown rollout state '" + label + "'");
    }
}
