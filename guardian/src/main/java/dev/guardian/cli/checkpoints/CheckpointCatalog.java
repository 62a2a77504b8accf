package dev.guardian.cli.checkpoints;

import dev.guardian.vault.Checkpoint;
import dev.guardian.vault.CheckpointData;
import dev.guardian.vault.CheckpointId;
import dev.guardian.vault.VerifyResult;
import java.util.List;
import java.util.Optional;

/**
 * What {@code guardian checkpoints} needs from a vault, and nothing more. Offline it is
 * {@link OfflineCheckpointCatalog} (the vault file opened directly); while a daemon holds the data
 * directory it will be a client of the daemon's admin API, so every argument and result here is a
 * value that travels as JSON (export/import move documents as bytes, never file paths). Expected
 * failures are {@link dev.guardian.cli.CliException}s with one-line messages.
 */
public interface CheckpointCatalog extends AutoCloseable {

    /** Where the checkpoints live, for messages (e.g. {@code /data/vault}). */
    String location();

    List<Checkpoint> list(Optional<String> lineage);

    /** Metadata and verified memory; CHECK_FAILED when the checkpoint is corrupt. */
    CheckpointData read(CheckpointId id);

    VerifyResult verify(CheckpointId id);

    List<VerifyResult> verifyAll();

    /** The portable export document of one checkpoint. */
    byte[] export(CheckpointId id);

    /** Verifies and stores an export document; returns the new checkpoint. */
    Checkpoint importDocument(byte[] document);

    Checkpoint setPinned(CheckpointId id, boolean pinned);

    @Override
    void close();
}
