package dev.guardian.daemon;

import dev.guardian.process.CpuPriority;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread that hands the waiting requests of many followers to their agents, instead of a feeder
 * thread per follower.
 *
 * <p>Why: with a thread per follower, each request the primary took woke every follower's feeder
 * (one futex wake-up per follower, on the primary's request thread, under its sequencer lock), and
 * 50 shadows meant 50 more runnable threads competing with the primary. Here a request wakes this
 * one thread at most once, and with a {@code linger} it wakes none while the thread is busy: after
 * each pass it sleeps {@code linger} regardless of signals and then hands over everything that came
 * meanwhile, so that a follower's lines go to its stdin writer in batches (one write and flush each)
 * rather than one hand-off per request. Only followers that answer no client (shadows) should get a
 * linger: it delays their requests, never the primary's.
 *
 * <p>It never blocks on a follower: {@link Follower#drain} hands over only while the follower has
 * room in flight, and a follower whose room frees up (an answer came) signals it again.
 */
final class FollowerFeeder implements AutoCloseable {

    private final List<Follower> followers = new CopyOnWriteArrayList<>();
    private final long lingerNanos;
    private final CpuPriority priority;
    private final String name;
    /** True while the thread is parked without a deadline: the one signal that finds it so unparks it. */
    private final AtomicBoolean waiting = new AtomicBoolean();
    private volatile boolean closed;
    private Thread thread;

    /**
     * @param priority the CPU priority of the feeding thread (that of Guardian's threads for these followers)
     * @param linger   how long to gather requests after a pass (zero: hand each over as it comes)
     */
    FollowerFeeder(String name, CpuPriority priority, java.time.Duration linger) {
        this.name = name;
        this.priority = priority;
        this.lingerNanos = linger.toNanos();
    }

    /** Starts feeding {@code f} (requests may already wait for it). */
    synchronized void add(Follower f) {
        if (closed) {
            throw new IllegalStateException("the feeder is closed");
        }
        followers.add(f);
        if (thread == null) {
            thread = new Thread(this::run, name);
            thread.setDaemon(true);
            thread.start();
        }
        signal(false);
    }

    void remove(Follower f) {
        followers.remove(f);
    }

    /**
     * A follower has requests to hand over (lock-free: the primary calls it under its sequencer lock).
     *
     * @param now also cut a linger short: a client waits for the answer (a canary's share)
     */
    void signal(boolean now) {
        if (now || waiting.get() && waiting.compareAndSet(true, false)) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        if (!priority.isNormal()) {
            priority.applyToThread(CpuPriority.currentThreadId());
        }
        while (!closed) {
            boolean more = pass();
            if (closed) {
                return;
            }
            if (lingerNanos > 0 && more) {
                // Requests keep coming: gather them for a while (no signal wakes this sleep).
                LockSupport.parkNanos(this, lingerNanos);
                continue;
            }
            waiting.set(true);
            // Looked at again after announcing the wait: a request published in between either saw the
            // flag (and unparks) or is seen here.
            if (anyReady()) {
                waiting.set(false);
                continue;
            }
            LockSupport.park(this);
            waiting.set(false);
        }
    }

    /** Drains every follower once; true when any had something to hand over. */
    private boolean pass() {
        boolean any = false;
        for (Follower f : followers) {
            try {
                any |= f.drain();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(FollowerFeeder.class).error("feeding {} failed; feeding goes on", f.instanceId(), e);
            }
        }
        return any;
    }

    private boolean anyReady() {
        for (Follower f : followers) {
            if (f.ready()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (thread != null) {
            LockSupport.unpark(thread);
            try {
                thread.join(TimeUnit.SECONDS.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
