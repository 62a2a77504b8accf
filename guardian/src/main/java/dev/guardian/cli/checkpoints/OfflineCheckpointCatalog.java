package dev.guardian.cli.checkpoints;

import dev.guardian.cli.CliException;
import dev.guardian.cli.ExitCodes;
import dev.guardian.vault.Checkpoint;
import dev.guardian.vault.CheckpointData;
import dev.guardian.vault.CheckpointId;
import dev.guardian.vault.Vault;
import dev.guardian.vault.VaultConfig;
import dev.guardian.vault.VaultException;
import dev.guardian.vault.VerifyResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The catalog of a vault opened directly (no daemon running). Single-threaded, like the CLI. */
final class OfflineCheckpointCatalog implements CheckpointCatalog {
    /** An operator's import must never prune: retention is the daemon's business. */
    private static final VaultConfig CONFIG = VaultConfig.ofDefaults().withPruneOnSave(false);

    private final Vault vault;

    private OfflineCheckpointCatalog(Vault vault) {
        this.vault = vault;
    }

    static CheckpointCatalog open(Path vaultDir, boolean create) {
        return new OfflineCheckpointCatalog(call(() -> create ? Vault.open(vaultDir, CONFIG) : Vault.openExisting(vaultDir, CONFIG)));
    }

    /** Reads a vault that a running daemon holds (no lock taken; every change refused). */
    static CheckpointCatalog openReadOnly(Path vaultDir) {
        return new OfflineCheckpointCatalog(call(() -> Vault.openReadOnly(vaultDir, CONFIG)));
    }

    @Override
    public String location() {
        return vault.dir().toString();
    }

    @Override
    public List<Checkpoint> list(Optional<String> lineage) {
        return call(() -> lineage.map(vault::list).orElseGet(vault::list));
    }

    @Override
    public CheckpointData read(CheckpointId id) {
        return call(() -> vault.read(id));
    }

    @Override
    public VerifyResult verify(CheckpointId id) {
        return call(() -> vault.verify(id));
    }

    @Override
    public List<VerifyResult> verifyAll() {
        return call(vault::verifyAll);
    }

    @Override
    public byte[] export(CheckpointId id) {
        return call(() -> vault.exportCheckpoint(id));
    }

    @Override
    public Checkpoint importDocument(byte[] document) {
        return call(() -> vault.importCheckpoint(document));
    }

    @Override
    public Checkpoint setPinned(CheckpointId id, boolean pinned) {
        return call(() -> vault.setPinned(id, pinned));
    }

    @Override
    public void close() {
        call(() -> {
            vault.close();
            return null;
        });
    }

    /** Turns the vault's expected failures into one-line CLI errors with their exit codes. */
    static <T> T call(Supplier<T> action) {
        try {
            return action.get();
        } catch (VaultException e) {
            int code = switch (e.reason()) {
                case NOT_FOUND -> ExitCodes.NOT_FOUND;
                case UNAVAILABLE, IO -> ExitCodes.UNAVAILABLE;
                case CORRUPT -> ExitCodes.CHECK_FAILED;
                case BAD_INPUT -> ExitCodes.BAD_INPUT;
            };
            throw new CliException(code, e.getMessage(), e);
        }
    }
}
