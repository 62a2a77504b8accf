package dev.guardian.evolution.judge.internal;

import static dev.guardian.evolution.judge.Verdict.Kind.FAIL;
import static dev.guardian.evolution.judge.Verdict.Kind.INCONCLUSIVE;
import static dev.guardian.evolution.judge.Verdict.Kind.PASS;

import dev.guardian.evolution.compare.Agreement;
import dev.guardian.evolution.judge.Check;
import dev.guardian.evolution.judge.Judge;
import dev.guardian.evolution.judge.JudgeConfig;
import dev.guardian.evolution.judge.Verdict;
import dev.guardian.evolution.metrics.WindowStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The judge's rules, one method per check, in the order a proof lists them: hard limits first, then
 * the statistical checks. The verdict is the worst outcome of any check (fail over inconclusive over
 * pass), so a hard limit fails a candidate even while the statistics still lack samples.
 */
public final class DefaultJudge implements Judge {

    /** Below one CPU-second per window, tick granularity and start-up work dominate the ratio. */
    static final double MIN_CPU_SECONDS_TO_COMPARE = 1.0;

    private static final double MIB = 1024.0 * 1024.0;
    private static final OptionalDouble NONE = OptionalDouble.empty();

    private final JudgeConfig config;

    public DefaultJudge(JudgeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public JudgeConfig config() {
        return config;
    }

    @Override
    public Verdict judge(WindowStats baseline, double[] baselineLatenciesMs,
                         WindowStats candidate, double[] candidateLatenciesMs, Agreement agreement) {
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(baselineLatenciesMs, "baselineLatenciesMs");
        Objects.requireNonNull(candidateLatenciesMs, "candidateLatenciesMs");
        Objects.requireNonNull(agreement, "agreement");

        List<Check> checks = hardLimits(baseline, candidate, agreement);
        checks.add(errorRate(baseline, candidate));
        if (config.minSuccessRate() > 0) {
            checks.add(successRate(candidate));
        }
        checks.addAll(latency(baseline, baselineLatenciesMs, candidate, candidateLatenciesMs));
        checks.add(throughput(baseline, candidate));
        checks.add(cpu(baseline, candidate));

        Verdict.Kind kind = PASS;
        for (Check c : checks) {
            if (c.outcome() == FAIL || (c.outcome() == INCONCLUSIVE && kind == PASS)) {
                kind = c.outcome();
            }
        }
        List<String> reasons = new ArrayList<>();
        for (Check c : checks) {
            if (c.outcome() == kind && kind != PASS) {
                reasons.add(c.reason());
            }
        }
        if (kind == PASS) {
            reasons.add("all " + checks.size() + " checks passed");
        }
        return new Verdict(kind, checks, reasons, baseline, candidate, agreement);
    }

    @Override
    public Verdict judgeHardLimits(WindowStats baseline, WindowStats candidate, Agreement agreement) {
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(agreement, "agreement");
        List<Check> checks = hardLimits(baseline, candidate, agreement);
        List<String> failed = checks.stream().filter(c -> c.outcome() == FAIL).map(Check::reason).toList();
        return failed.isEmpty()
                ? new Verdict(INCONCLUSIVE, checks, List.of("window not complete: only the hard limits were judged"),
                        baseline, candidate, agreement)
                : new Verdict(FAIL, checks, failed, baseline, candidate, agreement);
    }

    // ---- hard limits ----

    private List<Check> hardLimits(WindowStats baseline, WindowStats candidate, Agreement agreement) {
        List<Check> checks = new ArrayList<>();
        checks.add(countLimit("restarts", "restarts", baseline.restarts(), candidate.restarts(), config.maxRestarts()));
        checks.add(countLimit("protocol-errors", "protocol errors",
                baseline.protocolErrors(), candidate.protocolErrors(), config.maxProtocolErrors()));
        checks.add(countLimit("consecutive-failures", "consecutive failures",
                baseline.consecutiveFailures(), candidate.consecutiveFailures(), config.maxConsecutiveFailures()));
        checks.add(memoryGrowth(baseline, candidate));
        if (config.minAgreement() > 0) {
            checks.add(agreement(agreement));
        }
        return checks;
    }

    /** A count over its limit fails only when the baseline did better in the same window. */
    private Check countLimit(String name, String words, long base, long cand, long max) {
        String rule = "candidate " + words + " <= " + max + ", or not more than the baseline's";
        if (cand <= max) {
            return check(name, base, cand, max, rule, PASS,
                    words + " " + cand + " <= " + max + " (baseline " + base + ")");
        }
        if (cand <= base) {
            return check(name, base, cand, max, rule, PASS,
                    words + " " + cand + " > " + max + " but baseline had " + base + ": shared, not the candidate's");
        }
        return check(name, base, cand, max, rule, FAIL,
                words + " " + cand + " > " + max + " allowed (baseline " + base + ")");
    }

    private Check memoryGrowth(WindowStats b, WindowStats c) {
        long max = config.maxMemoryGrowthBytes();
        String rule = "candidate RSS growth - max(0, baseline RSS growth) <= " + mib(max);
        if (b.rssStartBytes() == 0 || b.rssEndBytes() == 0 || c.rssStartBytes() == 0 || c.rssEndBytes() == 0) {
            return check("memory-growth", Double.NaN, Double.NaN, max, rule, PASS, "memory growth not measured (no RSS samples)");
        }
        long excess = c.rssGrowthBytes() - Math.max(0, b.rssGrowthBytes());
        String numbers = "RSS grew " + mib(c.rssGrowthBytes()) + " vs " + mib(b.rssGrowthBytes()) + " in the baseline: "
                + (excess > 0 ? mib(excess) + " more" : "no more");
        return excess > max
                ? check("memory-growth", b.rssGrowthBytes(), c.rssGrowthBytes(), max, rule, FAIL, numbers + " > " + mib(max) + " allowed")
                : check("memory-growth", b.rssGrowthBytes(), c.rssGrowthBytes(), max, rule, PASS, numbers + " <= " + mib(max));
    }

    private Check agreement(Agreement a) {
        double min = config.minAgreement();
        String rule = "agreement >= " + pct(min) + " once " + config.minSamples() + " answers were compared";
        if (a.compared() == 0) {
            return check("agreement", Double.NaN, Double.NaN, min, rule, PASS, "outputs not compared");
        }
        String numbers = "agreement " + pct(a.rate()) + " (" + a.agreed() + " of " + a.compared() + ")";
        if (a.compared() < config.minSamples()) {
            return check("agreement", Double.NaN, a.rate(), min, rule, INCONCLUSIVE,
                    numbers + ": too few comparisons, need " + config.minSamples());
        }
        if (a.rate() < min) {
            String first = a.sampleDiffs().isEmpty() ? ""
                    : "; first difference at '" + a.sampleDiffs().get(0).path() + "' (seq " + a.sampleDiffs().get(0).seq() + ")";
            return check("agreement", Double.NaN, a.rate(), min, rule, FAIL, numbers + " < " + pct(min) + first);
        }
        return check("agreement", Double.NaN, a.rate(), min, rule, PASS, numbers + " >= " + pct(min));
    }

    // ---- statistical checks ----

    private boolean enough(WindowStats b, WindowStats c) {
        return b.requests() >= config.minSamples() && c.requests() >= config.minSamples();
    }

    private String tooFew(String what, long base, long cand) {
        return what + ": too few samples (baseline " + base + ", candidate " + cand + ", need " + config.minSamples() + " each)";
    }

    private Check errorRate(WindowStats b, WindowStats c) {
        double max = config.maxErrorRateIncrease();
        String rule = "candidate error rate - baseline error rate <= " + points(max)
                + " points, or not significant (one-sided Fisher exact test, alpha " + config.alpha() + ")";
        if (!enough(b, c)) {
            return check("error-rate", b.errorRate(), c.errorRate(), max, rule, INCONCLUSIVE,
                    tooFew("error rate", b.requests(), c.requests()));
        }
        Statistics.Result t = Statistics.fisherGreater(c.errors() + c.timeouts(), c.requests(),
                b.errors() + b.timeouts(), b.requests());
        double increase = c.errorRate() - b.errorRate();
        String numbers = "error rate " + pct(c.errorRate()) + " vs " + pct(b.errorRate())
                + " = " + signedPoints(increase) + " points";
        String test = "z=" + fmt("%.2f", t.statistic()) + ", Fisher p=" + p(t.pValue());
        Verdict.Kind outcome = increase > max && t.pValue() < config.alpha() ? FAIL : PASS;
        String reason = outcome == FAIL ? numbers + " > +" + points(max) + ", " + test
                : increase > max ? numbers + " > +" + points(max) + " but not significant (" + test + " >= " + config.alpha() + ")"
                : numbers + " <= +" + points(max) + " (" + test + ")";
        return new Check("error-rate", b.errorRate(), c.errorRate(), max, rule,
                OptionalDouble.of(t.statistic()), OptionalDouble.of(t.pValue()), outcome, reason);
    }

    private Check successRate(WindowStats c) {
        double min = config.minSuccessRate();
        String rule = "candidate success rate >= " + pct(min) + ", or not significantly below (one-sided binomial test, alpha "
                + config.alpha() + ")";
        if (c.requests() < config.minSamples()) {
            return check("success-rate", Double.NaN, c.successRate(), min, rule, INCONCLUSIVE,
                    "success rate: too few samples (candidate " + c.requests() + ", need " + config.minSamples() + ")");
        }
        Statistics.Result t = Statistics.binomialGreater(c.errors() + c.timeouts(), c.requests(), 1 - min);
        String numbers = "success rate " + pct(c.successRate()) + " (" + (c.requests() - c.errors() - c.timeouts())
                + " of " + c.requests() + ")";
        String test = "binomial p=" + p(t.pValue());
        Verdict.Kind outcome = c.successRate() < min && t.pValue() < config.alpha() ? FAIL : PASS;
        String reason = outcome == FAIL ? numbers + " < " + pct(min) + ", " + test
                : c.successRate() < min ? numbers + " < " + pct(min) + " but not significant (" + test + ")"
                : numbers + " >= " + pct(min);
        return new Check("success-rate", Double.NaN, c.successRate(), min, rule,
                OptionalDouble.of(t.statistic()), OptionalDouble.of(t.pValue()), outcome, reason);
    }

    private List<Check> latency(WindowStats b, double[] bl, WindowStats c, double[] cl) {
        double[][] pcts = {
                {50, b.latencyP50Ms(), c.latencyP50Ms(), config.maxLatencyMultiplierP50()},
                {95, b.latencyP95Ms(), c.latencyP95Ms(), config.maxLatencyMultiplierP95()},
                {99, b.latencyP99Ms(), c.latencyP99Ms(), config.maxLatencyMultiplierP99()}};
        boolean enough = bl.length >= config.minSamples() && cl.length >= config.minSamples();
        Statistics.Result mw = enough ? Statistics.mannWhitneyGreater(cl, bl) : null;
        List<Check> out = new ArrayList<>();
        for (double[] row : pcts) {
            String name = "latency-p" + (int) row[0];
            String words = "latency p" + (int) row[0];
            double base = row[1];
            double cand = row[2];
            double mult = row[3];
            String rule = "candidate " + words + " <= " + times(mult) + " baseline, or candidate not significantly slower"
                    + " (one-sided Mann-Whitney U, alpha " + config.alpha() + ")";
            if (!enough) {
                out.add(check(name, base, cand, mult, rule, INCONCLUSIVE, tooFew(words, bl.length, cl.length)));
                continue;
            }
            double ratio = base > 0 ? cand / base : (cand > 0 ? Double.POSITIVE_INFINITY : 1.0);
            String numbers = words + " " + ms(cand) + " vs " + ms(base) + " = " + times(ratio);
            String test = "Mann-Whitney U=" + fmt("%.0f", mw.statistic()) + ", p=" + p(mw.pValue());
            Verdict.Kind outcome = ratio > mult && mw.pValue() < config.alpha() ? FAIL : PASS;
            String reason = outcome == FAIL ? numbers + " > " + times(mult) + ", " + test
                    : ratio > mult ? numbers + " > " + times(mult) + " but not significantly slower (" + test + ")"
                    : numbers + " <= " + times(mult) + " (" + test + ")";
            out.add(new Check(name, base, cand, mult, rule, OptionalDouble.of(mw.statistic()),
                    OptionalDouble.of(mw.pValue()), outcome, reason));
        }
        return out;
    }

    private Check throughput(WindowStats b, WindowStats c) {
        double min = config.minThroughputRatio();
        String rule = "candidate throughput >= " + times(min) + " baseline";
        double base = b.throughputPerSec();
        double cand = c.throughputPerSec();
        if (!enough(b, c)) {
            return check("throughput", base, cand, min, rule, INCONCLUSIVE, tooFew("throughput", b.requests(), c.requests()));
        }
        if (!(base > 0)) {
            return check("throughput", base, cand, min, rule, PASS, "throughput not comparable (baseline answered nothing)");
        }
        double ratio = cand / base;
        String numbers = "throughput " + fmt("%.1f", cand) + "/s vs " + fmt("%.1f", base) + "/s = " + times(ratio);
        return ratio < min
                ? check("throughput", base, cand, min, rule, FAIL, numbers + " < " + times(min))
                : check("throughput", base, cand, min, rule, PASS, numbers + " >= " + times(min));
    }

    private Check cpu(WindowStats b, WindowStats c) {
        double max = config.maxCpuRatio();
        String rule = "candidate CPU seconds <= " + times(max) + " baseline (compared from "
                + MIN_CPU_SECONDS_TO_COMPARE + " baseline CPU-seconds)";
        double base = b.cpuSeconds();
        double cand = c.cpuSeconds();
        if (!(base > 0) || !(cand > 0)) {
            return check("cpu", base, cand, max, rule, PASS, "CPU not measured");
        }
        if (!enough(b, c)) {
            return check("cpu", base, cand, max, rule, INCONCLUSIVE, tooFew("CPU", b.requests(), c.requests()));
        }
        if (base < MIN_CPU_SECONDS_TO_COMPARE) {
            return check("cpu", base, cand, max, rule, PASS,
                    "CPU " + fmt("%.2f", cand) + " s vs " + fmt("%.2f", base) + " s: too little to compare");
        }
        double ratio = cand / base;
        String numbers = "CPU " + fmt("%.2f", cand) + " s vs " + fmt("%.2f", base) + " s = " + times(ratio);
        return ratio > max
                ? check("cpu", base, cand, max, rule, FAIL, numbers + " > " + times(max))
                : check("cpu", base, cand, max, rule, PASS, numbers + " <= " + times(max));
    }

    // ---- formatting ----

    private static Check check(String name, double base, double cand, double threshold, String rule,
                               Verdict.Kind outcome, String reason) {
        return new Check(name, base, cand, threshold, rule, NONE, NONE, outcome, reason);
    }

    private static String fmt(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }

    private static String pct(double fraction) {
        return fmt("%.2f", fraction * 100) + " %";
    }

    private static String points(double fraction) {
        return fmt("%.2f", fraction * 100);
    }

    private static String signedPoints(double fraction) {
        return fmt("%+.2f", fraction * 100);
    }

    private static String ms(double v) {
        return fmt("%.2f", v) + " ms";
    }

    private static String times(double v) {
        return Double.isInfinite(v) ? "∞×" : fmt("%.2f", v) + "×";
    }

    private static String mib(long bytes) {
        return fmt("%.1f", bytes / MIB) + " MiB";
    }

    private static String p(double p) {
        return p < 1e-3 ? fmt("%.1e", p) : fmt("%.3f", p);
    }
}
