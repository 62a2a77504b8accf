package dev.guardian.evolution.rollout;

import dev.guardian.evolution.judge.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A consistent, immutable view of a rollout at one moment: what a proof, a vault record or
 * {@code guardian status} is built from.
 *
 * @param createdAt         when the rollout was created (wall clock)
 * @param stage             current canary stage index (0-based), or -1 outside the canary
 * @param candidatePercent  the candidate's current share of client answers
 * @param timeline          every transition so far, oldest first
 * @param stages            the verdicts seen per stage, in stage order
 * @param decidingVerdict   the verdict behind the latest decision (fail, the last pass, ...), if any
 * @param reasons           why the rollout is where it is: the latest decision's reasons (empty while running)
 * @param overrideBy        the operator who promoted or rolled back by hand, if one did
 * @param drill             the rollback drill's result, once run
 */
public record RolloutSnapshot(DeploymentRef deployment, RolloutPlan plan, RolloutState state, int stage,
                              int candidatePercent, Instant createdAt, List<RolloutEvent> timeline,
                              List<StageVerdicts> stages, Optional<Verdict> decidingVerdict, List<String> reasons,
                              Optional<String> overrideBy, Optional<DrillResult> drill) {
    public RolloutSnapshot {
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        timeline = List.copyOf(timeline);
        stages = List.copyOf(stages);
        Objects.requireNonNull(decidingVerdict, "decidingVerdict");
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(overrideBy, "overrideBy");
        Objects.requireNonNull(drill, "drill");
    }
}
