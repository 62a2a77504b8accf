package dev.guardian.evolution.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JudgeConfigTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        JudgeConfig c = JudgeConfig.ofDefaults();
        assertThat(c.maxErrorRateIncrease()).isEqualTo(0.02);
        assertThat(c.minSuccessRate()).isEqualTo(0.90);
        assertThat(c.maxLatencyMultiplierP50()).isEqualTo(1.2);
        assertThat(c.maxLatencyMultiplierP95()).isEqualTo(1.2);
        assertThat(c.maxLatencyMultiplierP99()).isEqualTo(1.5);
        assertThat(c.minThroughputRatio()).isEqualTo(0.8);
        assertThat(c.maxCpuRatio()).isEqualTo(2.0);
        assertThat(c.maxConsecutiveFailures()).isEqualTo(5);
        assertThat(c.maxRestarts()).isZero();
        assertThat(c.maxProtocolErrors()).isZero();
        assertThat(c.maxMemoryGrowthBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(c.minAgreement()).isEqualTo(0.99);
        assertThat(c.minSamples()).isEqualTo(200);
        assertThat(c.alpha()).isEqualTo(0.001);
    }

    @Test
    void theBuilderChangesOnlyWhatItIsTold() {
        JudgeConfig c = JudgeConfig.builder().maxRestarts(2).alpha(0.05).build();
        assertThat(c).isEqualTo(new JudgeConfig(0.02, 0.90, 1.2, 1.2, 1.5, 0.8, 2.0, 5, 2, 0, 64L << 20, 0.99, 200, 0.05));
        assertThat(c.toBuilder().maxRestarts(0).alpha(0.001).build()).isEqualTo(JudgeConfig.ofDefaults());
    }

    @Test
    void infinityDisablesAMultiplier() {
        assertThat(JudgeConfig.builder().maxLatencyMultiplierP99(Double.POSITIVE_INFINITY).build().maxLatencyMultiplierP99())
                .isInfinite();
    }

    @Test
    void badValuesAreRefusedNamingTheFieldAndTheValue() {
        assertThatThrownBy(() -> JudgeConfig.builder().maxErrorRateIncrease(1.5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxErrorRateIncrease must be in [0, 1], but was 1.5");
        assertThatThrownBy(() -> JudgeConfig.builder().minSuccessRate(-0.1).build())
                .hasMessage("minSuccessRate must be in [0, 1], but was -0.1");
        assertThatThrownBy(() -> JudgeConfig.builder().maxLatencyMultiplierP50(0.9).build())
                .hasMessage("maxLatencyMultiplierP50 must be >= 1, but was 0.9");
        assertThatThrownBy(() -> JudgeConfig.builder().maxLatencyMultiplierP99(Double.NaN).build())
                .hasMessage("maxLatencyMultiplierP99 must be >= 1, but was NaN");
        assertThatThrownBy(() -> JudgeConfig.builder().minThroughputRatio(2).build())
                .hasMessage("minThroughputRatio must be in [0, 1], but was 2.0");
        assertThatThrownBy(() -> JudgeConfig.builder().maxCpuRatio(0).build())
                .hasMessage("maxCpuRatio must be >= 1, but was 0.0");
        assertThatThrownBy(() -> JudgeConfig.builder().maxConsecutiveFailures(-1).build())
                .hasMessage("maxConsecutiveFailures must be >= 0, but was -1");
        assertThatThrownBy(() -> JudgeConfig.builder().maxRestarts(-3).build())
                .hasMessage("maxRestarts must be >= 0, but was -3");
        assertThatThrownBy(() -> JudgeConfig.builder().maxProtocolErrors(-1).build())
                .hasMessage("maxProtocolErrors must be >= 0, but was -1");
        assertThatThrownBy(() -> JudgeConfig.builder().maxMemoryGrowthBytes(-1).build())
                .hasMessage("maxMemoryGrowthBytes must be >= 0, but was -1");
        assertThatThrownBy(() -> JudgeConfig.builder().minAgreement(1.01).build())
                .hasMessage("minAgreement must be in [0, 1], but was 1.01");
        assertThatThrownBy(() -> JudgeConfig.builder().minSamples(1).build())
                .hasMessage("minSamples must be >= 2, but was 1");
        assertThatThrownBy(() -> JudgeConfig.builder().alpha(0).build())
                .hasMessage("alpha must be in (0, 0.5), but was 0.0");
        assertThatThrownBy(() -> JudgeConfig.builder().alpha(0.5).build())
                .hasMessage("alpha must be in (0, 0.5), but was 0.5");
    }
}
