package dev.guardian.evolution.metrics;

import dev.guardian.evolution.Clock;
import dev.guardian.evolution.metrics.internal.Reservoir;
import java.time.Duration;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * Records what one instance (primary, shadow or canary) does during one observation window, for the
 * judge: counts, latency percentiles (HdrHistogram, 3 significant digits), a bounded seeded sample
 * of raw latencies for the statistical tests, resources, restarts, and the longest run of failures.
 *
 * <p>Threading: every method may be called from any thread. One lock guards all fields; each
 * recording does constant work under it (no I/O, no callbacks), so contention stays cheap, and a
 * {@link #snapshot()} is always consistent (it never shows an error without its request).
 *
 * <p>{@link #reset()} starts a new window (e.g. for each canary stage) on the same object, so that
 * recorders holding a reference keep working.
 */
public final class MetricWindow {

    /** Default bound on kept latency samples: enough for Mann-Whitney to see small shifts, ~80 KB. */
    public static final int DEFAULT_RESERVOIR_SIZE = 10_000;
    private static final long LATENCY_FLOOR_NANOS = 1_000;
    private static final long LATENCY_CAP_NANOS = 3_600_000_000_000L;

    /** Default reservoir seed; any fixed value makes runs reproducible. */
    public static final long DEFAULT_SEED = 0x5EED_1DEAL;

    private final Clock clock;
    /**
     * Nanoseconds, 1 µs to 1 h (longer counts as 1 h), three digits. A fixed range, allocated once:
     * an auto-resizing histogram allocated new, larger arrays each time a lagging instance's latency
     * doubled, and those outlived the young generation.
     */
    private final Histogram histogram = new Histogram(LATENCY_FLOOR_NANOS, LATENCY_CAP_NANOS, 3);
    private final Reservoir samplesMs;

    // all guarded by this
    private long startNanos;
    private long answers;
    private long errors;
    private long timeouts;
    private long shed;
    private long restarts;
    private long protocolErrors;
    private long currentFailureRun;
    private long longestFailureRun;
    private boolean resourcesSampled;
    private long rssStart;
    private long rssEnd;
    private double cpuUsed;
    private double lastCpu;

    private MetricWindow(Clock clock, int reservoirSize, long seed) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.samplesMs = new Reservoir(reservoirSize, seed);
        this.startNanos = clock.nanoTime();
    }

    /** A window that opens now, with the default reservoir. */
    public static MetricWindow open(Clock clock) {
        return new MetricWindow(clock, DEFAULT_RESERVOIR_SIZE, DEFAULT_SEED);
    }

    /** A window that opens now, keeping at most {@code reservoirSize} latency samples chosen with {@code seed}. */
    public static MetricWindow open(Clock clock, int reservoirSize, long seed) {
        if (reservoirSize < 1) {
            throw new IllegalArgumentException("reservoirSize must be >= 1, but was " + reservoirSize);
        }
        return new MetricWindow(clock, reservoirSize, seed);
    }

    /** An answer arrived after {@code latencyNanos}; {@code ok} is the answer's {@code ok} field. */
    public synchronized void recordAnswer(long latencyNanos, boolean ok) {
        if (latencyNanos < 0) {
            throw new IllegalArgumentException("latencyNanos must be >= 0, but was " + latencyNanos);
        }
        answers++;
        histogram.recordValue(Math.min(LATENCY_CAP_NANOS, latencyNanos));
        samplesMs.add(latencyNanos / 1e6);
        if (ok) {
            currentFailureRun = 0;
        } else {
            errors++;
            failed();
        }
    }

    /** A request got no answer within its timeout: a failed request without a latency. */
    public synchronized void recordTimeout() {
        timeouts++;
        failed();
    }

    /** A request was never delivered because the instance's queue was full; not counted as a request. */
    public synchronized void recordShed() {
        shed++;
    }

    /** {@code n} requests were shed at once (a follower that fell behind skips all it is over its bound). */
    public synchronized void recordShed(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be at least 0, but was " + n);
        }
        shed += n;
    }

    /** The instance was restarted (it crashed, hung, or broke a limit). */
    public synchronized void recordRestart() {
        restarts++;
    }

    /** The instance wrote a malformed or unexpected line. */
    public synchronized void recordProtocolError() {
        protocolErrors++;
    }

    /**
     * A resource sample: resident set size and the process's cumulative CPU seconds. The first sample
     * of a window is its start, the latest its end. A CPU counter that goes backwards means the
     * process was replaced (restart): its new counter counts from zero, so it is added whole.
     */
    public synchronized void sampleResources(long rssBytes, double cpuSeconds) {
        if (rssBytes < 0) {
            throw new IllegalArgumentException("rssBytes must be >= 0, but was " + rssBytes);
        }
        if (!(cpuSeconds >= 0) || Double.isInfinite(cpuSeconds)) {
            throw new IllegalArgumentException("cpuSeconds must be finite and >= 0, but was " + cpuSeconds);
        }
        if (!resourcesSampled) {
            resourcesSampled = true;
            rssStart = rssBytes;
        } else {
            cpuUsed += cpuSeconds >= lastCpu ? cpuSeconds - lastCpu : cpuSeconds;
        }
        rssEnd = rssBytes;
        lastCpu = cpuSeconds;
    }

    /** The current run of failed requests (errors and timeouts since the last ok answer). */
    public synchronized long currentConsecutiveFailures() {
        return currentFailureRun;
    }

    /** The window so far. */
    public synchronized WindowStats snapshot() {
        Duration span = Duration.ofNanos(Math.max(0, clock.nanoTime() - startNanos));
        double seconds = span.toNanos() / 1e9;
        boolean hasLatency = histogram.getTotalCount() > 0;
        return new WindowStats(
                answers + timeouts, errors, timeouts, shed,
                hasLatency ? histogram.getValueAtPercentile(50.0) / 1e6 : Double.NaN,
                hasLatency ? histogram.getValueAtPercentile(95.0) / 1e6 : Double.NaN,
                hasLatency ? histogram.getValueAtPercentile(99.0) / 1e6 : Double.NaN,
                seconds > 0 ? answers / seconds : 0.0,
                rssStart, rssEnd, cpuUsed,
                restarts, protocolErrors, longestFailureRun, span);
    }

    /**
     * Answer latencies in milliseconds for the statistical tests: every answer's while the window has
     * at most the reservoir's size of them, a uniform seeded sample after that. A copy.
     */
    public synchronized double[] latencySamplesMs() {
        return samplesMs.values();
    }

    /**
     * Starts a new window now: counters, percentiles and samples start empty. The last resource
     * sample becomes the new window's start, so RSS growth is measured across stages without a gap.
     */
    public synchronized void reset() {
        startNanos = clock.nanoTime();
        histogram.reset();
        samplesMs.clear();
        answers = errors = timeouts = shed = restarts = protocolErrors = 0;
        currentFailureRun = longestFailureRun = 0;
        rssStart = rssEnd;
        cpuUsed = 0;
    }

    private void failed() {
        currentFailureRun++;
        longestFailureRun = Math.max(longestFailureRun, currentFailureRun);
    }
}
