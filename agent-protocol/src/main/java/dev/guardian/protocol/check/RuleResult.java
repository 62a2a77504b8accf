package dev.guardian.protocol.check;

import java.util.Objects;

/** The outcome of one rule: PASS, FAIL, or SKIP when an earlier failure made it impossible to check. */
public record RuleResult(Rule rule, Status status, String detail, long millis) {

    public enum Status { PASS, FAIL, SKIP }

    public RuleResult {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    public boolean passed() {
        return status == Status.PASS;
    }
}
