package dev.guardian.evolution.rollout;

import java.util.List;
import java.util.Objects;

/**
 * What the daemon must do after a rollout decided something. Evolution decides, the daemon acts: these
 * are the only effects a {@link Rollout} asks for, executed in list order.
 */
public sealed interface RolloutAction {

    /**
     * Route this percent of client answers to the candidate (0: shadow — the candidate only gets mirrored
     * traffic). The candidate must be running (started on the first such action).
     */
    record SetCandidateWeight(int percent) implements RolloutAction {
        public SetCandidateWeight {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("percent must be in 0..100, but was " + percent);
            }
        }
    }

    /**
     * Run the rollback drill: start a fresh baseline instance, restore the candidate's checkpoint, replay a
     * sample and compare; report with {@link Rollout#onDrill}.
     */
    record RunDrill() implements RolloutAction {
    }

    /** Make the candidate the primary; retire the baseline. */
    record Promote() implements RolloutAction {
    }

    /** Make the baseline the sole primary again and stop the candidate, at once. */
    record Rollback(List<String> reasons) implements RolloutAction {
        public Rollback {
            reasons = List.copyOf(reasons);
        }
    }

    /** Stop advancing and tell the operator why; the candidate keeps its current share. */
    record Hold(String reason) implements RolloutAction {
        public Hold {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
