package dev.guardian.vault;

import java.util.Optional;

/** The outcome of verifying one checkpoint: valid, or the reason it is corrupt. */
public record VerifyResult(CheckpointId id, Optional<String> lineage, boolean valid, String problem) {

    public static VerifyResult ok(Checkpoint c) {
        return new VerifyResult(c.id(), Optional.of(c.lineage()), true, "");
    }

    public static VerifyResult corrupt(CheckpointId id, Optional<String> lineage, String problem) {
        return new VerifyResult(id, lineage, false, problem);
    }
}
