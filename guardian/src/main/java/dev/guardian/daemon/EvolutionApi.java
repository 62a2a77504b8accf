package dev.guardian.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.config.RolloutSettings;
import dev.guardian.evolution.rollout.Strategy;
import dev.guardian.evolution.version.Origin;
import dev.guardian.evolution.version.Version;
import dev.guardian.http.HttpApi.Reply;
import dev.guardian.http.HttpApi.Request;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The admin endpoints of versions and rollouts (behind {@link AdminApi}'s token check):
 * <pre>
 * POST /admin/deploy      {command, env?, genome?, files? (name → base64), modes? (name → "0755"), rationale?, strategy?}
 *                         → 202 {deployment, version}; a file without a mode is written 0644
 * POST /admin/rollback    {deployment?, reason?}   a rollout in progress: at once; none: back to the previous version
 * POST /admin/promote     {deployment?}            a rollout in progress: now (recorded as an override)
 * GET  /admin/versions    every registered version
 * </pre>
 * A bad body gets 400 naming the field and the value.
 */
final class EvolutionApi {

    private final Rollouts rollouts;
    private final VersionStore versions;
    private final PrimarySupervisor primary;
    private final ObjectMapper json;

    EvolutionApi(Rollouts rollouts, VersionStore versions, PrimarySupervisor primary, ObjectMapper json) {
        this.rollouts = rollouts;
        this.versions = versions;
        this.primary = primary;
        this.json = json;
    }

    /** The reply, or null when the path is not one of these endpoints. */
    Reply handle(Request request) {
        try {
            return switch (request.method() + " " + request.path()) {
                case "POST /admin/deploy" -> deploy(body(request));
                case "POST /admin/rollback" -> rollback(body(request));
                case "POST /admin/promote" -> promote(body(request));
                case "GET /admin/versions" -> JsonReplies.json(json, 200, versionsJson());
                default -> null;
            };
        } catch (BadRequest | IllegalArgumentException e) {
            return JsonReplies.error(json, 400, "bad_request", e.getMessage());
        } catch (NoSuchElementException e) {
            return JsonReplies.error(json, 404, "not_found", e.getMessage());
        } catch (Conflict e) {
            return JsonReplies.error(json, 409, "conflict", e.getMessage());
        } catch (RuntimeException e) {
            return JsonReplies.error(json, 500, "internal", PrimarySupervisor.rootMessage(e));
        }
    }

    /** {@code field}, when present and not null, must be an object of strings (a list of them was silently ignored). */
    static void requireObjectOfStrings(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return;
        }
        if (!n.isObject()) {
            throw new BadRequest(field + " must be an object of names to strings, but was " + n);
        }
        n.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw new BadRequest(field + "." + e.getKey() + " must be a string, but was " + e.getValue());
            }
        });
    }

    private Reply deploy(JsonNode body) {
        List<String> command = new ArrayList<>();
        JsonNode cmd = body.path("command");
        if (!cmd.isArray() || cmd.isEmpty()) {
            throw new BadRequest("command must be a non-empty array of strings, but was " + cmd);
        }
        cmd.forEach(c -> {
            if (!c.isTextual() || c.asText().isEmpty()) {
                throw new BadRequest("command must hold non-empty strings, but held " + c);
            }
            command.add(c.asText());
        });
        Map<String, String> env = new LinkedHashMap<>(primary.currentVersion().env());
        requireObjectOfStrings(body, "env");
        body.path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        Map<String, byte[]> files = new LinkedHashMap<>();
        requireObjectOfStrings(body, "files");
        body.path("files").fields().forEachRemaining(f -> {
            try {
                files.put(f.getKey(), Base64.getDecoder().decode(f.getValue().asText()));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("files." + f.getKey() + " must be base64, but is not: " + e.getMessage());
            }
        });
        // Each value must be a string: a JSON number such as 755 would be read as decimal.
        Map<String, String> modes = new LinkedHashMap<>();
        requireObjectOfStrings(body, "modes");
        body.path("modes").fields().forEachRemaining(m -> modes.put(m.getKey(), m.getValue().asText()));
        JsonNode genome = body.hasNonNull("genome") ? body.get("genome") : null;
        Strategy strategy = body.hasNonNull("strategy")
                ? RolloutSettings.strategy("strategy", body.get("strategy").asText()) : rollouts.settings().defaultStrategy();
        Origin origin = body.hasNonNull("origin") ? Origin.parse(body.get("origin").asText()) : Origin.MANUAL;
        Version v = versions.register(command, env, files, modes, genome, Optional.of(primary.currentVersion().id()), origin,
                body.path("rationale").asText(""), Instant.now());
        if (primary.phase() == PrimarySupervisor.Phase.FAILED && revive(v)) {
            return JsonReplies.json(json, 200, json.createObjectNode().put("revived", true).put("version", v.id())
                    .put("message", "the primary was FAILED: version " + v.id() + " runs as the primary now, without a rollout "
                            + "(there was no running version to compare it with)"));
        }
        Rollouts.Started s = rollouts.deploy(v, strategy);
        ObjectNode out = json.createObjectNode().put("deployment", s.deploymentId()).put("version", v.id())
                .put("strategy", s.strategy().name().toLowerCase(java.util.Locale.ROOT));
        return JsonReplies.json(json, 202, out);
    }

    private boolean revive(Version v) {
        try {
            return primary.reviveAs(v, java.time.Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reviving the FAILED primary with " + v.id());
        } catch (Exception e) {
            throw new IllegalStateException("could not revive the FAILED primary with " + v.id() + ": " + PrimarySupervisor.rootMessage(e));
        }
    }

    private Reply rollback(JsonNode body) {
        String reason = body.path("reason").asText("rolled back by an operator");
        if (rollouts.hasActive() || body.hasNonNull("deployment")) {
            String id = rollouts.rollback(text(body, "deployment"), "operator", reason);
            return JsonReplies.json(json, 200, json.createObjectNode().put("rolled_back", id));
        }
        Version now = primary.currentVersion();
        String to = now.parent().orElseThrow(() -> new Conflict("no rollout is in progress and version "
                + now.id() + " has no previous version to go back to"));
        Version previous = versions.find(to).orElseThrow(() -> new NoSuchElementException("version " + to + " is not registered"));
        try {
            primary.switchTo(previous, java.time.Duration.ofSeconds(30));
        } catch (Exception e) {
            throw new IllegalStateException("could not switch back to " + previous.id() + ": " + PrimarySupervisor.rootMessage(e), e);
        }
        return JsonReplies.json(json, 200, json.createObjectNode().put("version", previous.id()).put("from", now.id()));
    }

    private Reply promote(JsonNode body) {
        String id = rollouts.promote(text(body, "deployment"), "operator");
        return JsonReplies.json(json, 200, json.createObjectNode().put("promoted", id));
    }

    private ArrayNode versionsJson() {
        ArrayNode out = json.createArrayNode();
        String current = primary.currentVersion().id();
        for (Version v : versions.list()) {
            out.add(VersionStore.toJson(v, current));
        }
        return out;
    }

    private JsonNode body(Request r) {
        if (r.body() == null || r.body().length == 0) {
            return json.createObjectNode();
        }
        try {
            JsonNode n = json.readTree(r.body());
            if (n == null || !n.isObject()) {
                throw new BadRequest("the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new BadRequest("the body is not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    private static String text(JsonNode body, String field) {
        return body.hasNonNull(field) ? body.get(field).asText() : null;
    }



    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }
}
