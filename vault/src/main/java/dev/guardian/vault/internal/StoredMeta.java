package dev.guardian.vault.internal;

import dev.guardian.vault.Checkpoint;

/** A checkpoint's metadata plus how its bytes are laid out in the chunk map. */
record StoredMeta(Checkpoint checkpoint, int chunks) {
    long seq() {
        return checkpoint.id().seq();
    }
}
