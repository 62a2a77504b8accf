package dev.guardian.vault;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * The immutable proof of a rollout decision. {@code body} (metrics, deltas, tests, timeline,
 * reasons) belongs to the evolution module and is versioned by {@code schemaVersion}.
 *
 * @param decision e.g. {@code promote}, {@code rollback}, {@code abort}
 */
public record ProofRecord(String id, int schemaVersion, Instant createdAt, String deploymentId, String lineage,
                          String candidateVersionId, String decision, JsonNode body) {
    public ProofRecord {
        Records.requireCommon("proof", id, schemaVersion, createdAt, body);
        Objects.requireNonNull(deploymentId, "deploymentId");
        Objects.requireNonNull(lineage, "lineage");
        Objects.requireNonNull(candidateVersionId, "candidateVersionId");
        Objects.requireNonNull(decision, "decision");
    }
}
