package dev.guardian.vault;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A stored checkpoint's metadata (never its memory; see {@link CheckpointData}). Immutable except
 * that {@code pinned} and {@code tags} may be changed later through the vault.
 *
 * @param id          per-vault id, sortable by creation
 * @param lineage     whose memory this is: the primary's lineage, or a candidate's/shadow's own
 * @param versionId   the agent version that produced the memory
 * @param walSeq      the WAL sequence the memory covers (requests up to and including it applied)
 * @param createdAt   when the vault stored it (from the vault's clock)
 * @param size        memory size in bytes, uncompressed
 * @param storedSize  bytes actually stored (after compression)
 * @param compression {@code none} or {@code lz4}
 * @param checksum    {@code crc32c:xxxxxxxx} over the uncompressed memory
 * @param tags        why it was taken / what it is known to be
 * @param pinned      pinned checkpoints are never pruned
 * @param parent      the checkpoint this one was derived from, if any (may be in another lineage,
 *                    may have been pruned since)
 */
public record Checkpoint(
        CheckpointId id,
        String lineage,
        String versionId,
        long walSeq,
        Instant createdAt,
        long size,
        long storedSize,
        String compression,
        String checksum,
        Set<Tag> tags,
        boolean pinned,
        Optional<CheckpointId> parent) {

    public Checkpoint {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lineage, "lineage");
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(checksum, "checksum");
        tags = tags.isEmpty() ? Set.of() : Set.copyOf(tags);
        parent = parent == null ? Optional.empty() : parent;
    }

    public boolean hasTag(Tag tag) {
        return tags.contains(tag);
    }

    /** This metadata as JSON, as checkpoint files, exports and the CLI's --json show it. */
    public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
        return dev.guardian.vault.internal.Json.checkpointNode(this);
    }

    /** Pinned (never pruned) or known-good (retention keeps the newest known-good ones: {@code VaultConfig.keepKnownGood}). */
    public boolean isProtected() {
        return pinned || tags.contains(Tag.KNOWN_GOOD);
    }
}
