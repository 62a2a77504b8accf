package dev.guardian.wal.internal;

import dev.guardian.wal.WalCursor;
import dev.guardian.wal.WalRecord;
import java.util.NavigableSet;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cursor over one Chronicle tailer. Confined to the thread that created it (Chronicle's rule).
 *
 * <p>Seeking: sequences are stored inside records, not derived from Chronicle indexes, but within
 * a cycle file the n-th document normally holds (first sequence of the cycle + n). The seek finds
 * the cycle by its first record, jumps to the guessed index, and falls back to a scan if the guess
 * is wrong (e.g. after a skipped corrupt record).
 */
final class ChronicleCursor implements WalCursor {
    private static final Logger log = LoggerFactory.getLogger(ChronicleCursor.class);

    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final ExcerptTailer tailer;
    private final RecordCodec codec = new RecordCodec();
    private long minSequence;
    private long lastReturned;
    private long corrupt;
    private WalRecord peeked;
    private boolean cutShort;
    private int cycle = Integer.MIN_VALUE;

    ChronicleCursor(SingleChronicleQueue queue, RollCycle rollCycle, long fromSequence) {
        this.queue = queue;
        this.rollCycle = rollCycle;
        this.tailer = queue.createTailer();
        this.minSequence = Math.max(1, fromSequence);
        if (fromSequence > 1) {
            seek(fromSequence);
        }
    }

    private void seek(long from) {
        int firstCycle = queue.firstCycle();
        int lastCycle = queue.lastCycle();
        if (firstCycle > lastCycle) {
            return;
        }
        NavigableSet<Long> cycles = queue.listCyclesBetween(firstCycle, lastCycle);
        int best = Integer.MIN_VALUE;
        long bestFirst = 0;
        for (Long c : cycles) {
            WalRecord first = firstRecordOf(c.intValue());
            if (first == null) {
                continue;
            }
            if (first.sequence() > from) {
                break;
            }
            best = c.intValue();
            bestFirst = first.sequence();
        }
        if (best == Integer.MIN_VALUE) {
            tailer.toStart();
            return;
        }
        if (tailer.moveToIndex(rollCycle.toIndex(best, from - bestFirst))) {
            WalRecord r = readRaw();
            if (r != null && r.sequence() == from) {
                peeked = r;
                return;
            }
        }
        tailer.moveToCycle(best);
    }

    private WalRecord firstRecordOf(int cycle) {
        if (!tailer.moveToCycle(cycle)) {
            return null;
        }
        WalRecord r = readRaw();
        return r != null && tailer.cycle() == cycle ? r : null;
    }

    /**
     * The next valid record at the tailer, not filtered by sequence; null at the end. A cycle file cut
     * short (truncated inside its records) is memory-mapped beyond its end, and reading there faults:
     * the JVM turns the SIGBUS into an {@link InternalError}. That is damage, not a bug: counted, logged,
     * and the end of what this cursor can read.
     */
    private WalRecord readRaw() {
        if (cutShort) {
            return null;
        }
        try {
            return readRawUnguarded();
        } catch (InternalError | AssertionError e) {
            // AssertionError: Chronicle's own asserts (with -ea, as in tests) on the same damage.
            cutShort = true;
            corrupt++;
            log.error("{}: a cycle file is damaged or cut short after the last record read (the read faulted: {}); "
                    + "nothing after it can be read", queue.fileAbsolutePath(), e.getMessage());
            return null;
        }
    }

    private WalRecord readRawUnguarded() {
        while (true) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return null;
                }
                if (!dc.isData()) {
                    continue;
                }
                Bytes<?> bytes = dc.wire().bytes();
                int len = (int) bytes.readRemaining();
                byte[] buf = codec.buffer(len);
                bytes.read(buf, 0, len);
                WalRecord r = codec.decode(len);
                cycle = tailer.cycle();
                if (r == null) {
                    corrupt++;
                    log.warn("skipping corrupt record at index {} of {} ({} bytes): checksum or format mismatch",
                            Long.toHexString(dc.index()), queue.fileAbsolutePath(), len);
                    continue;
                }
                return r;
            }
        }
    }

    @Override
    public WalRecord next() {
        while (true) {
            WalRecord r = peeked;
            if (r != null) {
                peeked = null;
            } else {
                r = readRaw();
                if (r == null) {
                    return null;
                }
            }
            if (r.sequence() < minSequence) {
                continue;
            }
            if (r.sequence() <= lastReturned) {
                corrupt++;
                log.warn("skipping out-of-order record {} after {} in {}", r.sequence(), lastReturned, queue.fileAbsolutePath());
                continue;
            }
            lastReturned = r.sequence();
            minSequence = r.sequence() + 1;
            return r;
        }
    }

    /** True once a read faulted: a cycle file is cut short (or damaged) after the last record returned. */
    boolean cutShort() {
        return cutShort;
    }

    /** The cycle of the last record read. */
    int cycle() {
        return cycle;
    }

    @Override
    public long corruptSkipped() {
        return corrupt;
    }

    @Override
    public void close() {
        tailer.close();
    }
}
