package dev.guardian.instance;

import org.HdrHistogram.Histogram;

/**
 * Answer latencies of one instance since it started, in milliseconds: from the request's hand-off
 * to the instance until its response was read.
 */
public record LatencySummary(long count, double p50Ms, double p95Ms, double p99Ms, double maxMs) {

    public static final LatencySummary NONE = new LatencySummary(0, 0, 0, 0, 0);

    /** Summarizes a histogram of nanoseconds. */
    public static LatencySummary of(Histogram nanos) {
        if (nanos.getTotalCount() == 0) {
            return NONE;
        }
        return new LatencySummary(nanos.getTotalCount(), ms(nanos.getValueAtPercentile(50)),
                ms(nanos.getValueAtPercentile(95)), ms(nanos.getValueAtPercentile(99)), ms(nanos.getMaxValue()));
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
