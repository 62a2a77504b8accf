package dev.guardian.wal;

import dev.guardian.wal.internal.ChronicleWal;
import dev.guardian.wal.internal.ChronicleWalReader;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The write-ahead log of one directory: append typed records, read them back from a sequence,
 * follow new ones, and drop old cycle files a checkpoint covers.
 *
 * <p>One writer per directory: {@link #open} takes an exclusive lock (another process or another
 * open in this one gets {@link WalException.Reason#LOCKED}). Readers ({@link #openReadOnly}) take
 * no lock and may run beside the writer in another process.
 *
 * <p>Thread-safe: any thread may append; appends are serialised, sequence order is append order.
 */
public interface Wal extends WalReader {

    /** Opens (creating if needed) the log in {@code directory} for writing. */
    static Wal open(Path directory, WalConfig config) {
        return open(directory, config, Clock.systemUTC());
    }

    /**
     * As {@link #open(Path, WalConfig)} with the clock that stamps records and decides which cycle
     * file a record goes into (tests advance a fake clock to roll cycles).
     */
    static Wal open(Path directory, WalConfig config, Clock clock) {
        return open(directory, config, clock, WalMetrics.NOOP);
    }

    /** As {@link #open(Path, WalConfig, Clock)}, reporting the timing of every force to {@code metrics}. */
    static Wal open(Path directory, WalConfig config, Clock clock, WalMetrics metrics) {
        return ChronicleWal.open(directory, config, clock, metrics);
    }

    /** Opens an existing log to read only: never creates, locks or modifies anything. */
    static WalReader openReadOnly(Path directory) {
        return ChronicleWalReader.openReadOnly(directory);
    }

    /**
     * Appends a record and returns its ticket; the sequence is assigned here. Under {@code SYNC} the
     * record is durable on return; under {@code GROUP} when the ticket completes.
     *
     * @param type record type, 1–255 UTF-8 bytes
     * @param instance instance tag, at most 255 UTF-8 bytes, {@code ""} or {@code null} for none
     * @param version version tag, at most 255 UTF-8 bytes, {@code ""} or {@code null} for none
     * @param payload at most {@code maxPayloadBytes}
     * @throws WalException with reason {@code INVALID} for a bad argument, {@code CLOSED}, or {@code IO}
     */
    AppendTicket append(String type, String instance, String version, byte[] payload);

    /**
     * Appends a record with the sequence {@code sequence}, which must be above {@link #lastSequence()};
     * the sequences between are never used, and appends continue after it. For a log that must not
     * number below a floor it knows of (records that were lost from its end).
     *
     * @throws WalException {@code INVALID} when {@code sequence <= lastSequence()}; else as {@link #append}
     */
    AppendTicket appendAt(long sequence, String type, String instance, String version, byte[] payload);

    /** Sequence of the last appended record (0 for an empty log); appends continue from it. */
    long lastSequence();

    /** The highest sequence known durable (forced) by this process; records before it are durable too. */
    long durableSequence();

    /**
     * Deletes whole cycle files all of whose records have sequences {@code <= coveredSequence} (a
     * checkpoint covers them), never the current cycle file and never the newest
     * {@code retentionMinCycles} files.
     *
     * @return how many cycle files were deleted
     */
    int retainAfter(long coveredSequence);

    /** The configuration the log was opened with. */
    WalConfig config();

    /** Forces everything written, completes every pending ticket, and releases the lock. */
    @Override
    void close();
}
