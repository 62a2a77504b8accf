package dev.guardian.protocol.check;

import java.util.List;

/** Every rule's result, in {@link Rule} order. */
public record CheckReport(List<String> command, List<RuleResult> results) {

    public CheckReport {
        command = List.copyOf(command);
        results = List.copyOf(results);
    }

    /** True only when every rule passed. */
    public boolean passed() {
        return results.stream().allMatch(RuleResult::passed);
    }

    public long count(RuleResult.Status status) {
        return results.stream().filter(r -> r.status() == status).count();
    }

    public RuleResult result(Rule rule) {
        return results.stream().filter(r -> r.rule() == rule).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no result for " + rule));
    }
}
