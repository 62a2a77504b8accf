package dev.guardian.evolution.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guardian.evolution.compare.Agreement;
import dev.guardian.evolution.metrics.WindowStats;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class InterimTest {

    private static final WindowStats W = new WindowStats(100, 0, 0, 0, 1, 2, 3, 10, 0, 0, 0, 0, 0, 0, Duration.ofSeconds(1));

    private static Check check(String name, Verdict.Kind outcome) {
        return new Check(name, 1, 2, 1.2, "rule", OptionalDouble.empty(), OptionalDouble.empty(), outcome, name + " reason");
    }

    private static Verdict fail(Check... checks) {
        return new Verdict(Verdict.Kind.FAIL, List.of(checks),
                java.util.Arrays.stream(checks).filter(c -> c.outcome() == Verdict.Kind.FAIL).map(Check::reason).toList(),
                W, W, Agreement.NONE);
    }

    @Test
    void aStatisticalFailureWaitsForTheEndOfTheWindow() {
        Verdict early = Interim.beforeWindowEnds(fail(check("restarts", Verdict.Kind.PASS), check("latency-p50", Verdict.Kind.FAIL)));
        assertThat(early.kind()).isEqualTo(Verdict.Kind.INCONCLUSIVE);
        assertThat(early.reasons()).containsExactly("latency-p50 reason (to be confirmed when the window is complete)");
        assertThat(early.checks()).hasSize(2);
    }

    @Test
    void aHardLimitFailsAtOnceWithOnlyItsOwnReasons() {
        Verdict early = Interim.beforeWindowEnds(fail(check("restarts", Verdict.Kind.FAIL), check("error-rate", Verdict.Kind.FAIL)));
        assertThat(early.kind()).isEqualTo(Verdict.Kind.FAIL);
        assertThat(early.reasons()).containsExactly("restarts reason");
    }

    @Test
    void passAndInconclusiveAreUnchanged() {
        Verdict pass = new Verdict(Verdict.Kind.PASS, List.of(check("cpu", Verdict.Kind.PASS)), List.of("ok"), W, W, Agreement.NONE);
        assertThat(Interim.beforeWindowEnds(pass)).isSameAs(pass);
    }
}
