package dev.guardian.wal.internal;

import dev.guardian.wal.WalCursor;
import dev.guardian.wal.WalRecord;
import java.util.NavigableSet;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
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
    private final RecordTailer tailer;
    private long minSequence;
    private long lastReturned;
    private long damaged;
    private WalRecord peeked;
    private boolean cutShort;
    private int cycle = Integer.MIN_VALUE;
    /** The cycle a fault or a missing end marker made this cursor skip to (the tailer may not report it yet). */
    private int skippedTo = CycleFiles.NONE;
    /** Read-only: older files cut short, never entered ({@link CycleFiles#shortOlderFiles}). */
    private final java.util.Set<Integer> shortFiles;
    /** In the file before a short one: the index of its last document, past which this cursor must not read. */
    private int stopCycle = CycleFiles.NONE;
    private long stopIndex;

    ChronicleCursor(SingleChronicleQueue queue, RollCycle rollCycle, long fromSequence, boolean readOnly) {
        this.queue = queue;
        this.rollCycle = rollCycle;
        this.tailer = new RecordTailer(queue);
        this.shortFiles = readOnly ? CycleFiles.shortOlderFiles(queue, rollCycle) : java.util.Set.of();
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
            if (shortFiles.contains(c.intValue())) {
                continue;
            }
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
        try {
            if (tailer.moveToIndex(rollCycle.toIndex(best, from - bestFirst))) {
                WalRecord r = tailer.next();
                if (r != null && r.sequence() == from) {
                    peeked = r;
                    cycle = tailer.cycle();
                    return;
                }
            }
        } catch (RuntimeException | InternalError | AssertionError e) {
            if (!RecordTailer.isFault(e)) {
                throw e;
            }
            // an index into a cut file: read the cycle from its start instead, which meets the damage where it is
        }
        tailer.restartAt(best);
    }

    private WalRecord firstRecordOf(int cycle) {
        try {
            if (!tailer.moveToCycle(cycle)) {
                return null;
            }
            WalRecord r = tailer.next();
            return r != null && tailer.cycle() == cycle ? r : null;
        } catch (RuntimeException | InternalError | AssertionError e) {
            if (!RecordTailer.isFault(e)) {
                throw e;
            }
            tailer.restartAt(cycle);
            return null; // cut before its first record
        }
    }

    /**
     * The next valid record at the tailer, not filtered by sequence; null at the end. A cycle file cut
     * short (truncated inside its records) is memory-mapped beyond its end, and reading there faults:
     * the JVM turns the SIGBUS into an {@link InternalError}. That is damage, not a bug: counted and
     * logged. In the newest file it is the end of what can be read. An older file that ends without its
     * end-of-cycle marker (in such a fault, or cut between records, or filled with zeros where it was cut
     * and mapped again) is damaged too: Chronicle would stop there for good and every later file would be
     * out of reach, so the cursor goes on with the next file. The records in between are missing; the
     * caller sees the jump in sequences.
     */
    private WalRecord readRaw() {
        while (!cutShort) {
            int at;
            int later;
            String fault;
            try {
                if (!shortFiles.isEmpty() && passShortFiles()) {
                    continue;
                }
                WalRecord r = tailer.next();
                if (r != null) {
                    cycle = tailer.cycle();
                    return r;
                }
                at = position();
                later = CycleFiles.laterCycle(queue, at);
                if (later == CycleFiles.NONE) {
                    return null; // the end of the log, for now
                }
                // A file just rolled may be read before the writer's end marker, and the next file seen after it
                // (the writer writes the marker first): one more read tells.
                r = tailer.next();
                if (r != null) {
                    cycle = tailer.cycle();
                    return r;
                }
                if (tailer.cycle() > at) {
                    continue;
                }
                fault = null;
            } catch (RuntimeException | InternalError | AssertionError e) {
                // AssertionError: Chronicle's own asserts (with -ea, as in tests) on the same damage. Anywhere in this
                // block: a fault in compiled code is delivered at the next safepoint poll, not always inside the read.
                if (!RecordTailer.isFault(e)) {
                    throw e;
                }
                fault = String.valueOf(e.getMessage());
                at = position();
                later = laterCycleAfterFault(at);
            }
            damaged++;
            if (later == CycleFiles.NONE) {
                cutShort = true;
                log.error("{}: a cycle file is damaged or cut short after the last record read (the read faulted: {}); "
                        + "nothing after it can be read", queue.fileAbsolutePath(), fault);
                return null;
            }
            log.error("{}: cycle file {} ends{} without its end marker, though later cycle files exist: it is cut or damaged; "
                    + "reading on from {} (the records in between are missing)", queue.fileAbsolutePath(), file(at),
                    fault != null ? " in a fault (" + fault + ")" : "", file(later));
            skipTo(later);
        }
        return null;
    }

    /**
     * Before a read, for a read-only view with short files: true when the tailer had to be moved past them
     * (it is in one, or at the end of the file before one, where the next read would step into it).
     */
    private boolean passShortFiles() {
        int at = position();
        int next = CycleFiles.laterCycle(queue, at);
        if (!shortFiles.contains(at) && (next == CycleFiles.NONE || !shortFiles.contains(next))) {
            return false;
        }
        if (!shortFiles.contains(at)) {
            if (stopCycle != at) {
                stopCycle = at;
                long index = tailer.index();
                stopIndex = tailer.lastIndexIn(at);
                if (index != rollCycle.toIndex(at, 0) && !tailer.moveToIndex(index)) {
                    tailer.moveToCycle(at);
                }
            }
            if (tailer.index() <= stopIndex) {
                return false;
            }
        }
        int past = shortFiles.contains(at) ? at : next;
        while (past != CycleFiles.NONE && shortFiles.contains(past)) {
            damaged++;
            log.error("{}: cycle file {} is cut (shorter than Chronicle makes a cycle file): a read-only reader does not read "
                    + "it (the next guardian run keeps its readable records); reading on after it", queue.fileAbsolutePath(), file(past));
            past = CycleFiles.laterCycle(queue, past);
        }
        if (past == CycleFiles.NONE) {
            cutShort = true;
        } else {
            skipTo(past);
        }
        return true;
    }

    private String file(int cycle) {
        return CycleFiles.fileName(queue, rollCycle, cycle);
    }

    private int laterCycleAfterFault(int at) {
        try {
            return CycleFiles.laterCycle(queue, at);
        } catch (RuntimeException | InternalError | AssertionError e) {
            if (!RecordTailer.isFault(e)) {
                throw e;
            }
            return CycleFiles.NONE;
        }
    }

    /** The cycle the tailer reads in; before anything was read there, the first one. */
    private int position() {
        int at;
        try {
            at = tailer.cycle();
        } catch (RuntimeException | InternalError | AssertionError e) {
            at = cycle;
        }
        at = Math.max(at, skippedTo);
        return at == CycleFiles.NONE ? queue.firstCycle() : at;
    }

    private void skipTo(int later) {
        for (int c = later; c != CycleFiles.NONE; c = CycleFiles.laterCycle(queue, c)) {
            skippedTo = c;
            if (tailer.restartAt(c)) {
                return;
            }
        }
        cutShort = true; // the later files went away meanwhile (retention): nothing more to read
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
                damaged++;
                log.warn("skipping out-of-order record {} after {} in {}", r.sequence(), lastReturned, queue.fileAbsolutePath());
                continue;
            }
            lastReturned = r.sequence();
            minSequence = r.sequence() + 1;
            return r;
        }
    }

    /** True once a read faulted in the newest file: it is cut short (or damaged) after the last record returned. */
    boolean cutShort() {
        return cutShort;
    }

    /** The cycle of the last record read. */
    int cycle() {
        return cycle;
    }

    @Override
    public long corruptSkipped() {
        return tailer.corrupt() + damaged;
    }

    @Override
    public void close() {
        tailer.close();
    }
}
