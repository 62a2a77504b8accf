package dev.guardian.daemon;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Front-door latency of the last minute, for {@code guardian status}: percentiles over the
 * requests answered in that window, with their count, so that an idle daemon says it has no recent
 * requests instead of showing percentiles of nothing beside a count since its start.
 *
 * <p>The window is {@value #SLICES} slices of {@link #SLICE}: the current slice and the ones before
 * it, so it covers between 50 and 60 seconds. Recording is wait-free (an HdrHistogram
 * {@link Recorder}); a slice boundary is crossed under this object's lock by the first recording
 * or snapshot after it (at most once per slice). Time comes from {@code nanoClock}.
 */
final class RecentLatency {

    static final int SLICES = 6;
    static final Duration SLICE = Duration.ofSeconds(10);
    static final Duration WINDOW = SLICE.multipliedBy(SLICES);
    private static final long LOWEST = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long HIGHEST = TimeUnit.HOURS.toNanos(1);
    private static final int DIGITS = 2;

    /** Answers counted in the window, and their percentiles in milliseconds (0 when {@code count} is 0). */
    record Window(long count, double p50Ms, double p95Ms, double p99Ms) {
    }

    private final LongSupplier nanoClock;
    private final long sliceNanos = SLICE.toNanos();
    private final Recorder recorder = new Recorder(LOWEST, HIGHEST, DIGITS);
    // Guarded by this:
    private final Histogram[] slices = new Histogram[SLICES];
    private int current;
    /** Start of the current slice (written under the lock, read without it by {@link #record}). */
    private volatile long sliceStart;

    RecentLatency(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        for (int i = 0; i < SLICES; i++) {
            slices[i] = new Histogram(LOWEST, HIGHEST, DIGITS);
        }
        sliceStart = nanoClock.getAsLong();
    }

    void record(long nanos) {
        long now = nanoClock.getAsLong();
        if (now - sliceStart >= sliceNanos) {
            advance(now);
        }
        recorder.recordValue(Math.min(HIGHEST, Math.max(LOWEST, nanos)));
    }

    synchronized Window window() {
        advance(nanoClock.getAsLong());
        slices[current].add(recorder.getIntervalHistogram());
        Histogram all = new Histogram(LOWEST, HIGHEST, DIGITS);
        for (Histogram h : slices) {
            all.add(h);
        }
        if (all.getTotalCount() == 0) {
            return new Window(0, 0, 0, 0);
        }
        return new Window(all.getTotalCount(), ms(all.getValueAtPercentile(50)), ms(all.getValueAtPercentile(95)),
                ms(all.getValueAtPercentile(99)));
    }

    /** Closes the slices that ended before {@code now}; what was recorded until now belongs to the current one. */
    private synchronized void advance(long now) {
        long ended = (now - sliceStart) / sliceNanos;
        if (ended <= 0) {
            return;
        }
        slices[current].add(recorder.getIntervalHistogram());
        for (long i = 0; i < Math.min(ended, SLICES); i++) {
            current = (current + 1) % SLICES;
            slices[current].reset();
        }
        sliceStart += ended * sliceNanos;
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1000.0) / 1000.0;
    }
}
