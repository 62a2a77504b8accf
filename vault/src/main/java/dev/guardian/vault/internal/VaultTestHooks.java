package dev.guardian.vault.internal;

import dev.guardian.vault.CheckpointId;
import dev.guardian.vault.Vault;

/** For tests only: damage stored bytes the way a bad disk would, to exercise verification. */
public final class VaultTestHooks {
    private VaultTestHooks() {
    }

    /** Flips one byte in the middle of the memory part of the checkpoint's file (in place, like a bad disk). */
    public static void corruptStoredBytes(Vault vault, CheckpointId id) {
        ((FileVault) vault).corruptStoredBytes(id);
    }

    /** Overwrites the start of the checkpoint file's metadata line with bytes that are not JSON (seen after reopening). */
    public static void corruptStoredMetadata(Vault vault, CheckpointId id) {
        ((FileVault) vault).corruptStoredMetadata(id);
    }
}
