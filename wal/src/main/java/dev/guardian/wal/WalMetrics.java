package dev.guardian.wal;

/**
 * Where a log reports how long its forces take, so that a slow commit can be split into time spent
 * queued, in the force ({@code fdatasync}) itself and completing tickets. Defaults to {@link #NOOP}.
 *
 * <p>Called on the thread that forced (a group force thread, a {@code sync} appender, the async
 * flusher), outside every lock of the log: implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface WalMetrics {

    /** Reports nothing. */
    WalMetrics NOOP = (mode, records, queuedNanos, forceNanos, completeNanos) -> {
    };

    /**
     * One force of the current cycle file.
     *
     * @param mode the log's durability mode
     * @param records tickets this force completed ({@code GROUP}); 0 in the other modes
     * @param queuedNanos {@code GROUP}: from the append of the oldest record of the batch until the force
     *     began; 0 in the other modes
     * @param forceNanos the force itself
     * @param completeNanos {@code GROUP}: completing the batch's tickets, callbacks included; 0 otherwise
     */
    void forced(Durability mode, int records, long queuedNanos, long forceNanos, long completeNanos);
}
