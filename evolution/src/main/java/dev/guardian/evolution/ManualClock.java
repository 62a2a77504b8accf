package dev.guardian.evolution;

import java.time.Duration;
import java.time.Instant;

/**
 * A clock that moves only when told to: for tests and simulations of supervision and rollouts.
 * Thread-safe.
 */
public final class ManualClock implements Clock {

    private long nanos;
    private Instant wall;

    public ManualClock(Instant start) {
        this.wall = start;
    }

    public static ManualClock at(String isoInstant) {
        return new ManualClock(Instant.parse(isoInstant));
    }

    public synchronized void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time only moves forward, but was asked to move " + d);
        }
        nanos += d.toNanos();
        wall = wall.plus(d);
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized Instant now() {
        return wall;
    }
}
