package dev.guardian.vault;

import java.nio.charset.StandardCharsets;

/** A checkpoint's metadata and its verified memory bytes. */
public record CheckpointData(Checkpoint checkpoint, byte[] memory) {

    public CheckpointId id() {
        return checkpoint.id();
    }

    public String memoryAsString() {
        return new String(memory, StandardCharsets.UTF_8);
    }
}
