package dev.guardian.wal;

/** When an append counts as durable; see the module README for the exact loss windows. */
public enum Durability {
    /** Every append is forced to disk before {@link Wal#append} returns. */
    SYNC,
    /**
     * Group commit: the append returns at once with a ticket; one force makes a whole batch (whatever
     * arrived while the previous force ran, or up to {@code group.maxBatch} records or
     * {@code group.maxDelay} beside a running force) durable and then completes the batch's tickets. Callers answer clients only when the ticket completes.
     */
    GROUP,
    /**
     * No force on the append path: the record is in the OS page cache when the append returns, so it
     * survives a crash of the process (even SIGKILL) but not of the OS or the machine; a background
     * force every {@code async.flushInterval} bounds that loss window.
     */
    ASYNC
}
