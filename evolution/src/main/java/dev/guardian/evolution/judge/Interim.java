package dev.guardian.evolution.judge;

import java.util.List;
import java.util.Set;

/**
 * What a verdict may decide before its window is complete. A window is judged on every tick, but a
 * statistical test repeated on a growing window is a new chance of a false alarm each time (the
 * optional-stopping problem): an identical version would fail sooner or later. So before the
 * window has its minimum samples and duration, only the hard limits (a crash, a run of failures,
 * protocol errors, a leak, wrong answers) may fail a candidate; statistical failures wait for the
 * window's end, where they are tested once.
 */
public final class Interim {

    /** The checks that are evidence on their own, whatever the sample size. */
    public static final Set<String> HARD_CHECKS = Set.of("restarts", "protocol-errors", "consecutive-failures",
            "memory-growth", "agreement");

    private Interim() {
    }

    /** {@code v} as it may act before the window is complete: FAIL only on a hard limit. */
    public static Verdict beforeWindowEnds(Verdict v) {
        if (v.kind() != Verdict.Kind.FAIL) {
            return v;
        }
        List<Check> hard = v.checks().stream()
                .filter(c -> c.outcome() == Verdict.Kind.FAIL && HARD_CHECKS.contains(c.name())).toList();
        if (!hard.isEmpty()) {
            return new Verdict(Verdict.Kind.FAIL, v.checks(), hard.stream().map(Check::reason).toList(), v.baseline(),
                    v.candidate(), v.agreement());
        }
        List<String> pending = v.checks().stream().filter(c -> c.outcome() == Verdict.Kind.FAIL)
                .map(c -> c.reason() + " (to be confirmed when the window is complete)").toList();
        return new Verdict(Verdict.Kind.INCONCLUSIVE, v.checks(), pending, v.baseline(), v.candidate(), v.agreement());
    }
}
