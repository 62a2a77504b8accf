package dev.guardian.evolution.proof;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.evolution.proof.internal.JsonCodec;
import dev.guardian.evolution.rollout.RolloutSnapshot;
import dev.guardian.evolution.rollout.RolloutState;
import dev.guardian.vault.DeploymentRecord;
import dev.guardian.vault.ProofRecord;

/**
 * Conversions between rollouts/proofs and the vault's generic records, whose bodies evolution owns: the
 * vault stores them without knowing their shape.
 */
public final class ProofRecords {

    /** Schema of the {@code DeploymentRecord} body written here. */
    public static final int DEPLOYMENT_SCHEMA_VERSION = 1;

    private ProofRecords() {
    }

    /** The vault record of a proof; its body is {@link ProofJson#toJson}. */
    public static ProofRecord toRecord(Proof p) {
        return new ProofRecord(p.id(), ProofJson.SCHEMA_VERSION, p.createdAt(), p.deploymentId(), p.lineage(),
                p.candidateVersionId(), p.decision().label(), ProofJson.toJson(p));
    }

    /** The proof in a vault record; refuses a record whose envelope and body disagree. */
    public static Proof fromRecord(ProofRecord r) {
        Proof p = ProofJson.fromJson(r.body());
        if (!p.id().equals(r.id()) || !p.decision().label().equals(r.decision())) {
            throw new IllegalArgumentException("proof record " + r.id() + " (" + r.decision()
                    + ") does not match its body (" + p.id() + ", " + p.decision().label() + ")");
        }
        return p;
    }

    /**
     * The vault record of a rollout as it stands now: {@code outcome} is the state's label ({@code pending},
     * {@code shadow}, {@code canary}, {@code direct}, {@code drilling}, {@code held}, {@code promoted},
     * {@code rolled-back}, {@code aborted}); the body holds the plan, position, timeline and reasons. Written
     * again after each transition.
     */
    public static DeploymentRecord deploymentRecord(RolloutSnapshot s) {
        ObjectNode body = JsonCodec.F.objectNode();
        body.put("schemaVersion", DEPLOYMENT_SCHEMA_VERSION);
        body.put("state", s.state().label());
        body.put("stage", s.stage());
        body.put("candidatePercent", s.candidatePercent());
        body.set("plan", JsonCodec.plan(s.plan()));
        body.set("reasons", JsonCodec.strings(s.reasons()));
        s.overrideBy().ifPresent(who -> body.put("overrideBy", who));
        s.drill().ifPresent(d -> body.set("drill", JsonCodec.drill(d)));
        body.set("timeline", JsonCodec.array(s.timeline(), JsonCodec::event));
        return new DeploymentRecord(s.deployment().deploymentId(), DEPLOYMENT_SCHEMA_VERSION, s.createdAt(),
                s.deployment().lineage(), s.deployment().baselineVersionId(), s.deployment().candidateVersionId(),
                s.state().label(), body);
    }

    /** The rollout state a deployment record's {@code outcome} names. */
    public static RolloutState stateOf(DeploymentRecord r) {
        return RolloutState.fromLabel(r.outcome());
    }
}
