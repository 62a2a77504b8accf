package dev.guardian.wal.internal;

import dev.guardian.wal.WalGap;
import dev.guardian.wal.WalRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerState;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

/**
 * The cycle files of a log as their boundaries read. A Chronicle reader goes from one cycle file to the
 * next only at the end-of-cycle marker the writer leaves when it rolls, so every file but the newest
 * ends with one; a file that does not was cut (or damaged) and hides every later file from a reader
 * going forwards. Reading only the boundaries is cheap enough for every open: the first record of
 * each file, and for each older file its last record (found by index) and the step over its marker.
 * Only a file whose last record is not where its neighbour's first record says is read whole.
 * Confined to the calling thread.
 */
final class CycleFiles {
    static final int NONE = Integer.MIN_VALUE;

    /**
     * One cycle file: its first and last readable record (0 when none), and whether a reader gets past its
     * end. The newest file's end is not read here ({@code last} 0, {@code intact} true): its cut is found
     * where the writer looks for the log's end.
     */
    record Span(int cycle, String file, long first, long last, boolean intact, boolean read) {
        Span(int cycle, String file, long first, long last, boolean intact) {
            this(cycle, file, first, last, intact, true);
        }

        boolean hasRecords() {
            return first > 0;
        }
    }

    private CycleFiles() {
    }

    /** {@code readOnly}: the queue is a read-only view (see {@link #shortOlderFiles}). */
    static List<Span> read(SingleChronicleQueue queue, RollCycle rc, boolean readOnly) {
        for (int attempt = 1; ; attempt++) {
            try {
                return readOnce(queue, rc, readOnly);
            } catch (RuntimeException | InternalError | AssertionError e) {
                // A fault in compiled code is delivered late, at the next safepoint poll, which may lie outside
                // the read that caused it; the reads that fault are each guarded, so reading again gets past it.
                if (!RecordTailer.isFault(e) || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private static List<Span> readOnce(SingleChronicleQueue queue, RollCycle rc, boolean readOnly) {
        int firstCycle = queue.firstCycle();
        int lastCycle = queue.lastCycle();
        List<Span> spans = new ArrayList<>();
        if (firstCycle > lastCycle) {
            return spans;
        }
        List<Integer> cycles = new ArrayList<>();
        for (Long c : queue.listCyclesBetween(firstCycle, lastCycle)) {
            cycles.add(c.intValue());
        }
        java.util.Set<Integer> shortFiles = readOnly ? shortOlderFiles(queue, rc) : java.util.Set.of();
        try (RecordTailer t = new RecordTailer(queue)) {
            List<WalRecord> firsts = new ArrayList<>();
            for (int c : cycles) {
                firsts.add(shortFiles.contains(c) ? null : firstOf(t, c));
            }
            for (int i = 0; i < cycles.size(); i++) {
                int c = cycles.get(i);
                WalRecord first = firsts.get(i);
                long firstSeq = first == null ? 0 : first.sequence();
                String name = fileName(queue, rc, c);
                if (shortFiles.contains(c)) {
                    spans.add(new Span(c, name, 0, 0, false, false)); // not read: see shortOlderFiles
                    continue;
                }
                if (i == cycles.size() - 1) {
                    spans.add(new Span(c, name, firstSeq, 0, true));
                    continue;
                }
                if (shortFiles.contains(cycles.get(i + 1))) {
                    // Its end marker leads into the short file, which must not be touched: its end is read by index.
                    spans.add(new Span(c, name, firstSeq, lastWithin(t, rc, c), true));
                    continue;
                }
                WalRecord nextFirst = null;
                for (int j = i + 1; j < cycles.size() && nextFirst == null; j++) {
                    nextFirst = firsts.get(j);
                }
                long last = lastByIndex(t, rc, c, first, nextFirst);
                spans.add(last > 0 ? new Span(c, name, firstSeq, last, true) : scan(t, c, name));
            }
        }
        return spans;
    }

    /**
     * For a read-only view: the older cycle files shorter than Chronicle ever makes one. It creates each
     * file one block and its overlap long at least (sparse), so a shorter one was cut. A read-only reader
     * must not read it: its memory map reaches past the file's end, where a read faults, and the JVM
     * throws that fault only at the thread's next call into the VM, after the reader went on with garbage
     * for bytes. A writer maps files read-write, which lengthens a cut file with zeros: it reads to the cut
     * and finds nothing after it, without a fault. The newest file is left to the reader (it is where a
     * cut is usually found, and the reader stops at it).
     */
    static java.util.Set<Integer> shortOlderFiles(SingleChronicleQueue queue, RollCycle rc) {
        java.util.Set<Integer> shortFiles = new java.util.HashSet<>();
        int firstCycle = queue.firstCycle();
        int lastCycle = queue.lastCycle();
        if (firstCycle >= lastCycle) {
            return shortFiles;
        }
        long minimum = queue.blockSize() + queue.overlapSize();
        Path dir = queue.file().toPath();
        for (Long c : queue.listCyclesBetween(firstCycle, lastCycle).headSet((long) lastCycle)) {
            try {
                if (java.nio.file.Files.size(dir.resolve(fileName(queue, rc, c.intValue()))) < minimum) {
                    shortFiles.add(c.intValue());
                }
            } catch (java.io.IOException e) {
                // gone meanwhile (retention): nothing to read either way
            }
        }
        return shortFiles;
    }

    /** The last valid record of {@code cycle}, reached by index without reading past it; 0 when none. */
    private static long lastWithin(RecordTailer t, RollCycle rc, int cycle) {
        try {
            for (long index = t.lastIndexIn(cycle); index >= 0 && rc.toCycle(index) == cycle; index--) {
                if (!t.moveToIndex(index)) {
                    return 0;
                }
                WalRecord r = t.readOne();
                if (r != null) {
                    return r.sequence();
                }
            }
            return 0;
        } catch (RuntimeException | InternalError | AssertionError e) {
            if (!RecordTailer.isFault(e)) {
                throw e;
            }
            return 0;
        }
    }

    /** The name Chronicle gives the file of {@code cycle} (as its own cache does: the roll cycle's format, in UTC). */
    static String fileName(SingleChronicleQueue queue, RollCycle rc, int cycle) {
        return DateTimeFormatter.ofPattern(rc.format()).withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(queue.epoch() + (long) cycle * rc.lengthInMillis())) + SingleChronicleQueue.SUFFIX;
    }

    /**
     * The gaps between the files' records: where a file's last record and the next file's first are not
     * consecutive sequences.
     */
    static List<WalGap> gaps(List<Span> spans, Path dir) {
        List<WalGap> gaps = new ArrayList<>();
        Span previous = null;
        List<Span> empty = new ArrayList<>();
        for (Span s : spans) {
            if (!s.hasRecords()) {
                empty.add(s);
                continue;
            }
            if (previous != null && s.first() > previous.last() + 1) {
                gaps.add(new WalGap(previous.last() + 1, s.first() - 1, describe(previous, s, empty, dir)));
            }
            previous = s;
            empty.clear();
        }
        return gaps;
    }

    private static String describe(Span before, Span after, List<Span> empty, Path dir) {
        StringBuilder what = new StringBuilder("missing between cycle files ").append(before.file()).append(" (its last record: seq ")
                .append(before.last()).append(") and ").append(after.file()).append(" (its first: seq ").append(after.first()).append(')');
        if (!before.intact()) {
            what.append("; ").append(before.file()).append(" is cut or damaged after seq ").append(before.last())
                    .append(" (the next guardian run keeps its readable records and moves it aside)");
        }
        for (Span s : empty) {
            what.append("; ").append(s.file()).append(s.read() ? " holds no readable record"
                    : " is cut (shorter than Chronicle makes a cycle file) and was not read: a read-only reader cannot read it "
                            + "safely; the next guardian run keeps its readable records, and reports what is lost then");
        }
        List<String> salvaged = asideBetween(dir, before.file(), after.file());
        for (String aside : salvaged) {
            String file = aside.substring(0, aside.indexOf(".cut-"));
            what.append("; ").append(file).append(" was cut").append(file.equals(before.file()) ? " (its readable records were kept)"
                    : " (nothing in it was readable)").append(": the damaged file is ").append(aside);
        }
        if (before.intact() && empty.isEmpty() && salvaged.isEmpty()) {
            what.append(" (a cycle file between them deleted or lost, or a jump the writer made on purpose)");
        }
        return what.toString();
    }

    /**
     * The {@code NAME.cut-MILLIS} files a salvage left (see {@link CycleSalvage}) for the cycle files from
     * {@code from} up to, not including, {@code to}: the newest one of each.
     */
    private static List<String> asideBetween(Path dir, String from, String to) {
        java.util.TreeMap<String, String> newest = new java.util.TreeMap<>();
        for (String f : WalDirectory.list(dir)) {
            int cut = f.indexOf(".cut-");
            if (cut > 0) {
                String file = f.substring(0, cut);
                if (file.compareTo(from) >= 0 && file.compareTo(to) < 0) {
                    newest.merge(file, f, (a, b) -> a.compareTo(b) >= 0 ? a : b);
                }
            }
        }
        return new ArrayList<>(newest.values());
    }

    /** The next cycle file after {@code cycle}, or {@link #NONE}. */
    static int laterCycle(SingleChronicleQueue queue, int cycle) {
        int last = queue.lastCycle();
        if (cycle == NONE || cycle >= last) {
            return NONE;
        }
        // Chronicle lists between two cycles that have files (the first and the last do; this one may be gone).
        Long later = queue.listCyclesBetween(queue.firstCycle(), last).higher((long) cycle);
        return later == null ? NONE : later.intValue();
    }

    private static WalRecord firstOf(RecordTailer t, int cycle) {
        try {
            if (!t.moveToCycle(cycle)) {
                return null;
            }
            WalRecord r = t.next();
            return r != null && t.cycle() == cycle ? r : null;
        } catch (RuntimeException | InternalError | AssertionError e) {
            if (!RecordTailer.isFault(e)) {
                throw e;
            }
            t.restartAt(cycle);
            return null; // cut before its first record
        }
    }

    /**
     * The last record of {@code cycle} when it is where the next file's first record says (the n-th document
     * of a file holds its first sequence + n, unless records are missing) and a read from it steps over the
     * end marker into a later file; else 0.
     */
    private static long lastByIndex(RecordTailer t, RollCycle rc, int cycle, WalRecord first, WalRecord nextFirst) {
        long offset = nextFirst == null || first == null ? -1 : nextFirst.sequence() - first.sequence() - 1;
        if (offset < 0 || offset >= rc.maxMessagesPerCycle()) {
            return 0; // no neighbour to go by, or a jump wider than any file holds (the index would not be this file's)
        }
        try {
            if (!t.moveToIndex(rc.toIndex(cycle, offset))) {
                return 0;
            }
            WalRecord last = t.next();
            if (last == null || t.cycle() != cycle || last.sequence() != nextFirst.sequence() - 1) {
                return 0;
            }
            WalRecord after = t.next();
            return after != null && t.cycle() > cycle ? last.sequence() : 0;
        } catch (RuntimeException | InternalError | AssertionError e) {
            if (!RecordTailer.isFault(e)) {
                throw e;
            }
            t.restartAt(cycle);
            return 0;
        }
    }

    /**
     * Reads {@code cycle} from its start to where a reader leaves it: past its end marker (into a later file,
     * or stopped at its marker because the next file cannot be entered: that one is damaged, not this), or
     * stuck at damage inside it.
     */
    private static Span scan(RecordTailer t, int cycle, String name) {
        long first = 0;
        long last = 0;
        boolean intact;
        try {
            if (!t.restartAt(cycle)) {
                return new Span(cycle, name, 0, 0, false);
            }
            WalRecord r = t.next();
            while (r != null && t.cycle() == cycle) {
                first = first == 0 ? r.sequence() : first;
                last = r.sequence();
                r = t.next();
            }
            intact = t.cycle() > cycle || t.state() == TailerState.END_OF_CYCLE;
        } catch (RuntimeException | InternalError | AssertionError e) {
            if (!RecordTailer.isFault(e)) {
                throw e;
            }
            intact = t.cycle() > cycle; // the fault was in a later file, this one was read to its end
            
        }
        t.restartAt(cycle);
        return new Span(cycle, name, first, last, intact);
    }
}
