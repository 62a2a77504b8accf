package dev.guardian.vault;

import dev.guardian.vault.event.VaultListener;
import dev.guardian.vault.internal.FileVault;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Guardian's durable state: checkpoints of agent memory, the version registry, deployment records
 * and proofs, as plain files in one directory (one file per checkpoint or record, every write an
 * atomic, fsync'd rename; see the module README). Every method that changes something returns
 * only after its change is durable, so a kill -9 at any moment leaves every committed change
 * readable.
 *
 * <p>One process at a time: {@link #file} is locked while open; a second opener gets
 * {@link VaultException.Reason#UNAVAILABLE}. Thread-safe: writers are serialized, readers run
 * concurrently with each other. Memory bytes are always verified against their checksum before
 * they are returned.
 */
public interface Vault extends AutoCloseable {

    /**
     * The file that marks a vault directory ({@code vault.format}: the storage format, and the
     * cross-process lock while the vault is open). A directory without it holds no vault.
     */
    static Path file(Path dir) {
        return dir.resolve("vault.format");
    }

    /** Opens the vault in {@code dir}, creating the directory and the vault if missing. */
    static Vault open(Path dir, VaultConfig config) {
        return open(dir, config, Clock.systemUTC(), VaultListener.NOOP);
    }

    static Vault open(Path dir, VaultConfig config, Clock clock, VaultListener listener) {
        return FileVault.open(dir, config, clock, listener, true);
    }

    /** Opens an existing vault; never creates one ({@link VaultException.Reason#UNAVAILABLE} if missing). */
    static Vault openExisting(Path dir, VaultConfig config) {
        return FileVault.open(dir, config, Clock.systemUTC(), VaultListener.NOOP, false);
    }

    /**
     * Checks an export document without a vault (format, version, checksum): what
     * {@link #importCheckpoint} checks first; returns the checkpoint's metadata as exported.
     * {@link VaultException.Reason#BAD_INPUT} when it fails.
     */
    static Checkpoint verifyExport(byte[] document) {
        return FileVault.verifyExport(document);
    }

    /**
     * Opens an existing vault to read only, beside a daemon that holds it: no lock, no change on disk;
     * every change is refused with {@link VaultException.Reason#UNAVAILABLE}.
     */
    static Vault openReadOnly(Path dir, VaultConfig config) {
        return FileVault.openReadOnly(dir, config);
    }

    /** The vault directory (for messages). */
    Path dir();

    // ---- checkpoints

    /** Stores a checkpoint (memory, metadata and retention of its lineage in one durable commit). */
    Checkpoint save(NewCheckpoint checkpoint);

    Optional<Checkpoint> find(CheckpointId id);

    /** Like {@link #find} but {@link VaultException.Reason#NOT_FOUND} when unknown. */
    Checkpoint get(CheckpointId id);

    /** All checkpoints, oldest first. */
    List<Checkpoint> list();

    /** The checkpoints of one lineage, oldest first. */
    List<Checkpoint> list(String lineage);

    /** The lineages that have checkpoints, sorted. */
    List<String> lineages();

    /** Reads and verifies a checkpoint; {@link VaultException.Reason#CORRUPT} (and an event) when it fails. */
    CheckpointData read(CheckpointId id);

    /**
     * The newest checkpoint of {@code lineage} whose bytes verify. Each newer corrupt one is skipped
     * and reported as a {@link dev.guardian.vault.event.VaultEvent.CorruptCheckpoint} event.
     */
    Optional<CheckpointData> latestValid(String lineage);

    VerifyResult verify(CheckpointId id);

    /** Verifies every checkpoint, oldest first (including entries whose metadata cannot be read). */
    List<VerifyResult> verifyAll();

    Checkpoint setPinned(CheckpointId id, boolean pinned);

    Checkpoint addTag(CheckpointId id, Tag tag);

    /** Applies retention to every lineage; returns the pruned ids. */
    List<CheckpointId> prune();

    /** A self-describing, portable JSON document holding one verified checkpoint. */
    byte[] exportCheckpoint(CheckpointId id);

    /**
     * Verifies an export document and stores its checkpoint under a new id of this vault (same
     * lineage, version, WAL sequence, tags, memory and checksum). {@link VaultException.Reason#BAD_INPUT}
     * when the document is not one, is from a newer format, or fails its checksum.
     */
    Checkpoint importCheckpoint(byte[] document);

    // ---- version registry, deployments, proofs

    /** Registers an immutable version; re-registering an identical record is a no-op, a different one is refused. */
    void registerVersion(VersionRecord version);

    Optional<VersionRecord> version(String id);

    List<VersionRecord> versions();

    /** Inserts or replaces a deployment record. */
    void putDeployment(DeploymentRecord deployment);

    Optional<DeploymentRecord> deployment(String id);

    List<DeploymentRecord> deployments();

    /** Stores an immutable proof; an identical one is a no-op, a different one with the same id is refused. */
    void putProof(ProofRecord proof);

    Optional<ProofRecord> proof(String id);

    List<ProofRecord> proofs();

    @Override
    void close();
}
