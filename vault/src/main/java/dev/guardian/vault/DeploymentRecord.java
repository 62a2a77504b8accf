package dev.guardian.vault;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A deployment (rollout) of a candidate version against a baseline. Unlike versions and proofs it
 * may be rewritten as the rollout progresses ({@code outcome} changes). {@code body} belongs to the
 * evolution module and is versioned by {@code schemaVersion}.
 *
 * @param outcome e.g. {@code pending}, {@code canary}, {@code promoted}, {@code rolled-back}
 */
public record DeploymentRecord(String id, int schemaVersion, Instant createdAt, String lineage,
                               String baselineVersionId, String candidateVersionId, String outcome, JsonNode body) {
    public DeploymentRecord {
        Records.requireCommon("deployment", id, schemaVersion, createdAt, body);
        Objects.requireNonNull(lineage, "lineage");
        Objects.requireNonNull(baselineVersionId, "baselineVersionId");
        Objects.requireNonNull(candidateVersionId, "candidateVersionId");
        Objects.requireNonNull(outcome, "outcome");
    }
}
