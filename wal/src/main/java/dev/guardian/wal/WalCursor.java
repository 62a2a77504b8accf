package dev.guardian.wal;

/**
 * Reads records in sequence order from a starting sequence. Not thread-safe: a cursor belongs to the
 * thread that created it (Chronicle tailers are bound to their thread). Close it when done.
 */
public interface WalCursor extends AutoCloseable {

    /**
     * The next valid record, or {@code null} when none is there yet (call again later to follow the
     * log). Records whose checksum fails are skipped, logged and counted, never returned.
     */
    WalRecord next();

    /** Records skipped so far because their checksum or format failed. */
    long corruptSkipped();

    @Override
    void close();
}
