package dev.guardian.evolution.rollout;

import dev.guardian.evolution.judge.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * The verdicts the judge gave during one stage (shadow, one canary stage, direct): how many, and the
 * latest {@link #KEPT} of them, oldest first. (The judge runs every tick: a stage of a day would keep
 * 170 000 of them.) Verdicts arriving while drilling or held belong to the stage they follow.
 *
 * @param phase    {@code SHADOW}, {@code CANARY} or {@code DIRECT}
 * @param stage    the canary stage index (0-based), or -1
 * @param percent  the candidate's share of client answers during the stage
 * @param verdicts the latest verdicts, oldest first
 * @param judged   how many verdicts the stage had in all (at least {@code verdicts.size()})
 */
public record StageVerdicts(RolloutState phase, int stage, int percent, List<Verdict> verdicts, long judged) {

    /** How many of a stage's latest verdicts are kept. */
    public static final int KEPT = 20;

    public StageVerdicts {
        Objects.requireNonNull(phase, "phase");
        verdicts = List.copyOf(verdicts);
        if (judged < verdicts.size()) {
            throw new IllegalArgumentException("judged must be >= the " + verdicts.size() + " verdicts kept, but was " + judged);
        }
    }

    /** A stage whose every verdict is kept. */
    public StageVerdicts(RolloutState phase, int stage, int percent, List<Verdict> verdicts) {
        this(phase, stage, percent, verdicts, verdicts.size());
    }

    /** e.g. {@code shadow}, {@code canary 25%}, {@code direct}. */
    public String label() {
        return phase == RolloutState.CANARY ? "canary " + percent + "%" : phase.label();
    }
}
