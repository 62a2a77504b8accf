package dev.guardian.wal.internal;

import dev.guardian.wal.WalCursor;
import dev.guardian.wal.WalException;
import dev.guardian.wal.WalException.Reason;
import dev.guardian.wal.WalGap;
import dev.guardian.wal.WalReader;
import dev.guardian.wal.WalRecord;
import dev.guardian.wal.WalStats;
import dev.guardian.wal.WalTail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * Reading side of a log over one Chronicle queue: cursors, tails, stats. Thread-safe: the queue is;
 * a read-only view of a log that has no Chronicle files yet opens the queue once they appear
 * ({@code queue} is volatile, set under {@code this});
 * each cursor (a Chronicle tailer) belongs to the thread that created it; open tails are tracked in
 * a concurrent set and stopped on close.
 */
public class ChronicleWalReader implements WalReader {
    /** How long a new appender waits on a half-written header before treating it as left by a crash. */
    static final long HEADER_RECOVERY_TIMEOUT_MS = 500;

    protected final Path directory;
    protected volatile SingleChronicleQueue queue;
    private volatile boolean closed;
    protected final RollCycle rollCycle;
    private final Set<ChronicleTail> tails = ConcurrentHashMap.newKeySet();

    /** A read-only view (it maps files read-only; see {@link CycleFiles#shortOlderFiles}), or the writer's own. */
    private final boolean readOnly;

    protected ChronicleWalReader(Path directory, SingleChronicleQueue queue, RollCycle rollCycle, boolean readOnly) {
        this.directory = directory;
        this.readOnly = readOnly;
        this.queue = queue;
        this.rollCycle = rollCycle;
    }

    /** Opens read-only: validates the marker first so that a foreign directory is never touched. */
    public static ChronicleWalReader openReadOnly(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        RollCycle rc = RollCycleNames.resolve(WalDirectory.checkExisting(dir));
        ChronicleWalReader reader = new ChronicleWalReader(dir, null, rc, true);
        reader.readOnlyQueue();
        return reader;
    }

    /**
     * The queue, opened read-only when Chronicle's files exist; {@code null} before (opening it then
     * would make Chronicle create its metadata file, and a reader must not create anything).
     */
    private SingleChronicleQueue readOnlyQueue() {
        SingleChronicleQueue q = queue;
        if (q != null) {
            return q;
        }
        synchronized (this) {
            if (queue == null && !closed && Files.isRegularFile(directory.resolve("metadata.cq4t"))) {
                try {
                    queue = queueBuilder(directory, rollCycle, Clock.systemUTC()).readOnly(true).build();
                } catch (RuntimeException e) {
                    if (String.valueOf(e.getMessage()).contains("metadata.cq4t")) {
                        // Read-only, nothing is locked: a garbled table, not another process (guardian run rebuilds it).
                        throw new WalException(Reason.NOT_A_WAL, directory + ": Chronicle cannot read metadata.cq4t ("
                                + e.getMessage() + "): it is damaged; the next guardian run on this directory moves it aside "
                                + "and rebuilds it from the cycle files", e);
                    }
                    throw new WalException(Reason.IO, "cannot open " + directory + " read-only: " + e.getMessage(), e);
                }
            }
            return queue;
        }
    }

    static SingleChronicleQueueBuilder queueBuilder(Path dir, RollCycle rc, Clock clock) {
        return SingleChronicleQueueBuilder.binary(dir)
                .rollCycle(rc)
                .timeProvider(clock::millis)
                .timeoutMS(HEADER_RECOVERY_TIMEOUT_MS);
    }

    @Override
    public Path directory() {
        return directory;
    }

    @Override
    public WalCursor read(long fromSequence) {
        checkOpen();
        SingleChronicleQueue q = readOnlyQueue();
        return q == null ? EmptyCursor.INSTANCE : new ChronicleCursor(q, rollCycle, fromSequence, readOnly);
    }

    @Override
    public WalTail tail(long fromSequence, Consumer<WalRecord> consumer) {
        checkOpen();
        ChronicleTail t = new ChronicleTail(this, fromSequence, consumer, tails::remove);
        tails.add(t);
        t.start();
        return t;
    }

    @Override
    public WalStats stats() {
        checkOpen();
        SingleChronicleQueue q = readOnlyQueue();
        if (q == null) {
            return new WalStats(0, 0, 0, 0, 0, cycleFiles(), List.of());
        }
        List<CycleFiles.Span> spans = CycleFiles.read(q, rollCycle, readOnly);
        List<WalGap> between = CycleFiles.gaps(spans, directory);
        List<WalGap> gaps = new ArrayList<>();
        long records = 0;
        long first = 0;
        long last = 0;
        long bytes = 0;
        long corrupt;
        try (ChronicleCursor c = new ChronicleCursor(q, rollCycle, 1, readOnly)) {
            int lastCycle = Integer.MIN_VALUE;
            for (WalRecord r = c.next(); r != null; r = c.next()) {
                if (records++ == 0) {
                    first = r.sequence();
                } else if (r.sequence() > last + 1) {
                    gaps.add(gap(last + 1, r.sequence() - 1, between, spans, lastCycle));
                }
                last = r.sequence();
                lastCycle = c.cycle();
                bytes += 4 + RecordCodec.FIXED_BYTES + utf8(r.type()) + utf8(r.instance()) + utf8(r.version()) + r.payload().length;
            }
            corrupt = c.corruptSkipped();
        }
        return new WalStats(records, first, last, bytes, corrupt, cycleFiles(), gaps);
    }

    /** A jump seen in a full read: between two files (as {@link CycleFiles#gaps} describes it), else inside one. */
    private static WalGap gap(long from, long to, List<WalGap> between, List<CycleFiles.Span> spans, int cycle) {
        for (WalGap g : between) {
            if (g.from() == from && g.to() == to) {
                return g;
            }
        }
        String file = spans.stream().filter(s -> s.cycle() == cycle).map(CycleFiles.Span::file).findFirst().orElse("cycle " + cycle);
        return new WalGap(from, to, "missing inside cycle file " + file + " (records that failed their checksum were skipped,"
                + " or a jump the writer made on purpose)");
    }

    @Override
    public List<WalGap> gaps() {
        checkOpen();
        SingleChronicleQueue q = readOnlyQueue();
        return q == null ? List.of() : CycleFiles.gaps(CycleFiles.read(q, rollCycle, readOnly), directory);
    }

    private static int utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    protected List<WalStats.CycleFile> cycleFiles() {
        List<WalStats.CycleFile> files = new ArrayList<>();
        for (String name : WalDirectory.list(directory)) {
            if (name.endsWith(".cq4")) {
                try {
                    files.add(new WalStats.CycleFile(name, Files.size(directory.resolve(name))));
                } catch (IOException e) {
                    // deleted by retention meanwhile
                }
            }
        }
        return files;
    }

    protected void checkOpen() {
        SingleChronicleQueue q = queue;
        if (closed || (q != null && q.isClosed())) {
            throw new WalException(Reason.CLOSED, "the WAL in " + directory + " is closed");
        }
    }

    protected void closeTails() {
        for (ChronicleTail t : List.copyOf(tails)) {
            t.close();
        }
    }

    @Override
    public void close() {
        closeTails();
        synchronized (this) {
            closed = true;
            if (queue != null) {
                queue.close();
            }
        }
    }

    private enum EmptyCursor implements WalCursor {
        INSTANCE;

        @Override
        public WalRecord next() {
            return null;
        }

        @Override
        public long corruptSkipped() {
            return 0;
        }

        @Override
        public void close() {
        }
    }
}
