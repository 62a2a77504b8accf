package dev.guardian.evolution.proof;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.evolution.proof.internal.JsonCodec;
import dev.guardian.evolution.rollout.Strategy;
import java.time.Instant;
import java.util.Optional;

/**
 * A proof as JSON: the body of a vault {@code ProofRecord} and the output of {@code proofs show --json}.
 * It carries {@code schemaVersion}: this release writes {@value #SCHEMA_VERSION} and reads every version up to
 * it, so later releases keep reading old proofs, and an old release refuses a newer proof rather than
 * misreading it. {@code deltas} and {@code rollbackLossy} are written for readers of the JSON but derived
 * again on reading (the verdict's windows and the drill are the source of truth).
 */
public final class ProofJson {

    public static final int SCHEMA_VERSION = 1;

    private ProofJson() {
    }

    public static ObjectNode toJson(Proof p) {
        ObjectNode n = JsonCodec.F.objectNode();
        n.put("schemaVersion", SCHEMA_VERSION);
        n.put("id", p.id());
        n.put("deploymentId", p.deploymentId());
        n.put("lineage", p.lineage());
        n.put("baselineVersionId", p.baselineVersionId());
        n.put("candidateVersionId", p.candidateVersionId());
        n.put("strategy", p.strategy().label());
        n.put("decision", p.decision().label());
        p.overrideBy().ifPresent(who -> n.put("overrideBy", who));
        n.set("reasons", JsonCodec.strings(p.reasons()));
        n.put("rollbackLossy", p.rollbackLossy());
        p.decidingVerdict().ifPresent(v -> n.set("decidingVerdict", JsonCodec.verdict(v)));
        n.set("deltas", JsonCodec.array(p.deltas(), d -> {
            ObjectNode x = JsonCodec.F.objectNode();
            x.put("metric", d.metric());
            JsonCodec.putDouble(x, "baseline", d.baseline());
            JsonCodec.putDouble(x, "candidate", d.candidate());
            JsonCodec.putDouble(x, "delta", d.delta());
            JsonCodec.putDouble(x, "ratio", d.ratio());
            return x;
        }));
        n.set("stages", JsonCodec.array(p.stages(), JsonCodec::stage));
        n.set("timeline", JsonCodec.array(p.timeline(), JsonCodec::event));
        p.drill().ifPresent(d -> n.set("drill", JsonCodec.drill(d)));
        n.put("createdAt", p.createdAt().toString());
        return n;
    }

    /**
     * Reads a proof written by this or an earlier release.
     *
     * @throws IllegalArgumentException naming the field when the JSON is not a proof, or its schema is newer
     */
    public static Proof fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("a proof must be a JSON object, but was " + n);
        }
        int version = JsonCodec.req(n, "proof", "schemaVersion").asInt();
        if (version < 1 || version > SCHEMA_VERSION) {
            throw new IllegalArgumentException("proof.schemaVersion " + version + " is not readable by this release "
                    + "(reads 1.." + SCHEMA_VERSION + ")");
        }
        JsonNode verdict = n.get("decidingVerdict");
        JsonNode drill = n.get("drill");
        return new Proof(JsonCodec.text(n, "proof", "id"), JsonCodec.text(n, "proof", "deploymentId"),
                JsonCodec.text(n, "proof", "lineage"), JsonCodec.text(n, "proof", "baselineVersionId"),
                JsonCodec.text(n, "proof", "candidateVersionId"),
                Strategy.fromLabel(JsonCodec.text(n, "proof", "strategy")),
                Decision.fromLabel(JsonCodec.text(n, "proof", "decision")),
                Optional.ofNullable(JsonCodec.optText(n, "overrideBy")), JsonCodec.strings(n, "reasons"),
                verdict == null || verdict.isNull() ? Optional.empty() : Optional.of(JsonCodec.verdict(verdict)),
                JsonCodec.list(n, "stages", JsonCodec::stage), JsonCodec.list(n, "timeline", JsonCodec::event),
                drill == null || drill.isNull() ? Optional.empty() : Optional.of(JsonCodec.drill(drill)),
                Instant.parse(JsonCodec.text(n, "proof", "createdAt")));
    }
}
