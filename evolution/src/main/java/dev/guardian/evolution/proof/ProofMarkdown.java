package dev.guardian.evolution.proof;

import dev.guardian.evolution.compare.Agreement;
import dev.guardian.evolution.judge.Check;
import dev.guardian.evolution.judge.Verdict;
import dev.guardian.evolution.rollout.RolloutEvent;
import dev.guardian.evolution.rollout.StageVerdicts;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * A proof as a report a person reads ({@code proofs show --md}): the decision and why first, then the
 * numbers that back it (metrics, checks), then how it got there (stages, timeline, drill).
 */
public final class ProofMarkdown {

    private ProofMarkdown() {
    }

    public static String render(Proof p) {
        StringBuilder md = new StringBuilder();
        md.append("# Proof ").append(p.id()).append(": ").append(p.decision().name()).append("\n\n");
        md.append("Deployment `").append(p.deploymentId()).append("` of lineage `").append(p.lineage())
                .append("`: baseline `").append(p.baselineVersionId()).append("` → candidate `")
                .append(p.candidateVersionId()).append("`, strategy ").append(p.strategy().label())
                .append(", decided ").append(p.createdAt()).append(".\n\n");
        p.overrideBy().ifPresent(who -> md.append("**Operator override** by `").append(who).append("`.\n\n"));
        if (p.rollbackLossy()) {
            md.append("**Rollback after promotion is LOSSY**: ").append(p.drill().orElseThrow().detail())
                    .append("\n\n");
        }

        md.append("## Why\n\n");
        if (p.reasons().isEmpty()) {
            md.append("- (no reason recorded)\n");
        }
        p.reasons().forEach(r -> md.append("- ").append(r).append('\n'));
        md.append('\n');

        md.append("## Metrics\n\n");
        if (p.decidingVerdict().isEmpty()) {
            md.append("No verdict was reached before the decision.\n\n");
        } else {
            Verdict v = p.decidingVerdict().orElseThrow();
            md.append("Deciding window: verdict **").append(v.kind()).append("**, baseline span ")
                    .append(v.baseline().span()).append(", candidate span ").append(v.candidate().span())
                    .append(".\n\n");
            md.append("| metric | baseline | candidate | delta | ratio |\n|---|---:|---:|---:|---:|\n");
            for (MetricDelta d : p.deltas()) {
                md.append("| ").append(d.metric()).append(" | ").append(num(d.baseline())).append(" | ")
                        .append(num(d.candidate())).append(" | ").append(signed(d.delta())).append(" | ")
                        .append(Double.isNaN(d.ratio()) ? "n/a" : "×" + num(d.ratio())).append(" |\n");
            }
            Agreement a = v.agreement();
            md.append("\nOutput agreement: ").append(a.agreed()).append(" of ").append(a.compared())
                    .append(a.compared() == 0 ? " (nothing compared)" : String.format(Locale.ROOT, " (%.2f%%)",
                            100 * a.rate()))
                    .append(".\n");
            for (Agreement.Diff diff : a.sampleDiffs()) {
                md.append("- seq ").append(diff.seq()).append(" differs at `").append(diff.path().isEmpty() ? "/"
                        : diff.path()).append("`: baseline `").append(diff.baseline()).append("`, candidate `")
                        .append(diff.candidate()).append("`\n");
            }
            md.append("\n## Checks\n\n");
            if (v.checks().isEmpty()) {
                md.append("No checks recorded.\n");
            } else {
                md.append("| check | outcome | baseline | candidate | rule | threshold | statistic | p-value | reason |\n")
                        .append("|---|---|---:|---:|---|---:|---:|---:|---|\n");
                for (Check c : v.checks()) {
                    md.append("| ").append(cell(c.name())).append(" | ").append(c.outcome()).append(" | ")
                            .append(num(c.baseline())).append(" | ").append(num(c.candidate())).append(" | ")
                            .append(cell(c.rule())).append(" | ").append(num(c.threshold())).append(" | ")
                            .append(opt(c.statistic())).append(" | ").append(opt(c.pValue())).append(" | ")
                            .append(cell(c.reason())).append(" |\n");
                }
            }
            md.append('\n');
        }

        md.append("## Verdicts per stage\n\n");
        if (p.stages().isEmpty()) {
            md.append("No stage was entered.\n");
        }
        for (StageVerdicts s : p.stages()) {
            Map<Verdict.Kind, Integer> counts = new TreeMap<>();
            s.verdicts().forEach(v -> counts.merge(v.kind(), 1, Integer::sum));
            md.append("- ").append(s.label()).append(": ").append(s.judged()).append(" verdict(s)");
            if (!counts.isEmpty()) {
                md.append(s.judged() > s.verdicts().size() ? " — the latest " + s.verdicts().size() + ": " : " — ");
                md.append(String.join(", ", counts.entrySet().stream()
                        .map(e -> e.getKey() + " ×" + e.getValue()).toList()));
            }
            md.append('\n');
        }

        md.append("\n## Timeline\n\n| time | transition | trigger | candidate % | detail |\n|---|---|---|---:|---|\n");
        for (RolloutEvent e : p.timeline()) {
            md.append("| ").append(e.time()).append(" | ").append(e.from().label()).append(" → ")
                    .append(e.to().label()).append(" | ").append(e.trigger().label()).append(" | ")
                    .append(e.candidatePercent()).append(" | ").append(cell(e.detail())).append(" |\n");
        }

        md.append("\n## Rollback drill\n\n");
        md.append(p.drill().map(d -> (d.lossless() ? "Lossless: " : "**LOSSY**: ") + d.detail())
                .orElse("Not run.")).append('\n');
        return md.toString();
    }

    private static String opt(OptionalDouble d) {
        return d.isPresent() ? num(d.getAsDouble()) : "—";
    }

    static String num(double d) {
        if (Double.isNaN(d)) {
            return "n/a";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "∞" : "-∞";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        String s = Math.abs(d) >= 1e-4 ? String.format(Locale.ROOT, "%.4f", d) : String.format(Locale.ROOT, "%.3g", d);
        if (s.contains(".") && !s.contains("e")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }

    private static String signed(double d) {
        return !Double.isNaN(d) && d > 0 ? "+" + num(d) : num(d);
    }

    /** A table cell: pipes and newlines would break the row. */
    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
