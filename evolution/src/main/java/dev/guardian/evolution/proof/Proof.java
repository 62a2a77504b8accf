package dev.guardian.evolution.proof;

import dev.guardian.evolution.judge.Verdict;
import dev.guardian.evolution.rollout.DrillResult;
import dev.guardian.evolution.rollout.RolloutEvent;
import dev.guardian.evolution.rollout.RolloutSnapshot;
import dev.guardian.evolution.rollout.StageVerdicts;
import dev.guardian.evolution.rollout.Strategy;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a rollout ended as it did, with every number behind it: what {@code guardian proofs show} prints and
 * the vault keeps (as a {@code ProofRecord}, see {@link ProofRecords}). Immutable.
 *
 * @param decidingVerdict the verdict behind the decision (with both windows, every check, agreement); empty
 *                        when the rollout ended before any verdict (e.g. the candidate could not start)
 * @param overrideBy      the operator who promoted or rolled back by hand, if one did
 * @param stages          the verdicts seen per stage
 * @param timeline        every transition of the rollout
 * @param drill           the rollback drill's result, if it ran
 */
public record Proof(String id, String deploymentId, String lineage, String baselineVersionId,
                    String candidateVersionId, Strategy strategy, Decision decision, Optional<String> overrideBy,
                    List<String> reasons, Optional<Verdict> decidingVerdict, List<StageVerdicts> stages,
                    List<RolloutEvent> timeline, Optional<DrillResult> drill, Instant createdAt) {

    public Proof {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("proof.id must be non-blank, but was " + id);
        }
        Objects.requireNonNull(deploymentId, "deploymentId");
        Objects.requireNonNull(lineage, "lineage");
        Objects.requireNonNull(baselineVersionId, "baselineVersionId");
        Objects.requireNonNull(candidateVersionId, "candidateVersionId");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(overrideBy, "overrideBy");
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(decidingVerdict, "decidingVerdict");
        stages = List.copyOf(stages);
        timeline = List.copyOf(timeline);
        Objects.requireNonNull(drill, "drill");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /**
     * The proof of a finished rollout.
     *
     * @param createdAt when the proof is written (usually the clock's now)
     * @throws IllegalStateException when the rollout has not ended
     */
    /** The proof of deployment {@code d-X} is {@code proof-X}: one can be found from the other. */
    public static String idFor(String deploymentId) {
        return "proof-" + (deploymentId.startsWith("d-") ? deploymentId.substring(2) : deploymentId);
    }

    public static Proof of(String id, RolloutSnapshot s, Instant createdAt) {
        return new Proof(id, s.deployment().deploymentId(), s.deployment().lineage(),
                s.deployment().baselineVersionId(), s.deployment().candidateVersionId(), s.plan().strategy(),
                Decision.of(s.state()), s.overrideBy(), s.reasons(), s.decidingVerdict(), s.stages(), s.timeline(),
                s.drill(), createdAt);
    }

    /** True when the drill showed that a rollback after promotion would lose state. */
    public boolean rollbackLossy() {
        return drill.map(DrillResult::lossy).orElse(false);
    }

    /** candidate − baseline and candidate / baseline per metric of the deciding window; empty without one. */
    public List<MetricDelta> deltas() {
        return decidingVerdict.map(v -> MetricDelta.of(v.baseline(), v.candidate())).orElse(List.of());
    }
}
