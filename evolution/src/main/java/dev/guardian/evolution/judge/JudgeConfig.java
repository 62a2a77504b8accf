package dev.guardian.evolution.judge;

/**
 * The judge's thresholds. Two kinds of rule use them:
 * <ul>
 *   <li><b>hard limits</b> (restarts, protocol errors, consecutive failures, memory growth, output
 *       agreement) fail a candidate as soon as they are broken — a crash is evidence on its own.
 *       Restarts, protocol errors and failure runs count against the candidate only when it also did
 *       worse than the baseline in the same window, so trouble both share (a dead dependency, a full
 *       disk) is not blamed on the candidate;</li>
 *   <li><b>statistical checks</b> (error rate, success rate, latency, throughput, CPU) need
 *       {@code minSamples} requests on both sides, otherwise they are inconclusive; error rate,
 *       success rate and latency fail only when the effect exceeds its threshold <em>and</em> a
 *       one-sided test is significant at {@code alpha}. Requiring both keeps an identical version
 *       (A/A) from failing on noise while a real regression of the configured size is caught.</li>
 * </ul>
 *
 * @param maxErrorRateIncrease    candidate error rate (errors + timeouts) may exceed the baseline's by at
 *                                most this many percentage points / 100 (0.02 = two points)
 * @param minSuccessRate          floor on the candidate's success rate, whatever the baseline does
 *                                (0 disables)
 * @param maxLatencyMultiplierP50 candidate p50 may be at most this multiple of the baseline's
 * @param maxLatencyMultiplierP95 ... p95
 * @param maxLatencyMultiplierP99 ... p99 (looser: the tail of a window is noisy)
 * @param minThroughputRatio      candidate answers/s must be at least this fraction of the baseline's
 *                                (both see the same requests, so lower means it shed or stalled)
 * @param maxCpuRatio             candidate CPU seconds may be at most this multiple of the baseline's
 * @param maxConsecutiveFailures  longest run of failed requests allowed
 * @param maxRestarts             restarts allowed in a window
 * @param maxProtocolErrors       malformed lines allowed in a window
 * @param maxMemoryGrowthBytes    RSS growth allowed beyond the baseline's growth in the same window
 * @param minAgreement            fraction of compared answers that must match (0 disables)
 * @param minSamples              requests (and latency samples, and comparisons) needed on each side
 *                                before a statistical check or the agreement check may decide
 * @param alpha                   significance level of the one-sided tests
 */
public record JudgeConfig(double maxErrorRateIncrease, double minSuccessRate,
                          double maxLatencyMultiplierP50, double maxLatencyMultiplierP95, double maxLatencyMultiplierP99,
                          double minThroughputRatio, double maxCpuRatio,
                          long maxConsecutiveFailures, long maxRestarts, long maxProtocolErrors,
                          long maxMemoryGrowthBytes, double minAgreement, int minSamples, double alpha) {

    /** Two percentage points: small enough that +10 points is caught, large enough to ignore blips. */
    public static final double DEFAULT_MAX_ERROR_RATE_INCREASE = 0.02;
    /** 90 %: a floor for disasters only; the relative error check does the fine work. */
    public static final double DEFAULT_MIN_SUCCESS_RATE = 0.90;
    /** 1.2×: below the 1.3× regression the judge must catch, far above A/A noise at p50/p95. */
    public static final double DEFAULT_MAX_LATENCY_MULTIPLIER = 1.2;
    /** 1.5×: a p99 from a few hundred samples moves by tens of percent between identical runs. */
    public static final double DEFAULT_MAX_LATENCY_MULTIPLIER_P99 = 1.5;
    /** 0.8: all instances get the same requests; a 20 % gap means shedding or stalls, not noise. */
    public static final double DEFAULT_MIN_THROUGHPUT_RATIO = 0.8;
    /** 2×: CPU accounting is coarse (10 ms ticks); only a doubling is a clear signal. */
    public static final double DEFAULT_MAX_CPU_RATIO = 2.0;
    /** 5: with independent 1 % errors, a run of 5 is a one-in-ten-billion event per request. */
    public static final long DEFAULT_MAX_CONSECUTIVE_FAILURES = 5;
    /** 64 MiB beyond the baseline: above GC and allocator jitter, below a leak over a window. */
    public static final long DEFAULT_MAX_MEMORY_GROWTH_BYTES = 64L << 20;
    /** 99 %: deterministic agents agree fully; non-deterministic ones need ignored paths or tolerance. */
    public static final double DEFAULT_MIN_AGREEMENT = 0.99;
    /** 200: enough for the tests to detect a 1.3× latency shift or +10 points of errors reliably. */
    public static final int DEFAULT_MIN_SAMPLES = 200;
    /**
     * 0.1 %: a rollout judges several windows, each with several tests, on a machine whose load
     * moves under both instances; measured on this project's 2-vCPU test machine, 1 % still let an
     * identical version fail now and then (p = 0.004 with 1.37x at p50 between two idle instances
     * under load 8), while real regressions of 1.3x or more show p below 1e-14.
     */
    public static final double DEFAULT_ALPHA = 0.001;

    public JudgeConfig {
        fraction("maxErrorRateIncrease", maxErrorRateIncrease);
        fraction("minSuccessRate", minSuccessRate);
        multiplier("maxLatencyMultiplierP50", maxLatencyMultiplierP50);
        multiplier("maxLatencyMultiplierP95", maxLatencyMultiplierP95);
        multiplier("maxLatencyMultiplierP99", maxLatencyMultiplierP99);
        fraction("minThroughputRatio", minThroughputRatio);
        multiplier("maxCpuRatio", maxCpuRatio);
        nonNegative("maxConsecutiveFailures", maxConsecutiveFailures);
        nonNegative("maxRestarts", maxRestarts);
        nonNegative("maxProtocolErrors", maxProtocolErrors);
        nonNegative("maxMemoryGrowthBytes", maxMemoryGrowthBytes);
        fraction("minAgreement", minAgreement);
        if (minSamples < 2) {
            throw new IllegalArgumentException("minSamples must be >= 2, but was " + minSamples);
        }
        if (!(alpha > 0 && alpha < 0.5)) {
            throw new IllegalArgumentException("alpha must be in (0, 0.5), but was " + alpha);
        }
    }

    public static JudgeConfig ofDefaults() {
        return new JudgeConfig(DEFAULT_MAX_ERROR_RATE_INCREASE, DEFAULT_MIN_SUCCESS_RATE,
                DEFAULT_MAX_LATENCY_MULTIPLIER, DEFAULT_MAX_LATENCY_MULTIPLIER, DEFAULT_MAX_LATENCY_MULTIPLIER_P99,
                DEFAULT_MIN_THROUGHPUT_RATIO, DEFAULT_MAX_CPU_RATIO,
                DEFAULT_MAX_CONSECUTIVE_FAILURES, 0, 0,
                DEFAULT_MAX_MEMORY_GROWTH_BYTES, DEFAULT_MIN_AGREEMENT, DEFAULT_MIN_SAMPLES, DEFAULT_ALPHA);
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder(ofDefaults());
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void fraction(String field, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(field + " must be in [0, 1], but was " + v);
        }
    }

    private static void multiplier(String field, double v) {
        if (!(v >= 1)) { // +Infinity allowed: disables the check
            throw new IllegalArgumentException(field + " must be >= 1, but was " + v);
        }
    }

    private static void nonNegative(String field, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, but was " + v);
        }
    }

    /** Changes a few fields of a config; {@link #build()} validates. */
    public static final class Builder {
        private double maxErrorRateIncrease;
        private double minSuccessRate;
        private double maxLatencyMultiplierP50;
        private double maxLatencyMultiplierP95;
        private double maxLatencyMultiplierP99;
        private double minThroughputRatio;
        private double maxCpuRatio;
        private long maxConsecutiveFailures;
        private long maxRestarts;
        private long maxProtocolErrors;
        private long maxMemoryGrowthBytes;
        private double minAgreement;
        private int minSamples;
        private double alpha;

        private Builder(JudgeConfig c) {
            maxErrorRateIncrease = c.maxErrorRateIncrease;
            minSuccessRate = c.minSuccessRate;
            maxLatencyMultiplierP50 = c.maxLatencyMultiplierP50;
            maxLatencyMultiplierP95 = c.maxLatencyMultiplierP95;
            maxLatencyMultiplierP99 = c.maxLatencyMultiplierP99;
            minThroughputRatio = c.minThroughputRatio;
            maxCpuRatio = c.maxCpuRatio;
            maxConsecutiveFailures = c.maxConsecutiveFailures;
            maxRestarts = c.maxRestarts;
            maxProtocolErrors = c.maxProtocolErrors;
            maxMemoryGrowthBytes = c.maxMemoryGrowthBytes;
            minAgreement = c.minAgreement;
            minSamples = c.minSamples;
            alpha = c.alpha;
        }

        public Builder maxErrorRateIncrease(double v) { maxErrorRateIncrease = v; return this; }
        public Builder minSuccessRate(double v) { minSuccessRate = v; return this; }
        public Builder maxLatencyMultiplierP50(double v) { maxLatencyMultiplierP50 = v; return this; }
        public Builder maxLatencyMultiplierP95(double v) { maxLatencyMultiplierP95 = v; return this; }
        public Builder maxLatencyMultiplierP99(double v) { maxLatencyMultiplierP99 = v; return this; }
        public Builder minThroughputRatio(double v) { minThroughputRatio = v; return this; }
        public Builder maxCpuRatio(double v) { maxCpuRatio = v; return this; }
        public Builder maxConsecutiveFailures(long v) { maxConsecutiveFailures = v; return this; }
        public Builder maxRestarts(long v) { maxRestarts = v; return this; }
        public Builder maxProtocolErrors(long v) { maxProtocolErrors = v; return this; }
        public Builder maxMemoryGrowthBytes(long v) { maxMemoryGrowthBytes = v; return this; }
        public Builder minAgreement(double v) { minAgreement = v; return this; }
        public Builder minSamples(int v) { minSamples = v; return this; }
        public Builder alpha(double v) { alpha = v; return this; }

        public JudgeConfig build() {
            return new JudgeConfig(maxErrorRateIncrease, minSuccessRate, maxLatencyMultiplierP50,
                    maxLatencyMultiplierP95, maxLatencyMultiplierP99, minThroughputRatio, maxCpuRatio,
                    maxConsecutiveFailures, maxRestarts, maxProtocolErrors, maxMemoryGrowthBytes,
                    minAgreement, minSamples, alpha);
        }
    }
}
