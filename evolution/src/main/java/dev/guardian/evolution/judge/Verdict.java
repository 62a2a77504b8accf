package dev.guardian.evolution.judge;

import dev.guardian.evolution.compare.Agreement;
import dev.guardian.evolution.metrics.WindowStats;
import java.util.List;
import java.util.Objects;

/**
 * The judge's answer for one window: pass, fail or inconclusive, with every check and the numbers
 * behind it. {@code reasons} are the failed (or, for inconclusive, the undecided) checks' reasons.
 */
public record Verdict(Kind kind, List<Check> checks, List<String> reasons,
                      WindowStats baseline, WindowStats candidate, Agreement agreement) {

    public enum Kind { PASS, FAIL, INCONCLUSIVE }

    public Verdict {
        Objects.requireNonNull(kind, "kind");
        checks = List.copyOf(checks);
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(agreement, "agreement");
    }
}
