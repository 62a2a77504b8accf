package dev.guardian.evolution.rollout;

import java.util.Objects;

/**
 * Which deployment a rollout drives: its id and the two versions. Carried by the rollout so that its proof
 * and vault record are self-contained.
 */
public record DeploymentRef(String deploymentId, String lineage, String baselineVersionId,
                            String candidateVersionId) {
    public DeploymentRef {
        Objects.requireNonNull(deploymentId, "deploymentId");
        Objects.requireNonNull(lineage, "lineage");
        Objects.requireNonNull(baselineVersionId, "baselineVersionId");
        Objects.requireNonNull(candidateVersionId, "candidateVersionId");
    }
}
