package dev.guardian.evolution.judge;

import static dev.guardian.evolution.judge.Simulation.Behaviour.healthy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.guardian.evolution.compare.Agreement;
import dev.guardian.evolution.judge.Verdict.Kind;
import dev.guardian.evolution.metrics.WindowStats;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class JudgeTest {

    private static final Judge JUDGE = Judge.ofDefaults();
    private static final int REQUESTS = 1_000;

    private static Check check(Verdict v, String name) {
        return v.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + v.checks()));
    }

    private static List<String> failed(Verdict v) {
        return v.checks().stream().filter(c -> c.outcome() == Kind.FAIL).map(Check::name).collect(Collectors.toList());
    }

    @Nested
    class IdenticalVersions {

        @Test
        void twentyAaDeploymentsAllPass() {
            for (long seed = 1; seed <= 20; seed++) {
                Verdict v = Simulation.run(seed, REQUESTS, healthy(), healthy()).judgedBy(JUDGE);
                assertThat(v.kind()).as("A/A run %d: %s", seed, v.reasons()).isEqualTo(Kind.PASS);
                assertThat(v.reasons()).containsExactly("all " + v.checks().size() + " checks passed");
            }
        }

        @Test
        void aaRunsNeverFailAcrossManySeedsAndSizes() {
            // Wider than the 20 deployments: small windows (just above minSamples) are the noisiest.
            for (long seed = 100; seed < 160; seed++) {
                for (int requests : new int[] {JudgeConfig.DEFAULT_MIN_SAMPLES, 500, 3_000}) {
                    Verdict v = Simulation.run(seed, requests, healthy(), healthy()).judgedBy(JUDGE);
                    assertThat(v.kind()).as("A/A seed %d, %d requests: %s", seed, requests, v.reasons()).isNotEqualTo(Kind.FAIL);
                }
            }
        }

        @Test
        void aFasterOrMoreReliableCandidatePasses() {
            Verdict v = Simulation.run(7, REQUESTS, healthy().errorRate(0.05), healthy().slower(0.5).errorRate(0.0)).judgedBy(JUDGE);
            assertThat(v.kind()).as("%s", v.reasons()).isEqualTo(Kind.PASS);
            assertThat(check(v, "latency-p50").pValue().getAsDouble()).isGreaterThan(0.99);
        }
    }

    @Nested
    class Regressions {

        @Test
        void aThirtyPercentLatencyShiftIsCaught() {
            for (long seed = 1; seed <= 20; seed++) {
                Verdict v = Simulation.run(seed, REQUESTS, healthy(), healthy().slower(1.3)).judgedBy(JUDGE);
                assertThat(v.kind()).as("seed %d: %s", seed, v.reasons()).isEqualTo(Kind.FAIL);
                Check p50 = check(v, "latency-p50");
                assertThat(p50.outcome()).isEqualTo(Kind.FAIL);
                assertThat(p50.candidate() / p50.baseline()).isGreaterThan(1.2);
                assertThat(p50.pValue().getAsDouble()).isLessThan(0.01);
            }
        }

        @Test
        void twiceAsSlowFailsLatencyWithItsNumbers() {
            Verdict v = Simulation.run(3, REQUESTS, healthy(), healthy().slower(2.0)).judgedBy(JUDGE);
            assertThat(v.kind()).isEqualTo(Kind.FAIL);
            assertThat(failed(v)).contains("latency-p50", "latency-p95");
            Check p50 = check(v, "latency-p50");
            assertThat(p50.candidate() / p50.baseline()).isCloseTo(2.0, within(0.2));
            assertThat(p50.threshold()).isEqualTo(1.2);
            assertThat(p50.statistic()).isPresent();
            assertThat(p50.reason()).matches("latency p50 \\d+\\.\\d\\d ms vs \\d+\\.\\d\\d ms = [12]\\.\\d\\d× > 1\\.20×, "
                    + "Mann-Whitney U=\\d+, p=.*");
            assertThat(v.reasons()).contains(p50.reason());
        }

        @Test
        void tenPointsMoreErrorsFailsTheErrorRate() {
            Verdict v = Simulation.run(4, REQUESTS, healthy(), healthy().errorRate(0.11)).judgedBy(JUDGE);
            assertThat(v.kind()).isEqualTo(Kind.FAIL);
            assertThat(failed(v)).containsExactly("error-rate");
            Check c = check(v, "error-rate");
            assertThat(c.candidate() - c.baseline()).isCloseTo(0.10, within(0.03));
            assertThat(c.pValue().getAsDouble()).isLessThan(1e-6);
            assertThat(c.reason()).startsWith("error rate ").contains(" > +2.00, z=");
        }

        @Test
        void crashesFailOnRestarts() {
            Verdict v = Simulation.run(5, REQUESTS, healthy(), healthy().crashing(2)).judgedBy(JUDGE);
            assertThat(failed(v)).containsExactly("restarts");
            assertThat(check(v, "restarts").reason()).isEqualTo("restarts 2 > 0 allowed (baseline 0)");
        }

        @Test
        void wrongAnswersOnSomeInputsFailAgreement() {
            Verdict v = Simulation.run(6, REQUESTS, healthy(), healthy().wrongOn(0.05)).judgedBy(JUDGE);
            assertThat(failed(v)).containsExactly("agreement");
            Check c = check(v, "agreement");
            assertThat(c.candidate()).isCloseTo(0.95, within(0.02));
            assertThat(c.reason()).contains(" < 99.00 %; first difference at '/payload/result'");
            assertThat(v.agreement().sampleDiffs()).isNotEmpty();
        }

        @Test
        void theHardLimitsAloneFailACrashButNeverPassAnything() {
            Simulation.Run crashing = Simulation.run(5, REQUESTS, healthy(), healthy().crashing(2));
            Verdict early = JUDGE.judgeHardLimits(crashing.baseline(), crashing.candidate(), crashing.agreement());
            assertThat(early.kind()).isEqualTo(Kind.FAIL);
            assertThat(early.reasons()).containsExactly("restarts 2 > 0 allowed (baseline 0)");
            assertThat(early.checks()).extracting(Check::name).allMatch(Interim.HARD_CHECKS::contains);

            // Twice as slow is a statistical finding: the hard limits do not see it, and say nothing final.
            Simulation.Run slow = Simulation.run(4, REQUESTS, healthy(), healthy().slower(2.0));
            assertThat(slow.judgedBy(JUDGE).kind()).isEqualTo(Kind.FAIL);
            Verdict hard = JUDGE.judgeHardLimits(slow.baseline(), slow.candidate(), slow.agreement());
            assertThat(hard.kind()).isEqualTo(Kind.INCONCLUSIVE);
            assertThat(hard.reasons()).containsExactly("window not complete: only the hard limits were judged");
        }

        @Test
        void aMemoryLeakFailsMemoryGrowth() {
            Verdict v = Simulation.run(8, REQUESTS, healthy(), healthy().leaking(200 << 10)).judgedBy(JUDGE);
            assertThat(failed(v)).containsExactly("memory-growth");
            Check c = check(v, "memory-growth");
            assertThat(c.candidate()).isGreaterThan(150.0 * (1 << 20));
            assertThat(c.reason()).contains("more > 64.0 MiB allowed");
        }

        @Test
        void aRunOfFailuresFailsConsecutiveFailures() {
            Verdict v = Simulation.run(9, REQUESTS, healthy(), healthy().failureStreakAt(500)).judgedBy(JUDGE);
            assertThat(failed(v)).containsExactly("consecutive-failures");
            assertThat(check(v, "consecutive-failures").candidate()).isGreaterThanOrEqualTo(Simulation.STREAK);
        }

        @Test
        void aRunOfFailuresThatBothInstancesShareIsNotTheCandidates() {
            Verdict v = Simulation.run(9, REQUESTS, healthy().failureStreakAt(500), healthy().failureStreakAt(500)).judgedBy(JUDGE);
            assertThat(v.kind()).isEqualTo(Kind.PASS);
            assertThat(check(v, "consecutive-failures").reason()).contains("shared, not the candidate's");
        }

        @Test
        void protocolErrorsFail() {
            Verdict v = Simulation.run(10, REQUESTS, healthy(), healthy().protocolErrors(3)).judgedBy(JUDGE);
            assertThat(failed(v)).containsExactly("protocol-errors");
        }

        @Test
        void aCandidateThatShedsHalfItsTrafficFailsThroughput() {
            Verdict v = Simulation.run(11, REQUESTS, healthy(), healthy().shedding(0.5)).judgedBy(JUDGE);
            assertThat(failed(v)).containsExactly("throughput");
            assertThat(check(v, "throughput").reason()).matches("throughput .* = 0\\.\\d\\d× < 0\\.80×");
        }

        @Test
        void aPrimaryBelowTheSuccessFloorDoesNotExcuseTheCandidate() {
            // The floor is absolute: even an exact copy of a primary that fails 20 % of requests is held to it.
            Verdict v = Simulation.run(12, REQUESTS, healthy().errorRate(0.2), healthy().errorRate(0.2)).judgedBy(JUDGE);
            assertThat(failed(v)).containsExactly("success-rate");
        }
    }

    @Nested
    class FewSamples {

        @Test
        void tooFewRequestsIsInconclusiveAndSaysWhy() {
            Verdict v = Simulation.run(13, 100, healthy(), healthy().slower(2.0)).judgedBy(JUDGE);
            assertThat(v.kind()).isEqualTo(Kind.INCONCLUSIVE);
            assertThat(check(v, "latency-p50").outcome()).isEqualTo(Kind.INCONCLUSIVE);
            assertThat(check(v, "error-rate").reason())
                    .isEqualTo("error rate: too few samples (baseline 100, candidate 100, need 200 each)");
            assertThat(v.reasons()).allMatch(r -> r.contains("too few"));
        }

        @Test
        void aHardLimitFailsBeforeTheStatisticsHaveEnoughSamples() {
            Verdict v = Simulation.run(14, 50, healthy(), healthy().crashing(1)).judgedBy(JUDGE);
            assertThat(v.kind()).isEqualTo(Kind.FAIL);
            assertThat(failed(v)).containsExactly("restarts");
            assertThat(v.reasons()).containsExactly("restarts 1 > 0 allowed (baseline 0)");
        }
    }

    @Nested
    class EffectAndSignificanceAreBothRequired {

        private WindowStats stats(long requests, long errors) {
            return new WindowStats(requests, errors, 0, 0, 2, 4, 6, 10, 0, 0, 0, 0, 0, 1, Duration.ofSeconds(100));
        }

        @Test
        void anIncreaseAboveTheThresholdThatIsNotSignificantPasses() {
            // 1 % vs 2.5 % of 200: +1.5 points would need more data; with threshold 1 point it is an effect without evidence
            Judge judge = Judge.of(JudgeConfig.builder().maxErrorRateIncrease(0.01).build());
            double[] lat = new double[200];
            java.util.Arrays.fill(lat, 2.0);
            Verdict v = judge.judge(stats(200, 2), lat, stats(200, 5), lat, Agreement.NONE);
            Check c = check(v, "error-rate");
            assertThat(c.outcome()).isEqualTo(Kind.PASS);
            assertThat(c.pValue().getAsDouble()).isBetween(0.01, 0.5);
            assertThat(c.reason()).contains("but not significant");
        }

        @Test
        void aSignificantIncreaseBelowTheThresholdPasses() {
            // 0 % vs 1.5 % of 10 000 is highly significant but within the allowed 2 points
            double[] lat = new double[200];
            java.util.Arrays.fill(lat, 2.0);
            Verdict v = JUDGE.judge(stats(10_000, 0), lat, stats(10_000, 150), lat, Agreement.NONE);
            Check c = check(v, "error-rate");
            assertThat(c.pValue().getAsDouble()).isLessThan(1e-10);
            assertThat(c.outcome()).isEqualTo(Kind.PASS);
        }

        @Test
        void latencySlowerBeyondTheMultiplierButIndistinguishableByRankPasses() {
            // Same samples, but percentiles (as reported) say 1.5×: the ranks show no shift, so no failure.
            double[] lat = new SplittableRandomSamples(42).logNormal(500, 2.0, 0.5);
            WindowStats b = new WindowStats(500, 0, 0, 0, 2, 4, 6, 10, 0, 0, 0, 0, 0, 0, Duration.ofSeconds(50));
            WindowStats c = new WindowStats(500, 0, 0, 0, 3, 4, 6, 10, 0, 0, 0, 0, 0, 0, Duration.ofSeconds(50));
            Verdict v = JUDGE.judge(b, lat, c, lat.clone(), Agreement.NONE);
            Check p50 = check(v, "latency-p50");
            assertThat(p50.outcome()).isEqualTo(Kind.PASS);
            assertThat(p50.reason()).contains("1.50× > 1.20× but not significantly slower");
        }
    }

    /** Log-normal samples for direct tests of the rules. */
    record SplittableRandomSamples(long seed) {
        double[] logNormal(int n, double medianMs, double sigma) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = medianMs * Math.exp(sigma * r.nextGaussian());
            }
            return out;
        }
    }
}
