package dev.guardian.wal.internal;

/**
 * When the group committer forces: as soon as {@code maxBatch} records wait, or the oldest waiting
 * record has waited {@code maxDelayNanos}. A pure function of its inputs (times are
 * {@code System.nanoTime()} values passed in), so it is tested without clocks or threads.
 */
record GroupCommitPolicy(int maxBatch, long maxDelayNanos) {

    /** Nanoseconds to wait before forcing; {@code 0} means force now; {@code -1} means nothing waits. */
    long nanosToWait(int waiting, long oldestArrivalNanos, long nowNanos) {
        if (waiting <= 0) {
            return -1;
        }
        if (waiting >= maxBatch) {
            return 0;
        }
        long waited = nowNanos - oldestArrivalNanos;
        return Math.max(0, maxDelayNanos - waited);
    }
}
