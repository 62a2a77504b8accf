package dev.guardian.evolution.metrics.internal;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A uniform sample of at most {@code capacity} values from a stream of unknown length (Vitter's
 * algorithm R), so that a long window keeps bounded memory while the statistical tests still see an
 * unbiased sample. Seeded: the same stream gives the same sample, which makes judge runs
 * reproducible. Not thread-safe: the owning window guards it.
 */
public final class Reservoir {

    private final double[] values;
    private final long seed;
    private SplittableRandom random;
    private long seen;

    public Reservoir(int capacity, long seed) {
        if (capacity < 1) {
            throw new IllegalArgumentException("reservoir capacity must be >= 1, but was " + capacity);
        }
        this.values = new double[capacity];
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public void add(double value) {
        if (seen < values.length) {
            values[(int) seen] = value;
        } else {
            long slot = random.nextLong(seen + 1);
            if (slot < values.length) {
                values[(int) slot] = value;
            }
        }
        seen++;
    }

    /** The sampled values (a copy), in no particular order. */
    public double[] values() {
        return Arrays.copyOf(values, (int) Math.min(seen, values.length));
    }

    /** How many values were offered, sampled or not. */
    public long seen() {
        return seen;
    }

    /** Empties the reservoir and restarts its random sequence, so that each window is reproducible on its own. */
    public void clear() {
        seen = 0;
        random = new SplittableRandom(seed);
    }
}
