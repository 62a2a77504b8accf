package dev.guardian.evolution.judge.internal;

import org.apache.commons.math3.distribution.HypergeometricDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.AlternativeHypothesis;
import org.apache.commons.math3.stat.inference.BinomialTest;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * The one-sided tests the judge needs, on commons-math3. One-sided because the judge only asks
 * "is the candidate worse?": a faster or more reliable candidate must never fail a test.
 */
public final class Statistics {

    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

    private Statistics() {
    }

    /** A test's statistic and its one-sided p-value. */
    public record Result(double statistic, double pValue) {
    }

    /**
     * Mann-Whitney U test that {@code candidate} values tend to be larger than {@code baseline}
     * values. The statistic is the candidate's U (pairs where the candidate is larger, ties counting
     * half); p from the normal approximation with tie correction, like commons-math3's
     * {@code MannWhitneyUTest} (which is two-sided only: it cannot tell slower from faster).
     */
    public static Result mannWhitneyGreater(double[] candidate, double[] baseline) {
        int n1 = candidate.length;
        int n2 = baseline.length;
        if (n1 == 0 || n2 == 0) {
            return new Result(Double.NaN, 1.0);
        }
        double[] all = new double[n1 + n2];
        System.arraycopy(candidate, 0, all, 0, n1);
        System.arraycopy(baseline, 0, all, n1, n2);
        double[] ranks = new NaturalRanking(NaNStrategy.FIXED, TiesStrategy.AVERAGE).rank(all);
        double rankSum = 0;
        for (int i = 0; i < n1; i++) {
            rankSum += ranks[i];
        }
        double u = rankSum - n1 * (n1 + 1.0) / 2.0;
        double n = n1 + n2;
        double mean = n1 * (double) n2 / 2.0;
        double variance = n1 * (double) n2 / 12.0 * ((n + 1) - tieTerm(ranks) / (n * (n - 1)));
        if (!(variance > 0)) {
            return new Result(u, 1.0); // all values equal: no evidence either way
        }
        double z = (u - mean) / Math.sqrt(variance);
        return new Result(u, upperTail(z));
    }

    /** Σ (t³ − t) over groups of tied values, from their (average) ranks. */
    private static double tieTerm(double[] ranks) {
        double[] sorted = ranks.clone();
        java.util.Arrays.sort(sorted);
        double sum = 0;
        int i = 0;
        while (i < sorted.length) {
            int j = i;
            while (j + 1 < sorted.length && sorted[j + 1] == sorted[i]) {
                j++;
            }
            double t = j - i + 1;
            sum += t * t * t - t;
            i = j + 1;
        }
        return sum;
    }

    /**
     * Pooled two-proportion z-test that the candidate's failure proportion is higher than the
     * baseline's. z is 0 (p = 0.5) when the proportions are equal; p = 1 when neither side failed.
     * The normal approximation is optimistic when failures are few (a window of 200 requests at
     * 1 % has two): the judge uses {@link #fisherGreater} for the p-value and reports z for reading.
     */
    public static Result proportionGreater(long candidateFailures, long candidateTotal,
                                           long baselineFailures, long baselineTotal) {
        if (candidateTotal == 0 || baselineTotal == 0) {
            return new Result(Double.NaN, 1.0);
        }
        double p1 = (double) candidateFailures / candidateTotal;
        double p2 = (double) baselineFailures / baselineTotal;
        double pooled = (double) (candidateFailures + baselineFailures) / (candidateTotal + baselineTotal);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / candidateTotal + 1.0 / baselineTotal));
        if (!(se > 0)) {
            return new Result(0.0, 1.0); // nobody failed, or everybody did: no difference to test
        }
        double z = (p1 - p2) / se;
        return new Result(z, upperTail(z));
    }

    /**
     * One-sided Fisher exact test that the candidate's failure proportion is higher than the
     * baseline's: given all failures of both windows, how likely is it that the candidate drew at
     * least as many as it did? Exact at any count; falls back to the z-test beyond int range.
     * The statistic is the z of {@link #proportionGreater}, which people read more easily.
     */
    public static Result fisherGreater(long candidateFailures, long candidateTotal,
                                       long baselineFailures, long baselineTotal) {
        Result z = proportionGreater(candidateFailures, candidateTotal, baselineFailures, baselineTotal);
        long population = candidateTotal + baselineTotal;
        if (candidateTotal == 0 || baselineTotal == 0 || population > Integer.MAX_VALUE) {
            return z;
        }
        long failures = candidateFailures + baselineFailures;
        double p = new HypergeometricDistribution(null, (int) population, (int) failures, (int) candidateTotal)
                .upperCumulativeProbability((int) candidateFailures);
        return new Result(z.statistic(), Math.min(1.0, p));
    }

    /**
     * Exact binomial test that the true failure probability exceeds {@code maxFailureProbability},
     * given {@code failures} of {@code trials}; the statistic is the failure count.
     */
    public static Result binomialGreater(long failures, long trials, double maxFailureProbability) {
        if (trials == 0) {
            return new Result(0, 1.0);
        }
        if (trials > Integer.MAX_VALUE) { // beyond BinomialTest's int range the normal approximation is exact enough
            double p0 = maxFailureProbability;
            double se = Math.sqrt(p0 * (1 - p0) / trials);
            double excess = (double) failures / trials - p0;
            double p = se > 0 ? upperTail(excess / se) : (excess > 0 ? 0.0 : 1.0);
            return new Result(failures, p);
        }
        double p = new BinomialTest().binomialTest((int) trials, (int) failures, maxFailureProbability,
                AlternativeHypothesis.GREATER_THAN);
        return new Result(failures, p);
    }

    /** P(Z >= z), computed as Φ(−z) so that tiny p-values keep their precision. */
    private static double upperTail(double z) {
        return STANDARD_NORMAL.cumulativeProbability(-z);
    }
}
