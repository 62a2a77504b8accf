package dev.guardian.vault.internal;

import dev.guardian.vault.CheckpointId;
import dev.guardian.vault.Vault;

/** For tests only: damage stored bytes the way a bad disk would, to exercise verification. */
public final class VaultTestHooks {
    private VaultTestHooks() {
    }

    /** Flips one byte of the checkpoint's stored bytes inside MapDB (committed). */
    public static void corruptStoredBytes(Vault vault, CheckpointId id) {
        ((MapDbVault) vault).corruptStoredBytes(id);
    }

    /** Replaces the checkpoint's stored metadata with bytes that are not JSON (committed; seen after reopening). */
    public static void corruptStoredMetadata(Vault vault, CheckpointId id) {
        ((MapDbVault) vault).corruptStoredMetadata(id);
    }
}
