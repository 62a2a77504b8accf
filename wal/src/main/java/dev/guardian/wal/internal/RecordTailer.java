package dev.guardian.wal.internal;

import dev.guardian.wal.WalRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Chronicle tailer read as WAL records: the next valid record, corrupt documents skipped and counted.
 * A read into a cycle file cut short faults (the JVM's {@link InternalError} for a SIGBUS, or Chronicle's
 * own {@link AssertionError} under {@code -ea}): that is thrown to the caller, who knows what it means
 * where it is. Confined to the thread that created it (Chronicle's rule for tailers).
 */
final class RecordTailer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RecordTailer.class);

    private final SingleChronicleQueue queue;
    private final RecordCodec codec = new RecordCodec();
    /** Larger than any record the log writes (its payload limit, the tags and the fixed fields). */
    private static final long MAX_DOCUMENT = dev.guardian.wal.WalConfig.MAX_PAYLOAD_LIMIT + 3 * 255L + RecordCodec.FIXED_BYTES;

    private ExcerptTailer tailer;
    private long corrupt;

    RecordTailer(SingleChronicleQueue queue) {
        this.queue = queue;
        this.tailer = queue.createTailer();
    }

    /** The next valid record, or null where nothing more can be read now. */
    WalRecord next() {
        return read(false);
    }

    /** The record of the document at the tailer's index and nothing further: null when that one is not a valid record. */
    WalRecord readOne() {
        return read(true);
    }

    private WalRecord read(boolean one) {
        while (true) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return null;
                }
                if (!dc.isData()) {
                    if (one) {
                        return null;
                    }
                    continue;
                }
                Bytes<?> bytes = dc.wire().bytes();
                long remaining = bytes.readRemaining();
                if (remaining > MAX_DOCUMENT) {
                    // A length no record has: the header was read from garbage (damage), and allocating for it
                    // would only exhaust the heap.
                    throw new InternalError("a document of " + remaining + " bytes at index " + Long.toHexString(dc.index())
                            + " of " + queue.fileAbsolutePath() + ": its header is damaged");
                }
                int len = (int) remaining;
                byte[] buf = codec.buffer(len);
                bytes.read(buf, 0, len);
                WalRecord r = codec.decode(len);
                if (r == null) {
                    corrupt++;
                    log.warn("skipping corrupt record at index {} of {} ({} bytes): checksum or format mismatch",
                            Long.toHexString(dc.index()), queue.fileAbsolutePath(), len);
                    if (one) {
                        return null;
                    }
                    continue;
                }
                return r;
            }
        }
    }

    /** The cycle the tailer is in (after a read: the record's, or where the read ended). */
    int cycle() {
        return tailer.cycle();
    }

    /** Where the tailer is: {@code END_OF_CYCLE} once it read an end marker it could not go past. */
    net.openhft.chronicle.queue.TailerState state() {
        return tailer.state();
    }

    /**
     * A read that hit damage: a fault (a SIGBUS, as the JVM's {@link InternalError}, sometimes wrapped by
     * Chronicle in a runtime exception) or Chronicle's own assertion on the same bytes under {@code -ea}.
     * Anything else is not damage and is not to be taken for it.
     */
    static boolean isFault(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InternalError || t instanceof AssertionError) {
                return true;
            }
        }
        return false;
    }

    /** The file of the cycle the tailer is in. */
    java.io.File currentFile() {
        return tailer.currentFile();
    }

    boolean moveToCycle(int cycle) {
        return tailer.moveToCycle(cycle);
    }

    void toStart() {
        tailer.toStart();
    }

    boolean moveToIndex(long index) {
        return tailer.moveToIndex(index);
    }

    /** The Chronicle index of the next document this tailer reads. */
    long index() {
        return tailer.index();
    }

    /**
     * The index of the last document of {@code cycle} (-1 when it has none), found by moving to indexes
     * only: nothing is read past that document, so the next file is never touched. Leaves the tailer at the
     * start of {@code cycle}.
     */
    long lastIndexIn(int cycle) {
        net.openhft.chronicle.queue.RollCycle rc = queue.rollCycle();
        long found = -1;
        long step = 1;
        while (tailer.moveToIndex(rc.toIndex(cycle, found + step))) {
            found += step;
            step *= 2;
        }
        for (step /= 2; step >= 1; step /= 2) {
            if (tailer.moveToIndex(rc.toIndex(cycle, found + step))) {
                found += step;
            }
        }
        tailer.moveToCycle(cycle);
        return found < 0 ? -1 : rc.toIndex(cycle, found);
    }

    /**
     * A fresh tailer at the start of {@code cycle}: after a fault the old one's state is not to be
     * trusted. False when the cycle cannot be entered (its file is gone).
     */
    boolean restartAt(int cycle) {
        for (int attempt = 1; ; attempt++) {
            try {
                try {
                    tailer.close();
                } catch (RuntimeException | InternalError | AssertionError e) {
                    // a tailer left by a fault: nothing of it is used again
                }
                tailer = queue.createTailer();
                return moveToCycle(cycle);
            } catch (RuntimeException | InternalError | AssertionError e) {
                // The file cannot be entered, or an earlier read's fault arrived late (the JVM throws a fault in a
                // memory-mapped read at its next call into the VM, not always inside the read): again, then give up.
                if (!isFault(e) || attempt == 3) {
                    if (isFault(e)) {
                        return false;
                    }
                    throw e;
                }
            }
        }
    }

    /** Documents skipped so far because their checksum or format failed. */
    long corrupt() {
        return corrupt;
    }

    @Override
    public void close() {
        tailer.close();
    }
}
