package dev.guardian.evolution.rollout;

import java.util.Objects;

/**
 * The outcome of the rollback drill: could a fresh baseline restore the candidate's checkpoint and answer a
 * sample identically? If not, a rollback after promotion would lose state, and the proof says so.
 *
 * @param lossless true when the baseline restored the checkpoint and answered the sample identically
 * @param detail   what was tried and, when lossy, what differed
 */
public record DrillResult(boolean lossless, String detail) {
    public DrillResult {
        Objects.requireNonNull(detail, "detail");
    }

    public static DrillResult lossless(String detail) {
        return new DrillResult(true, detail);
    }

    public static DrillResult lossy(String detail) {
        return new DrillResult(false, detail);
    }

    public boolean lossy() {
        return !lossless;
    }
}
