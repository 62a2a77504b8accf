package dev.guardian.wal.internal;

/**
 * When a free group forcer forces. If no force is running, at once: the disk is idle, so lingering
 * would only add latency, and the records that arrive meanwhile form the next batch while this force
 * runs. If another force is running, a second one at once would compete with it for the disk for a
 * handful of records, so it waits until {@code maxBatch} records wait or the oldest has waited
 * {@code maxDelayNanos}, whichever comes first (or until the running force ends and the policy is asked
 * again). A pure function of its inputs (times are {@code System.nanoTime()} values passed in), so it
 * is tested without clocks or threads.
 */
record GroupCommitPolicy(int maxBatch, long maxDelayNanos) {

    /** Nanoseconds to wait before forcing; {@code 0} means force now; {@code -1} means nothing waits. */
    long nanosToWait(int waiting, long oldestArrivalNanos, long nowNanos, int forcesInFlight) {
        if (waiting <= 0) {
            return -1;
        }
        if (forcesInFlight == 0 || waiting >= maxBatch) {
            return 0;
        }
        long waited = nowNanos - oldestArrivalNanos;
        return Math.max(0, maxDelayNanos - waited);
    }
}
