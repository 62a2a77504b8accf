package dev.guardian.daemon;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.http.HttpApi;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The clients' HTTP API.
 * <pre>
 * POST /v1/invoke  {"payload": ..., "idempotency_key": "..."}   (or an Idempotency-Key header)
 *   200 {"ok":true,"seq":N,"payload":...}              the agent answered
 *   422 {"ok":false,"seq":N,"error":{code,message}}    the agent answered with its own error
 *   400 bad body · 429 overloaded · 502 poison request · 503 agent FAILED or Guardian unavailable · 504 timeout
 * GET  /v1/health  200 when requests are being served, 503 otherwise, {"phase":..., "degraded": why requests cannot be logged}
 * </pre>
 */
final class FrontDoorApi implements HttpApi {


    private final PrimarySupervisor supervisor;
    private final ObjectMapper json;
    private final Metrics metrics;

    FrontDoorApi(PrimarySupervisor supervisor, ObjectMapper json, Metrics metrics) {
        this.supervisor = supervisor;
        this.json = json;
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<Reply> handle(Request request) {
        return handle(request, Runnable::run);
    }

    @Override
    public CompletableFuture<Reply> handle(Request request, Executor replies) {
        if (request.path().equals("/v1/invoke")) {
            if (!request.method().equals("POST")) {
                return done(JsonReplies.error(json, 405, "method_not_allowed", "use POST for /v1/invoke, not " + request.method()));
            }
            return invoke(request, replies);
        }
        if (request.path().equals("/v1/health")) {
            PrimarySupervisor.Phase phase = supervisor.phase();
            ObjectNode body = json.createObjectNode().put("phase", phase.name());
            String storage = supervisor.storageProblem();
            if (storage != null) {
                body.put("degraded", storage);
            }
            return done(JsonReplies.json(json, phase == PrimarySupervisor.Phase.OPEN && storage == null ? 200 : 503, body));
        }
        return done(JsonReplies.error(json, 404, "not_found", "no endpoint " + request.path() + " (try POST /v1/invoke)"));
    }

    private CompletableFuture<Reply> invoke(Request request, Executor replies) {
        JsonNode body;
        try {
            body = json.readTree(request.body());
        } catch (JacksonException e) {
            return done(JsonReplies.error(json, 400, "bad_body", "the body is not JSON: " + e.getOriginalMessage()));
        } catch (java.io.IOException e) {
            return done(JsonReplies.error(json, 400, "bad_body", "the body could not be read: " + e.getMessage()));
        }
        if (body == null || !body.isObject()) {
            return done(JsonReplies.error(json, 400, "bad_body", "the body must be a JSON object with a 'payload', but was "
                    + (body == null || body.isMissingNode() ? "empty" : body.getNodeType().name().toLowerCase(Locale.ROOT))));
        }
        JsonNode payload = body.get("payload");
        if (payload == null) {
            return done(JsonReplies.error(json, 400, "bad_body", "missing field 'payload'"));
        }
        String broken = Unicode.loneSurrogateAt(payload);
        if (broken != null) {
            return done(JsonReplies.error(json, 400, "bad_body", "the payload's string at " + broken
                    + " holds a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape): not Unicode, and no agent could write it back"));
        }
        String key = request.header("idempotency-key");
        if (key != null) {
            String bad = IdempotencyKeys.problem(key);
            if (bad != null) {
                return done(JsonReplies.error(json, 400, "bad_idempotency_key", "header Idempotency-Key " + bad));
            }
        }
        JsonNode keyField = body.get("idempotency_key");
        if (keyField != null && !keyField.isNull()) {
            String bad = keyField.isTextual() ? IdempotencyKeys.problem(keyField.textValue()) : "must be a string, but was " + keyField;
            if (bad != null) {
                return done(JsonReplies.error(json, 400, "bad_body", "field 'idempotency_key' " + bad));
            }
            key = keyField.textValue();
        }
        long t0 = System.nanoTime();
        CompletableFuture<Outcome> outcome = supervisor.submit(payload, key);
        // Metrics and the reply's JSON on the server's threads, not on the thread that completed the
        // outcome (in group mode, a WAL force thread completes a whole batch of them in turn).
        return outcome.isDone() ? done(answer(outcome.join(), t0)) : outcome.thenApplyAsync(o -> answer(o, t0), replies);
    }

    private Reply answer(Outcome outcome, long t0) {
        metrics.record(outcome, System.nanoTime() - t0);
        return toReply(outcome);
    }

    /** {@code {"ok":true,"seq":N,"payload":...}} with the agent's payload bytes copied, not parsed. */
    private Reply okReply(Outcome.Answered a) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(128);
        try (com.fasterxml.jackson.core.JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeBooleanField("ok", true);
            g.writeNumberField("seq", a.seq());
            g.writeFieldName("payload");
            a.writePayload(g);
            g.writeEndObject();
        } catch (java.io.IOException e) {
            return Reply.text(500, "could not write the reply: " + e.getMessage());
        }
        return Reply.json(200, out.toByteArray());
    }

    private Reply toReply(Outcome outcome) {
        if (outcome instanceof Outcome.Answered a) {
            if (a.ok()) {
                return okReply(a);
            }
            ObjectNode body = json.createObjectNode().put("ok", false).put("seq", a.seq());
            body.putObject("error").put("code", a.errorCode()).put("message", a.errorMessage());
            return JsonReplies.json(json, 422, body);
        }
        Outcome.Failed f = (Outcome.Failed) outcome;
        int status = switch (f.kind()) {
            case TIMEOUT -> 504;
            case OVERLOADED -> 429;
            case POISON -> 502;
            case AGENT_FAILED, UNAVAILABLE -> 503;
            case BAD_REQUEST -> 400;
            case KEY_REUSED -> 422;
        };
        String code = f.kind() == Outcome.Kind.KEY_REUSED ? "idempotency_key_reused" : f.kind().name().toLowerCase(Locale.ROOT);
        ObjectNode body = json.createObjectNode();
        body.put("ok", false);
        body.putObject("error").put("code", code).put("message", f.logged()
                ? f.message() + "; the request is in the log and may still be applied: retry with the same idempotency key"
                        + " to learn its outcome"
                : f.message());
        if (status >= 500) {
            // Whether a retry without the key could apply it twice: the one thing a client must know here.
            body.put("may_be_applied", f.logged());
        }
        Reply r = JsonReplies.json(json, status, body);
        return status == 429 || status == 503 ? r.withHeader("Retry-After", "1") : r;
    }



    private static CompletableFuture<Reply> done(Reply r) {
        return CompletableFuture.completedFuture(r);
    }
}
