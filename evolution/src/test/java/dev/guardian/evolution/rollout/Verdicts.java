package dev.guardian.evolution.rollout;

import dev.guardian.evolution.compare.Agreement;
import dev.guardian.evolution.judge.Check;
import dev.guardian.evolution.judge.Verdict;
import dev.guardian.evolution.metrics.WindowStats;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;

/** Hand-made verdicts with plausible numbers, for rollout and proof tests. */
public final class Verdicts {
    private Verdicts() {
    }

    public static WindowStats stats(long requests, long errors, double p99) {
        return new WindowStats(requests, errors, 0, 0, p99 / 4, p99 / 2, p99, requests / 60.0, 100_000_000,
                101_000_000, 3.5, 0, 0, Math.min(errors, 3), Duration.ofMinutes(1));
    }

    public static Check errorRateCheck(double baseline, double candidate, Verdict.Kind outcome) {
        return new Check("error-rate", baseline, candidate, baseline + 0.01, "candidate <= baseline + 0.01",
                OptionalDouble.empty(), OptionalDouble.empty(), outcome,
                "error rate " + candidate + " vs baseline " + baseline);
    }

    public static Check mannWhitney(double u, double p, Verdict.Kind outcome) {
        return new Check("latency-mann-whitney", 40.0, 42.0, 0.01, "p >= 0.01 or candidate not slower",
                OptionalDouble.of(u), OptionalDouble.of(p), outcome, "U=" + u + ", p=" + p);
    }

    public static Verdict pass() {
        return new Verdict(Verdict.Kind.PASS,
                List.of(errorRateCheck(0.01, 0.012, Verdict.Kind.PASS), mannWhitney(4821.5, 0.43, Verdict.Kind.PASS)),
                List.of(), stats(1000, 10, 80.0), stats(1000, 12, 84.0), new Agreement(1000, 998, List.of()));
    }

    public static Verdict fail(String reason) {
        return new Verdict(Verdict.Kind.FAIL, List.of(errorRateCheck(0.01, 0.2, Verdict.Kind.FAIL)),
                List.of(reason), stats(1000, 10, 80.0), stats(1000, 200, 95.0), new Agreement(1000, 700, List.of()));
    }

    public static Verdict inconclusive(String reason) {
        return new Verdict(Verdict.Kind.INCONCLUSIVE, List.of(mannWhitney(12.0, 0.2, Verdict.Kind.INCONCLUSIVE)),
                List.of(reason), stats(20, 0, 80.0), stats(18, 0, 84.0), Agreement.NONE);
    }
}
