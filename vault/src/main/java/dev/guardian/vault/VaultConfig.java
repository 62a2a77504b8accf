package dev.guardian.vault;

/**
 * Vault settings, validated at construction; each message names the field and the bad value.
 *
 * @param keepLast             retention: newest checkpoints kept per lineage (plus every pinned one
 *                             and the newest {@code keepKnownGood} known-good ones)
 * @param pruneOnSave          prune a lineage in the same commit that saves a checkpoint to it
 * @param compressThreshold    memories of at least this many bytes are LZ4-compressed before storing (unless incompressible)
 * @param chunkSize            checkpoint files are written and read in slices of at most this size
 *                             (a heap buffer handed to a FileChannel is copied into a temporary direct
 *                             buffer of its size, so a 64 MB memory is never one 64 MB direct buffer)
 * @param maxMemoryBytes       larger memories are refused
 * @param keepKnownGood        retention: known-good checkpoints kept per lineage beyond {@code keepLast}
 *                             (the newest; older known-good ones are pruned like any other, so the
 *                             vault stays bounded however long the daemon runs)
 */
public record VaultConfig(int keepLast, boolean pruneOnSave, int compressThreshold, int chunkSize, long maxMemoryBytes,
        int keepKnownGood) {

    public VaultConfig {
        if (keepKnownGood < 1) {
            throw new IllegalArgumentException("vault.retention.keepKnownGood must be >= 1, but was " + keepKnownGood);
        }
        if (keepLast < 1) {
            throw new IllegalArgumentException("vault.retention.keepLast must be >= 1, but was " + keepLast);
        }
        if (compressThreshold < 0) {
            throw new IllegalArgumentException("vault.compressThreshold must be >= 0, but was " + compressThreshold);
        }
        if (chunkSize < 4096 || chunkSize > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("vault.chunkSize must be between 4096 and 16777216, but was " + chunkSize);
        }
        if (maxMemoryBytes < 1 || maxMemoryBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("vault.maxMemoryBytes must be between 1 and "
                    + (Integer.MAX_VALUE - 64) + ", but was " + maxMemoryBytes);
        }
    }

    public static VaultConfig ofDefaults() {
        return new VaultConfig(10, true, 64 * 1024, 1024 * 1024, 256L * 1024 * 1024, 3);
    }

    public VaultConfig withKeepLast(int n) {
        return new VaultConfig(n, pruneOnSave, compressThreshold, chunkSize, maxMemoryBytes, keepKnownGood);
    }

    public VaultConfig withKeepKnownGood(int n) {
        return new VaultConfig(keepLast, pruneOnSave, compressThreshold, chunkSize, maxMemoryBytes, n);
    }

    public VaultConfig withPruneOnSave(boolean b) {
        return new VaultConfig(keepLast, b, compressThreshold, chunkSize, maxMemoryBytes, keepKnownGood);
    }

    public VaultConfig withCompressThreshold(int n) {
        return new VaultConfig(keepLast, pruneOnSave, n, chunkSize, maxMemoryBytes, keepKnownGood);
    }

    public VaultConfig withChunkSize(int n) {
        return new VaultConfig(keepLast, pruneOnSave, compressThreshold, n, maxMemoryBytes, keepKnownGood);
    }
}
