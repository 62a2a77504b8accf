package dev.guardian.evolution.rollout;

import dev.guardian.evolution.judge.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * The verdicts the judge gave during one stage (shadow, one canary stage, direct), oldest first. Verdicts
 * arriving while drilling or held belong to the stage they follow.
 *
 * @param phase   {@code SHADOW}, {@code CANARY} or {@code DIRECT}
 * @param stage   the canary stage index (0-based), or -1
 * @param percent the candidate's share of client answers during the stage
 */
public record StageVerdicts(RolloutState phase, int stage, int percent, List<Verdict> verdicts) {
    public StageVerdicts {
        Objects.requireNonNull(phase, "phase");
        verdicts = List.copyOf(verdicts);
    }

    /** e.g. {@code shadow}, {@code canary 25%}, {@code direct}. */
    public String label() {
        return phase == RolloutState.CANARY ? "canary " + percent + "%" : phase.label();
    }
}
