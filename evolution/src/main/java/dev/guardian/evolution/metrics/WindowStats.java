package dev.guardian.evolution.metrics;

import java.time.Duration;
import java.util.Objects;

/**
 * What one instance did during one observation window: the numbers the judge compares and a proof
 * shows. Produced by a metric window (which also keeps the raw latency samples for statistical
 * tests); immutable.
 *
 * @param requests          requests the instance answered or failed in the window (replays excluded)
 * @param errors            answers with {@code ok: false}
 * @param timeouts          requests that got no answer within the request timeout
 * @param shed              requests never delivered because the instance's queue was full (shadows)
 * @param latencyP50Ms      answer latency percentiles, milliseconds (NaN when there is no sample)
 * @param throughputPerSec  answered requests per second over {@code span}
 * @param rssStartBytes     resident set size at the window's start (0 when unknown)
 * @param rssEndBytes       resident set size at the window's end (0 when unknown)
 * @param cpuSeconds        CPU time used in the window (user + system)
 * @param restarts          times the instance was restarted in the window
 * @param protocolErrors    malformed or unexpected lines from the instance
 * @param consecutiveFailures the longest run of failed requests (error or timeout) in the window
 * @param span              how long the window has been open
 */
public record WindowStats(long requests, long errors, long timeouts, long shed,
                          double latencyP50Ms, double latencyP95Ms, double latencyP99Ms,
                          double throughputPerSec, long rssStartBytes, long rssEndBytes, double cpuSeconds,
                          long restarts, long protocolErrors, long consecutiveFailures, Duration span) {

    public WindowStats {
        Objects.requireNonNull(span, "span");
    }

    /** Failed requests (errors + timeouts) over all requests; 0 when there were none. */
    public double errorRate() {
        return requests == 0 ? 0.0 : (double) (errors + timeouts) / requests;
    }

    /** 1 − error rate. */
    public double successRate() {
        return 1.0 - errorRate();
    }

    /** RSS growth over the window in bytes (negative when it shrank). */
    public long rssGrowthBytes() {
        return rssEndBytes - rssStartBytes;
    }
}
