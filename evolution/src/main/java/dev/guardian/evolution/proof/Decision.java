package dev.guardian.evolution.proof;

import dev.guardian.evolution.rollout.RolloutState;
import java.util.Locale;

/** How a rollout ended; {@link #label()} is the vault's {@code ProofRecord.decision}. */
public enum Decision {
    PROMOTE, ROLLBACK, ABORT;

    /** {@code promote}, {@code rollback} or {@code abort}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Decision fromLabel(String label) {
        for (Decision d : values()) {
            if (d.label().equals(label)) {
                return d;
            }
        }
        throw new IllegalArgumentException("decision must be promote, rollback or abort, but was '" + label + "'");
    }

    /** The decision a terminal rollout state stands for. */
    public static Decision of(RolloutState terminal) {
        return switch (terminal) {
            case PROMOTED -> PROMOTE;
            case ROLLED_BACK -> ROLLBACK;
            case ABORTED -> ABORT;
            default -> throw new IllegalStateException("a rollout in state " + terminal
                    + " has not decided yet; a proof needs PROMOTED, ROLLED_BACK or ABORTED");
        };
    }
}
