package dev.guardian.vault;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable entry of the version registry. The vault stores it and never interprets
 * {@code body}: its content belongs to the evolution module, which versions it with
 * {@code schemaVersion} so that later releases read old records.
 *
 * @param id              the version id (e.g. {@code v7})
 * @param schemaVersion   version of {@code body}'s schema, >= 1
 * @param lineage         the lineage whose memory this version owns
 * @param parentVersionId the version it was derived from, if any
 * @param origin          how it came to be (e.g. {@code manual}, {@code mutation}, {@code llm}, {@code agent-proposed})
 */
public record VersionRecord(String id, int schemaVersion, Instant createdAt, String lineage,
                            Optional<String> parentVersionId, String origin, JsonNode body) {
    public VersionRecord {
        Records.requireCommon("version", id, schemaVersion, createdAt, body);
        Objects.requireNonNull(lineage, "lineage");
        Objects.requireNonNull(origin, "origin");
        parentVersionId = parentVersionId == null ? Optional.empty() : parentVersionId;
    }
}
