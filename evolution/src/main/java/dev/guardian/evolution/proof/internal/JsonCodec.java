package dev.guardian.evolution.proof.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.evolution.compare.Agreement;
import dev.guardian.evolution.judge.Check;
import dev.guardian.evolution.judge.Verdict;
import dev.guardian.evolution.metrics.WindowStats;
import dev.guardian.evolution.rollout.DrillResult;
import dev.guardian.evolution.rollout.RolloutEvent;
import dev.guardian.evolution.rollout.RolloutPlan;
import dev.guardian.evolution.rollout.RolloutState;
import dev.guardian.evolution.rollout.RolloutTrigger;
import dev.guardian.evolution.rollout.StageVerdicts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * Hand-written JSON for the judge's and the rollout's types. Hand-written, not annotated, because the
 * form is a stored format: field names must not follow a Java rename. Non-finite doubles (a latency with no
 * sample is NaN) are written as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"},
 * which plain JSON cannot hold as numbers. Readers tolerate missing optional fields and ignore unknown ones.
 */
public final class JsonCodec {

    public static final JsonNodeFactory F = JsonNodeFactory.instance;

    private JsonCodec() {
    }

    // ---- primitives

    public static void putDouble(ObjectNode n, String field, double d) {
        if (Double.isFinite(d)) {
            n.put(field, d);
        } else {
            n.put(field, Double.toString(d));
        }
    }

    public static double getDouble(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            return Double.parseDouble(v.textValue());
        }
        return Double.NaN;
    }

    public static JsonNode req(JsonNode n, String what, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(what + "." + field + " is missing");
        }
        return v;
    }

    public static String text(JsonNode n, String what, String field) {
        return req(n, what, field).asText();
    }

    public static String optText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    public static <T> ArrayNode array(List<T> items, Function<T, JsonNode> f) {
        ArrayNode a = F.arrayNode();
        items.forEach(i -> a.add(f.apply(i)));
        return a;
    }

    public static <T> List<T> list(JsonNode n, String field, Function<JsonNode, T> f) {
        List<T> out = new ArrayList<>();
        n.path(field).forEach(e -> out.add(f.apply(e)));
        return out;
    }

    public static ArrayNode strings(List<String> items) {
        return array(items, F::textNode);
    }

    public static List<String> strings(JsonNode n, String field) {
        return list(n, field, JsonNode::asText);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static Verdict.Kind kind(String s) {
        return Verdict.Kind.valueOf(s.toUpperCase(Locale.ROOT));
    }

    // ---- judge

    public static ObjectNode windowStats(WindowStats s) {
        ObjectNode n = F.objectNode();
        n.put("requests", s.requests());
        n.put("errors", s.errors());
        n.put("timeouts", s.timeouts());
        n.put("shed", s.shed());
        putDouble(n, "latencyP50Ms", s.latencyP50Ms());
        putDouble(n, "latencyP95Ms", s.latencyP95Ms());
        putDouble(n, "latencyP99Ms", s.latencyP99Ms());
        putDouble(n, "throughputPerSec", s.throughputPerSec());
        n.put("rssStartBytes", s.rssStartBytes());
        n.put("rssEndBytes", s.rssEndBytes());
        putDouble(n, "cpuSeconds", s.cpuSeconds());
        n.put("restarts", s.restarts());
        n.put("protocolErrors", s.protocolErrors());
        n.put("consecutiveFailures", s.consecutiveFailures());
        n.put("span", s.span().toString());
        return n;
    }

    public static WindowStats windowStats(JsonNode n) {
        return new WindowStats(n.path("requests").asLong(), n.path("errors").asLong(), n.path("timeouts").asLong(),
                n.path("shed").asLong(), getDouble(n, "latencyP50Ms"), getDouble(n, "latencyP95Ms"),
                getDouble(n, "latencyP99Ms"), getDouble(n, "throughputPerSec"), n.path("rssStartBytes").asLong(),
                n.path("rssEndBytes").asLong(), getDouble(n, "cpuSeconds"), n.path("restarts").asLong(),
                n.path("protocolErrors").asLong(), n.path("consecutiveFailures").asLong(),
                Duration.parse(text(n, "windowStats", "span")));
    }

    public static ObjectNode check(Check c) {
        ObjectNode n = F.objectNode();
        n.put("name", c.name());
        n.put("outcome", lower(c.outcome()));
        putDouble(n, "baseline", c.baseline());
        putDouble(n, "candidate", c.candidate());
        putDouble(n, "threshold", c.threshold());
        n.put("rule", c.rule());
        if (c.statistic().isPresent()) {
            putDouble(n, "statistic", c.statistic().getAsDouble());
        }
        if (c.pValue().isPresent()) {
            putDouble(n, "pValue", c.pValue().getAsDouble());
        }
        n.put("reason", c.reason());
        return n;
    }

    public static Check check(JsonNode n) {
        return new Check(text(n, "check", "name"), getDouble(n, "baseline"), getDouble(n, "candidate"),
                getDouble(n, "threshold"), n.path("rule").asText(""), optDouble(n, "statistic"),
                optDouble(n, "pValue"), kind(text(n, "check", "outcome")), n.path("reason").asText(""));
    }

    private static OptionalDouble optDouble(JsonNode n, String field) {
        return n.hasNonNull(field) ? OptionalDouble.of(getDouble(n, field)) : OptionalDouble.empty();
    }

    public static ObjectNode agreement(Agreement a) {
        ObjectNode n = F.objectNode();
        n.put("compared", a.compared());
        n.put("agreed", a.agreed());
        n.set("sampleDiffs", array(a.sampleDiffs(), d -> {
            ObjectNode x = F.objectNode();
            x.put("seq", d.seq());
            x.put("path", d.path());
            x.set("baseline", d.baseline() == null ? F.nullNode() : d.baseline());
            x.set("candidate", d.candidate() == null ? F.nullNode() : d.candidate());
            return x;
        }));
        return n;
    }

    public static Agreement agreement(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return Agreement.NONE;
        }
        return new Agreement(n.path("compared").asLong(), n.path("agreed").asLong(), list(n, "sampleDiffs",
                d -> new Agreement.Diff(d.path("seq").asLong(), d.path("path").asText(""), d.get("baseline"),
                        d.get("candidate"))));
    }

    public static ObjectNode verdict(Verdict v) {
        ObjectNode n = F.objectNode();
        n.put("kind", lower(v.kind()));
        n.set("reasons", strings(v.reasons()));
        n.set("checks", array(v.checks(), JsonCodec::check));
        n.set("baseline", windowStats(v.baseline()));
        n.set("candidate", windowStats(v.candidate()));
        n.set("agreement", agreement(v.agreement()));
        return n;
    }

    public static Verdict verdict(JsonNode n) {
        return new Verdict(kind(text(n, "verdict", "kind")), list(n, "checks", JsonCodec::check),
                strings(n, "reasons"), windowStats(req(n, "verdict", "baseline")),
                windowStats(req(n, "verdict", "candidate")), agreement(n.get("agreement")));
    }

    // ---- rollout

    public static ObjectNode event(RolloutEvent e) {
        ObjectNode n = F.objectNode();
        n.put("time", e.time().toString());
        n.put("from", e.from().label());
        n.put("to", e.to().label());
        n.put("trigger", e.trigger().label());
        n.put("stage", e.stage());
        n.put("candidatePercent", e.candidatePercent());
        n.put("detail", e.detail());
        return n;
    }

    public static RolloutEvent event(JsonNode n) {
        return new RolloutEvent(Instant.parse(text(n, "event", "time")), RolloutState.fromLabel(text(n, "event", "from")),
                RolloutState.fromLabel(text(n, "event", "to")), RolloutTrigger.fromLabel(text(n, "event", "trigger")),
                n.path("stage").asInt(-1), n.path("candidatePercent").asInt(0), n.path("detail").asText(""));
    }

    public static ObjectNode stage(StageVerdicts s) {
        ObjectNode n = F.objectNode();
        n.put("phase", s.phase().label());
        n.put("stage", s.stage());
        n.put("percent", s.percent());
        n.set("verdicts", array(s.verdicts(), JsonCodec::verdict));
        n.put("judged", s.judged());
        return n;
    }

    public static StageVerdicts stage(JsonNode n) {
        List<Verdict> verdicts = list(n, "verdicts", JsonCodec::verdict);
        // Proofs written before "judged" kept every verdict.
        return new StageVerdicts(RolloutState.fromLabel(text(n, "stage", "phase")), n.path("stage").asInt(-1),
                n.path("percent").asInt(0), verdicts, Math.max(verdicts.size(), n.path("judged").asLong(verdicts.size())));
    }

    public static ObjectNode drill(DrillResult d) {
        ObjectNode n = F.objectNode();
        n.put("lossless", d.lossless());
        n.put("detail", d.detail());
        return n;
    }

    public static DrillResult drill(JsonNode n) {
        return new DrillResult(req(n, "drill", "lossless").asBoolean(), n.path("detail").asText(""));
    }

    public static ObjectNode plan(RolloutPlan p) {
        ObjectNode n = F.objectNode();
        n.put("strategy", p.strategy().label());
        n.put("shadowFirst", p.shadowFirst());
        ArrayNode stages = n.putArray("canaryStages");
        p.canaryStages().forEach(stages::add);
        n.set("canaryStage", window(p.canaryStage()));
        n.set("shadowWindow", window(p.shadowWindow()));
        n.set("directWindow", window(p.directWindow()));
        n.put("maxExtensions", p.maxExtensions());
        n.put("afterExtensions", lower(p.afterExtensions()));
        n.put("drillPolicy", lower(p.drillPolicy()));
        n.put("maxTotalDuration", p.maxTotalDuration().toString());
        if (p.stickyKey() != null) {
            n.put("stickyKey", p.stickyKey());
        }
        return n;
    }

    private static ObjectNode window(RolloutPlan.Window w) {
        ObjectNode n = F.objectNode();
        n.put("minSamples", w.minSamples());
        n.put("minDuration", w.minDuration().toString());
        return n;
    }
}
