package dev.guardian.evolution;

import java.time.Instant;

/**
 * Time, injected: monotonic nanoseconds for durations and windows, wall time for records. Lives
 * here, the lowest module that every time-dependent decision (rollouts, supervision) can see.
 */
public interface Clock {

    /** Monotonic nanoseconds; only differences mean anything. */
    long nanoTime();

    /** Wall-clock time, for timestamps people read. */
    Instant now();

    static Clock system() {
        return SystemClock.INSTANCE;
    }

    /** The real clock. */
    enum SystemClock implements Clock {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }
    }
}
