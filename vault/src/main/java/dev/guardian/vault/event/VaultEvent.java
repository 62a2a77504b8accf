package dev.guardian.vault.event;

import dev.guardian.vault.CheckpointId;
import java.time.Instant;

/** Something the vault noticed that its owner must record: never silent. */
public sealed interface VaultEvent {

    Instant at();

    /** A checkpoint's stored bytes failed verification; it is skipped by {@code latestValid}. */
    record CorruptCheckpoint(Instant at, CheckpointId id, String lineage, String problem) implements VaultEvent {
    }

    /** Retention removed a checkpoint. */
    record CheckpointPruned(Instant at, CheckpointId id, String lineage) implements VaultEvent {
    }
}
