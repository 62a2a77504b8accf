package dev.guardian.daemon.idempotency;

import dev.guardian.daemon.idempotency.internal.KeyJournal;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which idempotency keys were seen, for how long: key → the request's sequence, a hash of its
 * payload, and what became of it (answered, poison, or not known). Bounded by {@link Window}: a key
 * is remembered for {@code window.time()} after its request and at most {@code window.keys()} keys
 * are kept (the oldest go first), independent of checkpoint and WAL retention.
 *
 * <p><b>Durability.</b> Every keyed event (request logged, answer, poison) is also appended to a
 * {@link KeyJournal} in the background, in batches fsynced about once a second, each ending with a
 * mark of the WAL sequence it covers. The WAL is the source of truth until then: the caller keeps
 * the WAL from {@link #coveredSeq()} on, and a restart loads the journal and then reads the WAL after
 * the last mark ({@link #replay}). A key's answer is kept in memory until it is in the journal, then
 * read back from there when a retry asks for it: memory holds keys, not answers.
 *
 * <p><b>Threading.</b> The map is guarded by this object's lock (callers may hold their own lock
 * around a lookup and an insert). The journal is written by one thread, {@link #flush}'s caller.
 * The caller's {@code coverage} supplier must return a WAL sequence such that every keyed event
 * appended to the WAL up to it has already been given to this index.
 */
public final class IdempotencyIndex implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IdempotencyIndex.class);
    private static final long SEGMENT_BYTES = 64L << 20;

    /** How long, and how many, keys are remembered. */
    public record Window(Duration time, long keys) {
        public Window {
            if (time == null || time.isNegative() || time.isZero()) {
                throw new IllegalArgumentException("idempotency.window.time must be > 0, but was " + time);
            }
            if (keys < 1) {
                throw new IllegalArgumentException("idempotency.window.keys must be >= 1, but was " + keys);
            }
        }

        /** 24 hours, a million keys. */
        public static Window ofDefaults() {
            return new Window(Duration.ofHours(24), 1_000_000);
        }
    }

    /** What became of a keyed request. */
    public enum State { LOGGED, ANSWERED, POISON }

    /**
     * A remembered key. {@code answer} is the live answer while it is only in memory; once the
     * journal has it, {@code ref} locates it there and {@code answer} is dropped.
     */
    public static final class Entry {
        final String key;
        final long seq;
        final long payloadHash;
        final long timeMillis;
        volatile State state;
        volatile CompletableFuture<?> answer;
        volatile long ref = -1;
        volatile String poisonReason;

        Entry(String key, long seq, long payloadHash, long timeMillis, CompletableFuture<?> answer) {
            this.key = key;
            this.seq = seq;
            this.payloadHash = payloadHash;
            this.timeMillis = timeMillis;
            this.answer = answer;
            this.state = State.LOGGED;
        }

        public String key() {
            return key;
        }

        public long seq() {
            return seq;
        }

        /** 0 when unknown (logged by a Guardian that did not hash payloads). */
        public long payloadHash() {
            return payloadHash;
        }

        public State state() {
            return state;
        }

        /** The answer while it is still in memory, else null. */
        public CompletableFuture<?> liveAnswer() {
            return answer;
        }

        public String poisonReason() {
            return poisonReason;
        }
    }

    private record Pending(KeyJournal.Kind kind, long walSeq, Entry entry, byte[] data) {
    }

    private final Window window;
    private final KeyJournal journal;
    private final LinkedHashMap<String, Entry> keys;
    /** Events for the journal, in the order they were given (guarded by {@code this}). */
    private List<Pending> pending = new ArrayList<>();
    private final long coveredAtOpen;
    /** The sequence of the last mark written (flusher thread). */
    private long lastMarked = -1;

    private IdempotencyIndex(Window window, KeyJournal journal, long coveredAtOpen, LinkedHashMap<String, Entry> keys) {
        this.window = window;
        this.keys = keys;
        this.journal = journal;
        this.coveredAtOpen = coveredAtOpen;
    }

    /** Opens the journal in {@code dir} and loads the keys still inside the window at {@code nowMillis}. */
    public static IdempotencyIndex open(Path dir, Window window, long nowMillis) throws IOException {
        LinkedHashMap<String, Entry> loaded = new LinkedHashMap<>(1024, 0.75f, false);
        long oldest = nowMillis - window.time().toMillis();
        KeyJournal journal = KeyJournal.open(dir, SEGMENT_BYTES, e -> {
            switch (e.kind()) {
                case REQUEST -> {
                    if (e.timeMillis() >= oldest) {
                        Entry k = new Entry(e.key(), e.requestSeq(), e.payloadHash(), e.timeMillis(), null);
                        if (loaded.put(e.key(), k) != null) {
                            loaded.remove(e.key()); // a key used again: insertion order stays request order
                            loaded.put(e.key(), k);
                        }
                    }
                }
                case ANSWER, POISON -> {
                    Entry k = loaded.get(e.key());
                    if (k != null && k.seq == e.requestSeq()) {
                        k.state = e.kind() == KeyJournal.Kind.ANSWER ? State.ANSWERED : State.POISON;
                        k.ref = e.ref();
                        if (e.kind() == KeyJournal.Kind.POISON) {
                            k.poisonReason = new String(e.data(), java.nio.charset.StandardCharsets.UTF_8);
                        }
                    }
                }
                default -> {
                }
            }
        });
        IdempotencyIndex index = new IdempotencyIndex(window, journal, journal.loaded().coveredSeq(), loaded);
        synchronized (index) {
            index.evictOverCount();
        }
        LOG.info("idempotency keys: {} loaded from the journal ({} records, covers the log up to seq {}); window {}, {} keys",
                index.keys.size(), journal.loaded().records(), index.coveredAtOpen, window.time(), window.keys());
        return index;
    }

    /** The WAL sequence up to which the journal had every keyed event when it was opened. */
    public long coveredAtOpen() {
        return coveredAtOpen;
    }

    /** The key's entry, or null when it was never seen or has left the window. */
    public synchronized Entry get(String key, long nowMillis) {
        Entry e = keys.get(key);
        if (e != null && e.timeMillis < nowMillis - window.time().toMillis()) {
            keys.remove(key);
            return null;
        }
        return e;
    }

    /** A keyed request was appended to the WAL as {@code seq}; {@code answer} is its live answer. */
    public synchronized Entry logged(String key, long seq, long payloadHash, long timeMillis, CompletableFuture<?> answer) {
        Entry e = new Entry(key, seq, payloadHash, timeMillis, answer);
        keys.remove(key);
        keys.put(key, e);
        evictOverCount();
        pending.add(new Pending(KeyJournal.Kind.REQUEST, seq, e, null));
        return e;
    }

    /**
     * The request {@code seq} of {@code key} was answered; {@code walSeq} is the response record's
     * sequence and {@code answer} its JSON. Unknown or replaced keys are ignored.
     */
    public synchronized void answered(String key, long seq, long walSeq, byte[] answer, CompletableFuture<?> live) {
        Entry e = keys.get(key);
        if (e == null || e.seq != seq) {
            return;
        }
        e.state = State.ANSWERED;
        if (live != null && e.answer == null) {
            e.answer = live;
        }
        pending.add(new Pending(KeyJournal.Kind.ANSWER, walSeq, e, answer));
    }

    /** The request {@code seq} of {@code key} was set aside as poison (logged as WAL record {@code walSeq}). */
    public synchronized void poisoned(String key, long seq, long walSeq, String reason) {
        Entry e = keys.get(key);
        if (e == null || e.seq != seq) {
            return;
        }
        e.state = State.POISON;
        e.poisonReason = reason;
        pending.add(new Pending(KeyJournal.Kind.POISON, walSeq, e,
                reason.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * A keyed request read back from the WAL at a restart. An entry for the same request (loaded from
     * the journal) is kept as it is: the journal may already know its answer.
     */
    public synchronized void replayRequest(String key, long seq, long payloadHash, long timeMillis) {
        Entry e = keys.get(key);
        if (e != null && e.seq == seq) {
            return;
        }
        logged(key, seq, payloadHash, timeMillis, null);
    }

    /** A response record read back from the WAL at a restart; {@code live} answers retries until it is journaled. */
    public synchronized void replayAnswer(String key, long seq, long walSeq, byte[] answer, CompletableFuture<?> live) {
        Entry e = keys.get(key);
        if (e != null && e.seq == seq && e.state != State.POISON && e.ref < 0) { // journaled already: nothing to add
            answered(key, seq, walSeq, answer, live);
        }
    }

    /** A skip record read back from the WAL at a restart. */
    public synchronized void replayPoison(String key, long seq, long walSeq, String reason) {
        poisoned(key, seq, walSeq, reason);
    }

    /** The stored answer's JSON for an entry whose live answer was dropped; null when it cannot be read. */
    public byte[] storedAnswer(Entry e) {
        long ref = e.ref;
        if (ref < 0) {
            return null;
        }
        KeyJournal.Entry stored = journal.read(ref, e.key);
        return stored == null || stored.requestSeq() != e.seq ? null : stored.data();
    }

    /**
     * Writes every event up to the WAL sequence {@code coverage} gives (read after taking the events
     * that may be written) to the journal, fsyncs it with a mark of that sequence, drops the live
     * answers the journal now holds, and forgets keys that left the window. Returns the sequence now
     * covered. One thread at a time (the flusher).
     */
    public long flush(LongSupplier coverage, long nowMillis) throws IOException {
        long covered = coverage.getAsLong();
        List<Pending> batch;
        synchronized (this) {
            batch = new ArrayList<>();
            List<Pending> later = new ArrayList<>();
            for (Pending p : pending) {
                (p.walSeq() <= covered ? batch : later).add(p);
            }
            pending = later;
        }
        if (batch.isEmpty() && covered == lastMarked) {
            expire(nowMillis);
            return covered; // nothing new: an idle daemon does not fsync every second
        }
        batch.sort(java.util.Comparator.comparingLong(Pending::walSeq));
        long[] refs = new long[batch.size()];
        try {
            for (int i = 0; i < batch.size(); i++) {
                Pending p = batch.get(i);
                Entry e = p.entry();
                refs[i] = journal.append(p.kind(), p.walSeq(), e.seq, e.timeMillis, e.payloadHash, e.key, p.data());
            }
            journal.sync(covered, nowMillis);
        } catch (IOException | RuntimeException e) {
            // Not marked as covered: the whole batch goes again with the next flush (a record written twice is harmless).
            synchronized (this) {
                batch.addAll(pending);
                pending = batch;
            }
            throw e;
        }
        lastMarked = covered;
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            if (p.kind() != KeyJournal.Kind.REQUEST) {
                Entry e = p.entry();
                e.ref = refs[i]; // before the live answer goes: a reader that finds no live answer finds the ref
                e.answer = null;
            }
        }
        expire(nowMillis);
        journal.prune(nowMillis - window.time().toMillis(), window.keys());
        return covered;
    }

    /** Keys in memory. */
    public synchronized int size() {
        return keys.size();
    }

    /** Bytes of the journal on disk. */
    public long journalBytes() {
        return journal.bytes();
    }

    public Window window() {
        return window;
    }

    private synchronized void expire(long nowMillis) {
        long oldest = nowMillis - window.time().toMillis();
        Iterator<Entry> it = keys.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.timeMillis >= oldest) {
                break;
            }
            it.remove();
        }
    }

    private void evictOverCount() {
        Iterator<Entry> it = keys.values().iterator();
        while (keys.size() > window.keys() && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    @Override
    public void close() {
        journal.close();
    }
}
