package dev.guardian.wal.internal;

import dev.guardian.wal.AppendTicket;
import dev.guardian.wal.Durability;
import dev.guardian.wal.Wal;
import dev.guardian.wal.WalConfig;
import dev.guardian.wal.WalException;
import dev.guardian.wal.WalGap;
import dev.guardian.wal.WalException.Reason;
import dev.guardian.wal.WalMetrics;
import dev.guardian.wal.WalRecord;
import java.io.File;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writable log.
 *
 * <p>Threading model. Appends run on the caller's thread under {@link #lock}: assign the next
 * sequence, encode, write one Chronicle document into the memory-mapped cycle file (a few µs), and,
 * in GROUP mode, queue the ticket. One Chronicle appender is shared by all appending threads; its
 * single-thread check is disabled because the lock serialises every use of it (and gives the
 * happens-before edges). Forcing to disk never happens under the lock, except once per cycle roll,
 * when the finished cycle file is forced so that every later force only needs the current file.
 * <ul>
 *   <li>SYNC: after the write, the caller forces the current cycle file outside the lock; a force
 *       that started after our write covers it, so concurrent SYNC appenders share forces.</li>
 *   <li>GROUP: appended records join {@code waiting}. {@code groupForcers} {@code wal-group-force-N}
 *       threads each loop: wait (on {@link #batchReady}) until {@link GroupCommitPolicy} says force
 *       (at once if no force runs; else at {@code maxBatch} records or {@code maxDelay}); under the
 *       lock, snapshot the last written sequence and the current file and move {@code waiting} to
 *       {@code inForce}; force outside the lock; take every ticket up to the highest durable
 *       sequence from {@code inForce} and complete them outside the lock, in sequence order, on the
 *       same thread; loop. Appends go on during a force and form the next batch, which the forcer
 *       takes as soon as it is done: no other thread sits between an append and its force. A force
 *       that started after a record was written covers it, whichever force finishes first.</li>
 *   <li>ASYNC: no force on the append path; {@code wal-async-flush} forces every
 *       {@code asyncFlushInterval}.</li>
 * </ul>
 * Guarded by {@link #lock}: the appender, the codec, {@code lastSeq}, the cycle channels,
 * {@code waiting}, {@code inForce}, {@code forcesInFlight}, {@code closed}. {@code durableSeq} is atomic.
 * Background threads catch, log and continue.
 */
public final class ChronicleWal extends ChronicleWalReader implements Wal {
    private static final long SPACE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** The file system's free bytes when last read, and when (under the lock). */
    private long freeBytes = Long.MAX_VALUE;
    private long spaceCheckedAt;
    private static final Logger log = LoggerFactory.getLogger(ChronicleWal.class);

    private final WalConfig config;
    private final Clock clock;
    private final WalDirectory.WriterLock dirLock;
    private final GroupCommitPolicy policy;
    private final WalMetrics metrics;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition batchReady = lock.newCondition();
    private final ExcerptAppender appender;
    private final RecordCodec codec = new RecordCodec();
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private final ArrayDeque<Pending> inForce = new ArrayDeque<>();
    private int forcesInFlight;
    private long lastSeq;
    private int currentCycle = Integer.MIN_VALUE;
    private FileChannel currentChannel;
    private FileChannel previousChannel;
    private boolean closed;
    /** The gaps between cycle files as found at open, after any salvage; later gaps only come from {@link #appendAt}. */
    private final List<WalGap> gapsAtOpen;

    private final AtomicLong durableSeq = new AtomicLong();
    private final Object retentionLock = new Object();
    private final List<Thread> forcers = new ArrayList<>();
    private final ScheduledExecutorService flusher;

    private record Pending(long seq, long arrivalNanos, CompletableFuture<Long> future) {
    }

    private ChronicleWal(Path dir, SingleChronicleQueue queue, RollCycle rc, WalConfig config, Clock clock,
                         WalDirectory.WriterLock dirLock, WalMetrics metrics, long lastSeq, List<WalGap> gaps) {
        super(dir, queue, rc, false);
        this.gapsAtOpen = List.copyOf(gaps);
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.dirLock = dirLock;
        this.policy = new GroupCommitPolicy(config.groupMaxBatch(), config.groupMaxDelay().toNanos());
        this.lastSeq = lastSeq;
        this.durableSeq.set(lastSeq);
        this.appender = queue.createAppender();
        this.appender.singleThreadedCheckDisabled(true);
        if (config.durability() == Durability.GROUP) {
            for (int k = 1; k <= config.groupForcers(); k++) {
                Thread t = new Thread(this::forceLoop, "wal-group-force-" + k);
                t.setDaemon(true);
                forcers.add(t);
            }
            forcers.forEach(Thread::start);
        }
        if (config.durability() == Durability.ASYNC) {
            flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "wal-async-flush");
                t.setDaemon(true);
                return t;
            });
            long every = config.asyncFlushInterval().toNanos();
            flusher.scheduleWithFixedDelay(this::flushQuietly, every, every, TimeUnit.NANOSECONDS);
        } else {
            flusher = null;
        }
    }

    public static ChronicleWal open(Path directory, WalConfig config, Clock clock, WalMetrics metrics) {
        java.util.Objects.requireNonNull(metrics, "metrics");
        Path dir = directory.toAbsolutePath().normalize();
        WalDirectory.WriterLock dirLock = WalDirectory.lockForWrite(dir, config.rollCycle());
        SingleChronicleQueue queue = null;
        try {
            if (!dirLock.rollCycle.equals(config.rollCycle())) {
                log.warn("{} was created with wal.rollCycle={}; keeping it (configured: {})", dir, dirLock.rollCycle, config.rollCycle());
            }
            RollCycle rc = RollCycleNames.resolve(dirLock.rollCycle);
            SingleChronicleQueueBuilder builder = queueBuilder(dir, rc, clock);
            queue = buildRebuildingDamagedMetadata(dir, builder, () -> queueBuilder(dir, rc, clock), clock);
            if (builder.readOnly()) {
                throw new WalException(Reason.IO, "Chronicle opened " + dir + " read-only: the JVM lacks the flags "
                        + "Chronicle Queue needs on JDK 17 (--add-opens/--add-exports, see shared/STACK.md)");
            }
            java.util.function.Supplier<SingleChronicleQueue> reopen = () -> queueBuilder(dir, rc, clock).build();
            List<CycleFiles.Span> spans = CycleFiles.read(queue, rc, false);
            if (spans.stream().anyMatch(sp -> !sp.intact())) {
                queue = CycleSalvage.olderCycles(dir, queue, rc, spans, reopen, clock);
                spans = CycleFiles.read(queue, rc, false);
                if (spans.stream().anyMatch(sp -> !sp.intact())) {
                    throw new WalException(Reason.IO, dir + ": a cycle file is still cut or damaged after its salvage: move "
                            + "the cycle files that are not whole aside to open the log (their records are lost)");
                }
            }
            long last = findLastSequence(queue, rc);
            if (last < 0) {
                queue = CycleSalvage.newestCycle(dir, queue, reopen, clock);
                last = findLastSequence(queue, rc);
                if (last < 0) {
                    throw new WalException(Reason.IO, dir + ": a cycle file is still damaged after moving the cut one aside");
                }
                spans = CycleFiles.read(queue, rc, false);
            }
            List<WalGap> gaps = CycleFiles.gaps(spans, dir);
            for (WalGap g : gaps) {
                log.warn("{}: seq {}..{} are not in the log: {}", dir, g.from(), g.to(), g.what());
            }
            ChronicleWal wal = new ChronicleWal(dir, queue, rc, config, clock, dirLock, metrics, last, gaps);
            log.debug("opened WAL {} ({}), last sequence {}", dir, config.durability(), wal.lastSeq);
            return wal;
        } catch (RuntimeException | Error e) {
            if (queue != null) {
                queue.close();
            }
            dirLock.close();
            if (e instanceof WalException) {
                throw e;
            }
            throw new WalException(Reason.IO, "cannot open WAL " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The sequence of the last complete, valid record, reading backwards from the end; when that read
     * faults (a cycle file cut short inside its records is mapped beyond its end), by reading forwards
     * up to the damage instead.
     */
    private static long findLastSequence(SingleChronicleQueue queue, RollCycle rc) {
        long backwards;
        boolean faulted = false;
        try {
            backwards = findLastSequenceBackwards(queue);
        } catch (RuntimeException | InternalError | AssertionError e) {
            if (!RecordTailer.isFault(e)) {
                throw e;
            }
            faulted = true;
            // AssertionError: Chronicle's own asserts (tests run with -ea) trip over a cut file where production only faults or stops.
            log.error("{}: reading the log backwards from its end faulted ({}): a cycle file is damaged or cut short; "
                    + "reading it forwards up to the damage", queue.fileAbsolutePath(), e.getMessage());
            backwards = 0;
        }
        // Checked forwards: on a cycle file cut short, the backward read may stop early without a fault
        // (seen: seq 1 of 5 650 records, 323 of them still readable). Normally this reads one record.
        long last = backwards;
        boolean cut;
        try (ChronicleCursor c = new ChronicleCursor(queue, rc, Math.max(1, backwards), false)) {
            for (WalRecord r = c.next(); r != null; r = c.next()) {
                last = r.sequence();
            }
            cut = c.cutShort();
        }
        long shortBy = cutShortBy(queue);
        if (shortBy > 0) {
            log.error("{}: the newest cycle file is {} bytes shorter than where Chronicle would write next: it was cut",
                    queue.fileAbsolutePath(), shortBy);
            cut = true;
        }
        if (last != backwards || cut || faulted) {
            log.error("{}: the log's end read backwards was seq {}, but it reads forwards up to seq {}{}: a cycle file is "
                    + "damaged or cut short", queue.fileAbsolutePath(), backwards, last, cut ? " and then faults" : "");
            return -1;
        }
        return last;
    }

    /**
     * Builds the queue. Chronicle keeps a small table store, {@code metadata.cq4t} (its lock and the
     * last cycle); when that file is garbled, Chronicle fails to "claim the exclusive lock" on it, which
     * reads like another process holding the log. This writer already holds the directory's lock, so it
     * is damage: the table is moved aside ({@code metadata.cq4t.damaged-MILLIS}) and Chronicle builds a
     * new one from the cycle files, once.
     */
    private static SingleChronicleQueue buildRebuildingDamagedMetadata(Path dir, SingleChronicleQueueBuilder builder,
            java.util.function.Supplier<SingleChronicleQueueBuilder> again, Clock clock) {
        try {
            return builder.build();
        } catch (RuntimeException e) {
            Path metadata = dir.resolve("metadata.cq4t");
            if (!Files.exists(metadata) || String.valueOf(e.getMessage()).indexOf("metadata.cq4t") < 0) {
                throw e;
            }
            Path aside = dir.resolve("metadata.cq4t.damaged-" + clock.millis());
            try {
                Files.move(metadata, aside);
            } catch (IOException moveFailed) {
                throw new WalException(Reason.IO, dir + ": metadata.cq4t is damaged (" + e.getMessage()
                        + ") and cannot be moved aside: " + moveFailed.getMessage(), e);
            }
            log.error("{}: Chronicle cannot use metadata.cq4t ({}): moved it aside to {} and rebuilding it from the cycle files",
                    dir, e.getMessage(), aside.getFileName());
            return again.get().build();
        }
    }

    /**
     * How many bytes the newest cycle file lacks up to the position its header says the next record goes
     * to (0 when none): a file cut cleanly between records reads as a log that just ends there, and only
     * this tells that an append would land beyond the cut, where no reader gets.
     */
    private static long cutShortBy(SingleChronicleQueue queue) {
        int cycle = queue.lastCycle();
        if (cycle == Integer.MIN_VALUE) {
            return 0;
        }
        net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            return 0;
        }
        try {
            return Math.max(0, store.writePosition() - store.file().length());
        } catch (RuntimeException | InternalError | AssertionError e) {
            return 1; // its header cannot even be read: cut, or damaged
        } finally {
            queue.closeStore(store);
        }
    }

    private static long findLastSequenceBackwards(SingleChronicleQueue queue) {
        RecordCodec codec = new RecordCodec();
        ExcerptTailer t = queue.createTailer();
        try {
            t.direction(TailerDirection.BACKWARD).toEnd();
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        return 0;
                    }
                    if (!dc.isData()) {
                        continue;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    int len = (int) b.readRemaining();
                    b.read(codec.buffer(len), 0, len);
                    WalRecord r = codec.decode(len);
                    if (r != null) {
                        return r.sequence();
                    }
                    log.warn("ignoring corrupt record at the end of {} (index {})", queue.fileAbsolutePath(), Long.toHexString(dc.index()));
                }
            }
        } finally {
            t.close();
        }
    }

    @Override
    public AppendTicket append(String type, String instance, String version, byte[] payload) {
        return append(0, type, instance, version, payload);
    }

    @Override
    public AppendTicket appendAt(long sequence, String type, String instance, String version, byte[] payload) {
        if (sequence < 1) {
            throw new WalException(Reason.INVALID, "a record's sequence must be >= 1, but was " + sequence);
        }
        return append(sequence, type, instance, version, payload);
    }

    /** Appends at {@code at}, or after the last record when {@code at} is 0. */
    private AppendTicket append(long at, String type, String instance, String version, byte[] payload) {
        byte[] t;
        byte[] i;
        byte[] v;
        try {
            t = RecordCodec.tag("type", type, true);
            i = RecordCodec.tag("instance", instance, false);
            v = RecordCodec.tag("version", version, false);
        } catch (IllegalArgumentException e) {
            throw new WalException(Reason.INVALID, e.getMessage());
        }
        if (payload == null) {
            throw new WalException(Reason.INVALID, "payload must not be null");
        }
        if (payload.length > config.maxPayloadBytes()) {
            throw new WalException(Reason.INVALID, "payload of " + payload.length + " bytes exceeds wal.maxPayloadBytes=" + config.maxPayloadBytes());
        }
        long seq;
        CompletableFuture<Long> future = null;
        lock.lock();
        try {
            if (closed) {
                throw new WalException(Reason.CLOSED, "the WAL in " + directory + " is closed");
            }
            if (at != 0 && at <= lastSeq) {
                throw new WalException(Reason.INVALID, "cannot append at sequence " + at + ": the log is at " + lastSeq);
            }
            checkSpace();
            seq = at != 0 ? at : lastSeq + 1;
            int len = RecordCodec.encodedLength(t, i, v, payload);
            byte[] buf = codec.encode(seq, micros(clock.instant()), t, i, v, payload);
            try (DocumentContext dc = appender.writingDocument()) {
                try {
                    dc.wire().bytes().write(buf, 0, len);
                } catch (RuntimeException | InternalError e) {
                    dc.rollbackOnClose();
                    throw e;
                }
            } catch (RuntimeException e) {
                throw new WalException(Reason.IO, "cannot append to " + directory + ": " + e.getMessage(), e);
            } catch (InternalError e) {
                // A write into a mapped page the file system could not back (a full disk): the JVM turns the
                // SIGBUS into this. The record is rolled back; the free-space check should have come first.
                spaceCheckedAt = 0;
                throw new WalException(Reason.NO_SPACE, "cannot append to " + directory + ": a write into the mapped "
                        + "cycle file faulted (" + e.getMessage() + "); is its file system full?", e);
            }
            lastSeq = seq;
            trackCycle();
            if (!forcers.isEmpty()) {
                future = new CompletableFuture<>();
                waiting.addLast(new Pending(seq, System.nanoTime(), future));
                // Wake an idle forcer only when its decision can change: the first waiting record (force now if the
                // disk is idle, else start the maxDelay clock) or a full batch. Busy forcers look again when done.
                if (forcesInFlight < config.groupForcers() && (waiting.size() == 1 || waiting.size() == config.groupMaxBatch())) {
                    batchReady.signal();
                }
            }
        } finally {
            lock.unlock();
        }
        if (future != null) {
            return new AppendTicket(seq, future);
        }
        if (config.durability() == Durability.SYNC) {
            syncTo(seq);
        }
        return AppendTicket.completed(seq);
    }

    /**
     * Under the lock: refuses the append while the file system has less than {@code minFreeBytes} free.
     * The free space is read again at most every {@link #SPACE_CHECK_NANOS} (a statfs each append
     * would cost a system call per request), and at every append while it is low.
     */
    private void checkSpace() {
        long min = config.minFreeBytes();
        if (min == 0) {
            return;
        }
        long now = System.nanoTime();
        if (spaceCheckedAt != 0 && now - spaceCheckedAt < SPACE_CHECK_NANOS && freeBytes >= min) {
            return;
        }
        try {
            freeBytes = java.nio.file.Files.getFileStore(directory).getUsableSpace();
        } catch (java.io.IOException e) {
            freeBytes = Long.MAX_VALUE; // cannot tell: do not refuse for that
        }
        spaceCheckedAt = now;
        if (freeBytes < min) {
            throw new WalException(Reason.NO_SPACE, "the disk of " + directory + " has " + (freeBytes >> 20)
                    + " MB free, less than wal.minFreeBytes (" + (min >> 20) + " MB): requests are refused until there is room");
        }
    }

    private static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000L);
    }

    /** Under the lock: notices a new cycle file, forces the finished one, and makes the new name durable. */
    private void trackCycle() {
        int c = appender.cycle();
        if (c == currentCycle) {
            return;
        }
        try {
            FileChannel old = currentChannel;
            if (old != null) {
                old.force(false);
            }
            if (previousChannel != null) {
                previousChannel.close();
            }
            previousChannel = old;
            File f = appender.currentFile();
            currentChannel = FileChannel.open(f.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE);
            WalDirectory.forceDirectory(directory);
            currentCycle = c;
        } catch (IOException e) {
            throw new WalException(Reason.IO, "cannot force cycle files of " + directory + ": " + e.getMessage(), e);
        }
    }

    /** SYNC: makes everything up to {@code seq} durable, sharing a force that started after our write. */
    private void syncTo(long seq) {
        if (durableSeq.get() >= seq) {
            return;
        }
        forceWritten();
    }

    /** Snapshots (last sequence, current file) under the lock, forces outside it. */
    private void forceWritten() {
        long target;
        FileChannel ch;
        lock.lock();
        try {
            target = lastSeq;
            ch = currentChannel;
        } finally {
            lock.unlock();
        }
        long t0 = System.nanoTime();
        force(ch);
        long t1 = System.nanoTime();
        durableSeq.accumulateAndGet(target, Math::max);
        metrics.forced(config.durability(), 0, 0, t1 - t0, 0);
    }

    private void force(FileChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.force(false);
        } catch (ClosedChannelException e) {
            // Closed by a later cycle roll, which forced this file before closing it.
        } catch (IOException e) {
            throw new WalException(Reason.IO, "cannot force " + directory + " to disk: " + e.getMessage(), e);
        }
    }

    /** One batch handed to a forcer: everything written up to {@code target}, in the file {@code channel}. */
    private record Batch(long target, FileChannel channel, int records, long oldestArrivalNanos) {
    }

    /**
     * A {@code wal-group-force-N} thread: takes the waiting records as one batch, forces, completes their
     * tickets, and loops straight into the next batch, which accumulated during the force (no hand-off to
     * another thread on the way). Ends when the log is closed and nothing waits.
     */
    private void forceLoop() {
        while (true) {
            try {
                Batch b = nextBatch();
                if (b == null) {
                    return;
                }
                groupForce(b);
            } catch (InterruptedException e) {
                log.warn("{} interrupted; continuing until the WAL is closed", Thread.currentThread().getName());
            } catch (RuntimeException | Error e) {
                log.error("group force loop failed; continuing", e);
            }
        }
    }

    /** Under the lock: waits until the policy says force, then moves {@code waiting} to {@code inForce}; null once closed and drained. */
    private Batch nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                Pending oldest = waiting.peekFirst();
                if (oldest == null) {
                    if (closed) {
                        return null;
                    }
                    batchReady.await();
                    continue;
                }
                if (forcesInFlight >= config.groupForcers()) {
                    batchReady.await();
                    continue;
                }
                long wait = closed ? 0 : policy.nanosToWait(waiting.size(), oldest.arrivalNanos(), System.nanoTime(), forcesInFlight);
                if (wait <= 0) {
                    break;
                }
                batchReady.awaitNanos(wait);
            }
            Batch b = new Batch(lastSeq, currentChannel, waiting.size(), waiting.peekFirst().arrivalNanos());
            inForce.addAll(waiting);
            waiting.clear();
            forcesInFlight++;
            return b;
        } finally {
            lock.unlock();
        }
    }

    /** On a forcer thread: one force, then completes (on this thread) the tickets it made durable. */
    private void groupForce(Batch b) {
        WalException failure = null;
        long t0 = System.nanoTime();
        try {
            force(b.channel());
        } catch (RuntimeException e) {
            failure = e instanceof WalException w ? w : new WalException(Reason.IO, "force failed: " + e, e);
            log.error("group commit force failed; failing tickets up to {}", b.target(), e);
        }
        long t1 = System.nanoTime();
        List<Pending> done = new ArrayList<>();
        lock.lock();
        try {
            forcesInFlight--;
            long upTo = failure == null ? durableSeq.accumulateAndGet(b.target(), Math::max) : b.target();
            while (!inForce.isEmpty() && inForce.peekFirst().seq() <= upTo) {
                done.add(inForce.pollFirst());
            }
            if (closed) {
                batchReady.signalAll();
            }
        } finally {
            lock.unlock();
        }
        for (Pending p : done) {
            if (failure == null) {
                p.future().complete(p.seq());
            } else {
                p.future().completeExceptionally(failure);
            }
        }
        metrics.forced(Durability.GROUP, done.size(), t0 - b.oldestArrivalNanos(), t1 - t0, System.nanoTime() - t1);
    }

    private void flushQuietly() {
        try {
            forceWritten();
        } catch (RuntimeException e) {
            log.error("periodic force of {} failed; will retry", directory, e);
        }
    }

    @Override
    public long lastSequence() {
        lock.lock();
        try {
            return lastSeq;
        } finally {
            lock.unlock();
        }
    }

    /** As found at open (the writer's own jumps since, {@link #appendAt}, are its caller's to know). */
    @Override
    public List<WalGap> gaps() {
        return gapsAtOpen;
    }

    @Override
    public long durableSequence() {
        return durableSeq.get();
    }

    @Override
    public WalConfig config() {
        return config;
    }

    @Override
    public int retainAfter(long coveredSequence) {
        checkOpen();
        synchronized (retentionLock) {
            // Decide: first sequence and file of every cycle, read with a tailer on this thread.
            List<Integer> cycles = new ArrayList<>();
            List<Long> firstSeqs = new ArrayList<>();
            List<File> files = new ArrayList<>();
            ExcerptTailer t = queue.createTailer();
            RecordCodec c = new RecordCodec();
            try {
                int first = queue.firstCycle();
                int last = queue.lastCycle();
                if (first > last) {
                    return 0;
                }
                NavigableSet<Long> all = queue.listCyclesBetween(first, last);
                for (Long cycle : all) {
                    if (!t.moveToCycle(cycle.intValue())) {
                        continue;
                    }
                    Long firstSeq = null;
                    while (firstSeq == null) {
                        try (DocumentContext dc = t.readingDocument()) {
                            if (!dc.isPresent() || t.cycle() != cycle.intValue()) {
                                break;
                            }
                            Bytes<?> b = dc.wire().bytes();
                            int len = (int) b.readRemaining();
                            b.read(c.buffer(len), 0, len);
                            WalRecord r = c.decode(len);
                            if (r != null) {
                                firstSeq = r.sequence();
                            }
                        }
                    }
                    if (firstSeq != null) {
                        cycles.add(cycle.intValue());
                        firstSeqs.add(firstSeq);
                        files.add(t.currentFile());
                    }
                }
            } finally {
                t.close();
            }
            int writing;
            lock.lock();
            try {
                writing = currentCycle;
            } finally {
                lock.unlock();
            }
            int deletable = cycles.size() - config.retentionMinCycles();
            List<File> delete = new ArrayList<>();
            for (int k = 0; k < deletable && k + 1 < cycles.size(); k++) {
                long lastSeqInCycle = firstSeqs.get(k + 1) - 1;
                if (lastSeqInCycle > coveredSequence || cycles.get(k) == writing || files.get(k) == null) {
                    break;
                }
                delete.add(files.get(k));
            }
            // Act: delete outside the write lock; appends only touch the current cycle file.
            int deleted = 0;
            for (File f : delete) {
                try {
                    Files.deleteIfExists(f.toPath());
                    deleted++;
                    log.info("retention: deleted {} (records up to {} are covered by a checkpoint)", f.getName(), coveredSequence);
                } catch (IOException e) {
                    log.warn("retention: cannot delete {}: {}", f, e.getMessage());
                }
            }
            if (deleted > 0) {
                queue.refreshDirectoryListing();
            }
            return deleted;
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            batchReady.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            for (Thread t : forcers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            if (flusher != null) {
                flusher.shutdownNow();
                flusher.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            forceWritten();
        } catch (WalException e) {
            log.error("final force of {} failed", directory, e);
        }
        closeTails();
        lock.lock();
        try {
            appender.close();
            closeQuietly(currentChannel);
            closeQuietly(previousChannel);
        } finally {
            lock.unlock();
        }
        queue.close();
        dirLock.close();
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
    }
}
