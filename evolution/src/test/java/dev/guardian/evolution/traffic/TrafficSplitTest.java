package dev.guardian.evolution.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.evolution.traffic.internal.Murmur3;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TrafficSplitTest {

    static final int N = 100_000;
    /** χ² with 99 degrees of freedom: mean 99, sd 14; p(χ² > 160) < 1e-4. */
    static final double CHI_SQUARE_BOUND = 160;

    final TrafficSplit split = TrafficSplit.forDeployment("dep-42");

    @Test
    void murmur3MatchesTheReferenceVectors() {
        assertThat(Murmur3.hash32(new byte[0], 0)).isZero();
        assertThat(Murmur3.hash32("hello".getBytes(StandardCharsets.UTF_8), 0)).isEqualTo(0x248bfa47);
        assertThat(Murmur3.hash32("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8), 0))
                .isEqualTo(0x2e4ff723);
    }

    @Test
    void theSameKeyAlwaysLandsOnTheSameSide() {
        TrafficSplit again = TrafficSplit.forDeployment("dep-42");
        for (int i = 0; i < 10_000; i++) {
            String key = "user-" + i;
            boolean first = split.candidateAnswers(key, i, 25);
            // a different sequence and a fresh instance change nothing for a keyed request
            assertThat(split.candidateAnswers(key, i + 1_000_000, 25)).isEqualTo(first);
            assertThat(again.candidateAnswers(key, 7, 25)).isEqualTo(first);
        }
    }

    @Test
    void raisingThePercentOnlyMovesKeysFromBaselineToCandidate() {
        int[] stages = {0, 1, 10, 25, 50, 99, 100};
        for (int i = 0; i < 20_000; i++) {
            String key = "session-" + i;
            boolean wasCandidate = false;
            for (int p : stages) {
                boolean candidate = split.candidateAnswers(key, i, p);
                assertThat(!wasCandidate || candidate).as("key %s flipped back at %d%%", key, p).isTrue();
                wasCandidate = candidate;
            }
            assertThat(split.candidateAnswers(key, i, 0)).isFalse();
            assertThat(split.candidateAnswers(key, i, 100)).isTrue();
        }
    }

    @Test
    void keyBucketsAreUniform() {
        long[] counts = new long[100];
        for (int i = 0; i < N; i++) {
            counts[split.bucket("user-" + i)]++;
        }
        assertThat(chiSquare(counts)).isLessThan(CHI_SQUARE_BOUND);
    }

    @Test
    void sequenceBucketsAreUniformForConsecutiveSequences() {
        long[] counts = new long[100];
        for (long seq = 1; seq <= N; seq++) {
            counts[split.bucket(seq)]++;
        }
        assertThat(chiSquare(counts)).isLessThan(CHI_SQUARE_BOUND);
    }

    @Test
    void theCandidateGetsItsShareWithinThreeSigma() {
        for (int p : new int[] {10, 25, 50}) {
            int candidate = 0;
            for (int i = 0; i < N; i++) {
                if (split.candidateAnswers("k" + i, i, p)) {
                    candidate++;
                }
            }
            double expected = N * p / 100.0;
            double sigma = Math.sqrt(N * (p / 100.0) * (1 - p / 100.0));
            assertThat(Math.abs(candidate - expected)).as("share at %d%%", p).isLessThan(3 * sigma);
        }
    }

    @Test
    void requestsWithoutAKeyFallBackToTheirSequence() {
        int candidate = 0;
        for (long seq = 0; seq < N; seq++) {
            boolean c = split.candidateAnswers(null, seq, 10);
            assertThat(split.candidateAnswers(null, seq, 10)).isEqualTo(c);
            candidate += c ? 1 : 0;
        }
        assertThat(candidate).isBetween(9_000, 11_000);
    }

    @Test
    void differentDeploymentsSplitDifferently() {
        TrafficSplit other = TrafficSplit.forDeployment("dep-43");
        int differ = 0;
        for (int i = 0; i < 1000; i++) {
            if (split.bucket("user-" + i) != other.bucket("user-" + i)) {
                differ++;
            }
        }
        assertThat(differ).isGreaterThan(900);
    }

    @Test
    void rejectsAPercentOutsideZeroToHundred() {
        assertThatThrownBy(() -> split.candidateAnswers("k", 1, 101))
                .hasMessage("candidatePercent must be in 0..100, but was 101");
    }

    @Test
    void stickyKeyIsReadFromTheParamsByJsonPointer() throws Exception {
        var params = new ObjectMapper().readTree("{\"session\":{\"id\":\"abc\"},\"user\":42,\"none\":null}");
        assertThat(TrafficSplit.stickyKey(params, "/session/id")).contains("abc");
        assertThat(TrafficSplit.stickyKey(params, "/user")).contains("42");
        assertThat(TrafficSplit.stickyKey(params, "/none")).isEmpty();
        assertThat(TrafficSplit.stickyKey(params, "/missing")).isEmpty();
        assertThat(TrafficSplit.stickyKey(params, null)).isEmpty();
    }

    private static double chiSquare(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double expected = (double) total / counts.length;
        double chi = 0;
        for (long c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        return chi;
    }
}
