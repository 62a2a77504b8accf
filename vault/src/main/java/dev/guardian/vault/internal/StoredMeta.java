package dev.guardian.vault.internal;

import dev.guardian.vault.Checkpoint;

/**
 * A checkpoint's current metadata (with its sidecar's pin and tags applied) plus where its stored
 * bytes start in its file ({@code headerLength}: the magic line and the metadata line).
 */
record StoredMeta(Checkpoint checkpoint, int headerLength) {
    long seq() {
        return checkpoint.id().seq();
    }
}
