package dev.guardian.bench.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.concurrent.CompletableFuture;

/**
 * What {@code POST /v1/invoke} does, independent of the HTTP library: parse the body with Jackson,
 * forward its {@code payload} to the agent, answer with the agent's payload. Every candidate server
 * only maps HTTP onto {@link #invoke(byte[])}.
 */
public final class FrontDoor {
    public static final String PATH = "/v1/invoke";

    /** An HTTP answer: status and a JSON body. */
    public record Reply(int status, byte[] body) {}

    private final AgentPipe pipe;

    public FrontDoor(AgentPipe pipe) {
        this.pipe = pipe;
    }

    public CompletableFuture<Reply> invoke(byte[] body) {
        JsonNode payload;
        try {
            JsonNode req = AgentPipe.MAPPER.readTree(body);
            payload = req == null ? null : req.get("payload");
        } catch (Exception e) {
            return CompletableFuture.completedFuture(error(400, "bad_request", "body is not JSON: " + e.getMessage()));
        }
        if (payload == null) {
            return CompletableFuture.completedFuture(error(400, "bad_request", "body has no payload"));
        }
        return pipe.request(payload).handle((resp, ex) -> {
            if (ex != null) return error(503, "agent_unavailable", String.valueOf(ex.getMessage()));
            try {
                if (resp.path("ok").asBoolean(false)) {
                    return new Reply(200, AgentPipe.MAPPER.writeValueAsBytes(resp.get("payload")));
                }
                return new Reply(502, AgentPipe.MAPPER.writeValueAsBytes(resp.get("error")));
            } catch (Exception e) {
                return error(500, "internal", e.toString());
            }
        });
    }

    public static Reply error(int status, String code, String message) {
        ObjectNode n = AgentPipe.MAPPER.createObjectNode();
        n.put("code", code).put("message", message);
        try {
            return new Reply(status, AgentPipe.MAPPER.writeValueAsBytes(n));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static final Reply NOT_FOUND = error(404, "not_found", "only POST " + PATH);
    public static final Reply NOT_ALLOWED = error(405, "method_not_allowed", "only POST " + PATH);
}
