package dev.guardian.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The newest requests the primary took, shared by every follower (shadows, canaries, controls): each
 * follower keeps only a cursor into it, and a follower whose cursor falls too far behind sheds the
 * requests it skips.
 *
 * <p>Why not a queue per follower: that cost an entry and a queue node per request per follower, made
 * on the primary's request thread under its sequencer lock. With 50 shadow rollouts (100 followers)
 * at their bound of 1 000, that was 200 000 small objects (6.6 MB) alive at any time, which young GC
 * copied at every collection, and those pauses stop the primary too. Here a request costs one entry
 * however many follow it.
 *
 * <p>One writer (the primary, under its sequencer lock, in sequence order), any number of readers.
 * Entries are numbered by their own index (1, 2, 3, ...): request sequences have gaps, since
 * responses and other records share the log's numbering.
 */
final class MirrorRing {

    /** One request as the followers see it. */
    record Entry(long index, long seq, String id, JsonNode payload, CompletableFuture<Outcome> primary) {
    }

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;
    /** The index of the newest entry (0: none yet); written after its slot. */
    private volatile long newest;

    /** Holds at least {@code minCapacity} entries (rounded up to a power of two). */
    MirrorRing(int minCapacity) {
        int capacity = Integer.highestOneBit(Math.max(2, minCapacity) - 1) << 1;
        this.slots = new AtomicReferenceArray<>(capacity);
        this.mask = capacity - 1;
    }

    /** The entry the next request gets, not yet visible to readers (one writer at a time). */
    Entry next(long seq, String id, JsonNode payload, CompletableFuture<Outcome> primary) {
        return new Entry(newest + 1, seq, id, payload, primary);
    }

    /** Makes the entry from {@link #next} visible. */
    void publish(Entry e) {
        if (e.index() != newest + 1) {
            throw new IllegalStateException("entry " + e.index() + " published after " + newest);
        }
        slots.set((int) (e.index() & mask), e);
        newest = e.index();
    }

    /** The index of the newest entry; 0 before the first. */
    long newest() {
        return newest;
    }

    /** The entry at {@code index}, or null when it is not there yet or was overwritten by a newer one. */
    Entry get(long index) {
        Entry e = slots.get((int) (index & mask));
        return e != null && e.index() == index ? e : null;
    }

    /**
     * Lets go of every entry (their payloads and answers), once no follower reads the ring: otherwise the
     * last requests before the last rollout ended would stay in memory until the next one. Indexes go on.
     */
    void clear() {
        for (int i = 0; i < slots.length(); i++) {
            slots.set(i, null);
        }
    }

    int capacity() {
        return mask + 1;
    }
}
