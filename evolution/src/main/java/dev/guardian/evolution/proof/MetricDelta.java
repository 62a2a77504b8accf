package dev.guardian.evolution.proof;

import dev.guardian.evolution.metrics.WindowStats;
import java.util.List;
import java.util.Objects;

/**
 * One metric of the deciding window, baseline against candidate. Derived from the verdict's
 * {@link WindowStats} for display, never stored on its own (the stats are the source of truth).
 *
 * @param metric e.g. {@code error-rate}, {@code latency-p99-ms}
 */
public record MetricDelta(String metric, double baseline, double candidate) {
    public MetricDelta {
        Objects.requireNonNull(metric, "metric");
    }

    /** candidate − baseline. */
    public double delta() {
        return candidate - baseline;
    }

    /** candidate / baseline; NaN when the baseline is 0 or unknown (no meaningful ratio). */
    public double ratio() {
        return baseline == 0.0 || Double.isNaN(baseline) ? Double.NaN : candidate / baseline;
    }

    /** Every metric a proof shows, in a fixed order. */
    public static List<MetricDelta> of(WindowStats b, WindowStats c) {
        return List.of(
                new MetricDelta("requests", b.requests(), c.requests()),
                new MetricDelta("error-rate", b.errorRate(), c.errorRate()),
                new MetricDelta("success-rate", b.successRate(), c.successRate()),
                new MetricDelta("errors", b.errors(), c.errors()),
                new MetricDelta("timeouts", b.timeouts(), c.timeouts()),
                new MetricDelta("latency-p50-ms", b.latencyP50Ms(), c.latencyP50Ms()),
                new MetricDelta("latency-p95-ms", b.latencyP95Ms(), c.latencyP95Ms()),
                new MetricDelta("latency-p99-ms", b.latencyP99Ms(), c.latencyP99Ms()),
                new MetricDelta("throughput-per-sec", b.throughputPerSec(), c.throughputPerSec()),
                new MetricDelta("rss-growth-bytes", b.rssGrowthBytes(), c.rssGrowthBytes()),
                new MetricDelta("cpu-seconds", b.cpuSeconds(), c.cpuSeconds()),
                new MetricDelta("restarts", b.restarts(), c.restarts()),
                new MetricDelta("protocol-errors", b.protocolErrors(), c.protocolErrors()),
                new MetricDelta("consecutive-failures", b.consecutiveFailures(), c.consecutiveFailures()),
                new MetricDelta("shed", b.shed(), c.shed()));
    }
}
