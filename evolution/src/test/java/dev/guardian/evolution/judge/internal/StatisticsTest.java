package dev.guardian.evolution.judge.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;
import org.junit.jupiter.api.Test;

class StatisticsTest {

    private static double[] logNormal(long seed, int n, double median) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = median * Math.exp(0.5 * r.nextGaussian());
        }
        return out;
    }

    @Test
    void mannWhitneyAgreesWithCommonsMathOnTheSlowerSide() {
        double[] slower = logNormal(1, 300, 2.3);
        double[] base = logNormal(2, 400, 2.0);
        Statistics.Result r = Statistics.mannWhitneyGreater(slower, base);
        MannWhitneyUTest commons = new MannWhitneyUTest();
        // no ties in continuous data: our one-sided p is half commons' two-sided p, U the larger U
        assertThat(r.statistic()).isEqualTo(commons.mannWhitneyU(slower, base));
        assertThat(r.pValue()).isCloseTo(commons.mannWhitneyUTest(slower, base) / 2, within(1e-12));
        assertThat(r.pValue()).isLessThan(0.01);
    }

    @Test
    void mannWhitneyNeverFlagsAFasterCandidate() {
        double[] faster = logNormal(1, 300, 1.0);
        double[] base = logNormal(2, 300, 2.0);
        Statistics.Result r = Statistics.mannWhitneyGreater(faster, base);
        assertThat(r.pValue()).isGreaterThan(0.999);
        assertThat(r.statistic() + Statistics.mannWhitneyGreater(base, faster).statistic()).isEqualTo(300.0 * 300);
    }

    @Test
    void mannWhitneyOnIdenticalConstantsHasNoEvidence() {
        double[] same = {2, 2, 2, 2};
        assertThat(Statistics.mannWhitneyGreater(same, same).pValue()).isEqualTo(1.0);
    }

    @Test
    void theProportionTestMatchesATextbookValue() {
        // 30/200 vs 15/200: pooled 0.1125, se = 0.03160, z = 2.373
        Statistics.Result r = Statistics.proportionGreater(30, 200, 15, 200);
        assertThat(r.statistic()).isCloseTo(2.373, within(0.001));
        assertThat(r.pValue()).isCloseTo(0.00882, within(0.0001));
        assertThat(Statistics.proportionGreater(0, 200, 0, 200).pValue()).isEqualTo(1.0);
    }

    @Test
    void fisherIsExactWhereTheNormalApproximationIsNot() {
        // 7 of 200 vs 0 of 200: every failure fell on the candidate: p = C(200,7)/C(400,7)
        double exact = 1;
        for (int i = 0; i < 7; i++) {
            exact *= (200.0 - i) / (400.0 - i);
        }
        Statistics.Result r = Statistics.fisherGreater(7, 200, 0, 200);
        assertThat(r.pValue()).isCloseTo(exact, within(1e-12));
        assertThat(r.pValue()).isGreaterThan(Statistics.proportionGreater(7, 200, 0, 200).pValue());
        assertThat(Statistics.fisherGreater(0, 200, 7, 200).pValue()).isEqualTo(1.0);
    }

    @Test
    void theBinomialTestAsksWhetherFailuresExceedTheAllowedProbability() {
        assertThat(Statistics.binomialGreater(30, 200, 0.10).pValue()).isLessThan(0.05);
        assertThat(Statistics.binomialGreater(22, 200, 0.10).pValue()).isGreaterThan(0.2);
        assertThat(Statistics.binomialGreater(1, 200, 0.0).pValue()).isEqualTo(0.0);
    }
}
