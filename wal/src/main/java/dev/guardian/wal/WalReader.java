package dev.guardian.wal;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A read view of a log: what {@link Wal#openReadOnly} returns, and what every {@link Wal} also is.
 * Thread-safe; each {@link WalCursor} belongs to the thread that created it.
 */
public interface WalReader extends AutoCloseable {

    /** The log's directory. */
    Path directory();

    /** A cursor at the first record whose sequence is {@code >= fromSequence} (1 or less: from the start). */
    WalCursor read(long fromSequence);

    /**
     * Follows the log from {@code fromSequence} on a background thread, handing each record to
     * {@code consumer} in order, including records appended later (by this process or another).
     * A consumer that throws is logged and the tail continues with the next record.
     */
    WalTail tail(long fromSequence, Consumer<WalRecord> consumer);

    /** Scans the whole log. */
    WalStats stats();

    /**
     * The sequences missing between the log's cycle files (a deleted or cut file, or a jump the writer made
     * on purpose), from the files' first and last records only: a few reads per file, not a scan. A gap
     * inside one file (a record skipped as corrupt) shows in {@link #stats} and as a jump while reading. For
     * a writer, as found when it opened, after it salvaged any cut file.
     */
    List<WalGap> gaps();

    @Override
    void close();
}
