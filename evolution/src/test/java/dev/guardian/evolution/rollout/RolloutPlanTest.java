package dev.guardian.evolution.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guardian.evolution.rollout.RolloutPlan.Window;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutPlanTest {

    final RolloutPlan defaults = RolloutPlan.ofDefaults();
    final Window minute = new Window(100, Duration.ofMinutes(1));

    @Test
    void defaultsAreTheDesignsCanary() {
        assertThat(defaults.strategy()).isEqualTo(Strategy.CANARY);
        assertThat(defaults.canaryStages()).containsExactly(10, 25, 50, 100);
        assertThat(defaults.drillPolicy()).isEqualTo(RolloutPlan.DrillPolicy.BLOCK);
    }

    @Test
    void stagesMustAscendAndEndAtHundred() {
        assertThatThrownBy(() -> defaults.withCanary(List.of(10, 10, 100), minute))
                .hasMessage("rollout.canary.stages must ascend strictly, but was [10, 10, 100]");
        assertThatThrownBy(() -> defaults.withCanary(List.of(10, 50), minute))
                .hasMessage("rollout.canary.stages must end at 100, but was [10, 50]");
        assertThatThrownBy(() -> defaults.withCanary(List.of(0, 100), minute))
                .hasMessageContaining("rollout.canary.stages must be percents in 1..100, but was [0, 100]");
        assertThatThrownBy(() -> defaults.withCanary(List.of(), minute)).hasMessageContaining("rollout.canary.stages");
        assertThat(defaults.withCanary(List.of(100), minute).canaryStages()).containsExactly(100);
    }

    @Test
    void windowsAndCountsMustBeNonNegative() {
        assertThatThrownBy(() -> defaults.withCanary(List.of(50, 100), new Window(-1, Duration.ZERO)))
                .hasMessage("rollout.canary.min_samples must be >= 0, but was -1");
        assertThatThrownBy(() -> defaults.withWindows(new Window(1, Duration.ofSeconds(-5)), minute))
                .hasMessage("rollout.shadow.min_duration must be >= 0, but was PT-5S");
        assertThatThrownBy(() -> defaults.withInconclusive(-1, RolloutPlan.AfterExtensions.HOLD))
                .hasMessage("rollout.inconclusive.max_extensions must be >= 0, but was -1");
        assertThatThrownBy(() -> defaults.withMaxTotalDuration(Duration.ZERO))
                .hasMessage("rollout.max_duration must be > 0, but was PT0S");
    }

    @Test
    void maxDurationMustLeaveRoomForEveryMinimumWindow() {
        // 4 stages × 1 min: 3 minutes can never be enough
        assertThatThrownBy(() -> defaults.withMaxTotalDuration(Duration.ofMinutes(3)))
                .hasMessage("rollout.max_duration must be >= the sum of the minimum windows (PT4M), but was PT3M");
        assertThat(defaults.withMaxTotalDuration(Duration.ofMinutes(4)).maxTotalDuration())
                .isEqualTo(Duration.ofMinutes(4));
    }

    @Test
    void stickyKeyMustBeAJsonPointer() {
        assertThatThrownBy(() -> defaults.withStickyKey("session_id"))
                .hasMessageContaining("rollout.canary.sticky_key").hasMessageContaining("'session_id'");
        assertThat(defaults.withStickyKey("/session/id").stickyKey()).isEqualTo("/session/id");
    }
}
