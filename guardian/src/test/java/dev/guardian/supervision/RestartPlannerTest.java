package dev.guardian.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guardian.evolution.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RestartPlannerTest {

    private final ManualClock clock = ManualClock.at("2026-11-23T00:00:00Z");

    private RestartPlanner planner(RestartType type, int maxRestarts) {
        return new RestartPlanner(new SupervisionPolicy(type, Duration.ofMillis(100), Duration.ofSeconds(2), 2.0,
                Duration.ofSeconds(30), maxRestarts, Duration.ofSeconds(60)), clock);
    }

    @Nested
    class RestartTypes {
        @Test
        void permanentRestartsAfterANormalExitToo() {
            assertThat(planner(RestartType.PERMANENT, 5).onExit(ExitReason.NORMAL, Duration.ZERO))
                    .isInstanceOf(RestartDecision.Restart.class);
        }

        @Test
        void transientRestartsOnlyAbnormalExits() {
            RestartPlanner p = planner(RestartType.TRANSIENT, 5);
            assertThat(p.onExit(ExitReason.NORMAL, Duration.ZERO)).isEqualTo(new RestartDecision.Stop(ExitReason.NORMAL));
            assertThat(p.onExit(ExitReason.STOPPED, Duration.ZERO)).isEqualTo(new RestartDecision.Stop(ExitReason.STOPPED));
            for (ExitReason abnormal : new ExitReason[] {ExitReason.CRASHED, ExitReason.HUNG, ExitReason.LEAKED,
                    ExitReason.FAILED_TO_START, ExitReason.PROTOCOL_VIOLATION}) {
                assertThat(p.onExit(abnormal, Duration.ofMinutes(5))).as(abnormal.name()).isInstanceOf(RestartDecision.Restart.class);
            }
        }

        @Test
        void temporaryNeverRestarts() {
            assertThat(planner(RestartType.TEMPORARY, 5).onExit(ExitReason.CRASHED, Duration.ZERO))
                    .isEqualTo(new RestartDecision.Stop(ExitReason.CRASHED));
        }
    }

    @Nested
    class Backoff {
        @Test
        void delayDoublesUpToTheCap() {
            RestartPlanner p = planner(RestartType.PERMANENT, 100);
            long[] expectedMillis = {100, 200, 400, 800, 1600, 2000, 2000};
            for (int i = 0; i < expectedMillis.length; i++) {
                clock.advance(Duration.ofSeconds(1));
                RestartDecision.Restart r = (RestartDecision.Restart) p.onExit(ExitReason.CRASHED, Duration.ofSeconds(1));
                assertThat(r).isEqualTo(new RestartDecision.Restart(Duration.ofMillis(expectedMillis[i]), i + 1));
            }
        }

        @Test
        void delayResetsAfterAStableUptime() {
            RestartPlanner p = planner(RestartType.PERMANENT, 100);
            p.onExit(ExitReason.CRASHED, Duration.ofSeconds(1));
            p.onExit(ExitReason.CRASHED, Duration.ofSeconds(1));
            RestartDecision.Restart third = (RestartDecision.Restart) p.onExit(ExitReason.CRASHED, Duration.ofSeconds(1));
            assertThat(third.delay()).isEqualTo(Duration.ofMillis(400));
            clock.advance(Duration.ofMinutes(2));
            RestartDecision.Restart afterStable = (RestartDecision.Restart) p.onExit(ExitReason.CRASHED, Duration.ofSeconds(31));
            assertThat(afterStable).isEqualTo(new RestartDecision.Restart(Duration.ofMillis(100), 1));
        }
    }

    @Nested
    class Intensity {
        @Test
        void moreThanMaxRestartsInTheWindowEscalates() {
            RestartPlanner p = planner(RestartType.PERMANENT, 3);
            for (int i = 0; i < 3; i++) {
                clock.advance(Duration.ofSeconds(5));
                assertThat(p.onExit(ExitReason.CRASHED, Duration.ofSeconds(5))).isInstanceOf(RestartDecision.Restart.class);
            }
            clock.advance(Duration.ofSeconds(5));
            assertThat(p.onExit(ExitReason.CRASHED, Duration.ofSeconds(5)))
                    .isEqualTo(new RestartDecision.Escalate(4, Duration.ofSeconds(60)));
        }

        @Test
        void restartsOlderThanTheWindowNoLongerCount() {
            RestartPlanner p = planner(RestartType.PERMANENT, 3);
            for (int i = 0; i < 3; i++) {
                p.onExit(ExitReason.CRASHED, Duration.ZERO);
            }
            clock.advance(Duration.ofSeconds(61));
            assertThat(p.onExit(ExitReason.CRASHED, Duration.ZERO)).isInstanceOf(RestartDecision.Restart.class);
        }

        @Test
        void zeroMaxRestartsEscalatesAtTheFirstExit() {
            assertThat(planner(RestartType.PERMANENT, 0).onExit(ExitReason.CRASHED, Duration.ZERO))
                    .isInstanceOf(RestartDecision.Escalate.class);
        }

        @Test
        void resetForgetsTheWindow() {
            RestartPlanner p = planner(RestartType.PERMANENT, 1);
            p.onExit(ExitReason.CRASHED, Duration.ZERO);
            assertThat(p.onExit(ExitReason.CRASHED, Duration.ZERO)).isInstanceOf(RestartDecision.Escalate.class);
            p.reset();
            assertThat(p.onExit(ExitReason.CRASHED, Duration.ZERO)).isInstanceOf(RestartDecision.Restart.class);
        }
    }

    @Test
    void aBadPolicyIsRefusedWithTheFieldAndValue() {
        assertThatThrownBy(() -> new SupervisionPolicy(RestartType.PERMANENT, Duration.ofSeconds(10), Duration.ofSeconds(1),
                2.0, Duration.ofSeconds(30), 5, Duration.ofSeconds(60)))
                .hasMessage("backoff.max must be >= backoff.initial (PT10S), but was PT1S");
        assertThatThrownBy(() -> new SupervisionPolicy(RestartType.PERMANENT, Duration.ofMillis(1), Duration.ofSeconds(1),
                0.5, Duration.ofSeconds(30), 5, Duration.ofSeconds(60)))
                .hasMessage("backoff.multiplier must be >= 1, but was 0.5");
        assertThatThrownBy(() -> new SupervisionPolicy(RestartType.PERMANENT, Duration.ofMillis(1), Duration.ofSeconds(1),
                2, Duration.ofSeconds(30), -1, Duration.ofSeconds(60)))
                .hasMessage("intensity.max_restarts must be >= 0, but was -1");
    }
}
