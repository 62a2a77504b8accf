package dev.guardian.wal;

/** A running tail: a background thread delivering new records to a consumer until closed. */
public interface WalTail extends AutoCloseable {

    /** Sequence of the last record delivered, 0 if none yet. */
    long lastDelivered();

    /** Stops the tail and waits for its thread to finish. */
    @Override
    void close();
}
