package dev.guardian.evolution.judge;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One test the judge ran: a threshold on a metric, or a statistical test, with every number a person
 * needs to check it.
 *
 * @param name      what was tested, e.g. {@code error-rate}, {@code latency-p99}, {@code latency-mann-whitney}
 * @param baseline  the baseline's value of the metric (NaN when not applicable)
 * @param candidate the candidate's value
 * @param threshold the limit the candidate was held to (meaning given by {@code rule})
 * @param rule      the rule in words, e.g. {@code "candidate <= 1.5 x baseline"}
 * @param statistic a test statistic, for statistical tests (e.g. U, z)
 * @param pValue    its p-value, for statistical tests
 * @param outcome   pass, fail, or inconclusive (e.g. too few samples)
 * @param reason    one line a person reads in a proof
 */
public record Check(String name, double baseline, double candidate, double threshold, String rule,
                    OptionalDouble statistic, OptionalDouble pValue, Verdict.Kind outcome, String reason) {

    public Check {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(statistic, "statistic");
        Objects.requireNonNull(pValue, "pValue");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
    }
}
