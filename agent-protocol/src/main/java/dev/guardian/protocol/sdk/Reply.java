package dev.guardian.protocol.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** An agent's answer to one request: a payload, or an error code and message; optionally a score. */
public final class Reply {

    private final JsonNode payload;
    private final String errorCode;
    private final String errorMessage;
    private final Double score;

    private Reply(JsonNode payload, String errorCode, String errorMessage, Double score) {
        this.payload = payload;
        this.errorCode = errorCode;
        this.errorMessage = errorMessage;
        this.score = score;
    }

    public static Reply ok(JsonNode payload) {
        return new Reply(Objects.requireNonNull(payload, "payload"), null, null, null);
    }

    public static Reply error(String code, String message) {
        return new Reply(null, Objects.requireNonNull(code, "code"), message, null);
    }

    /** This reply with the agent's own quality score attached (used by evolution). */
    public Reply withScore(double score) {
        return new Reply(payload, errorCode, errorMessage, score);
    }

    public boolean ok() {
        return errorCode == null;
    }

    public JsonNode payload() {
        return payload;
    }

    public String errorCode() {
        return errorCode;
    }

    public String errorMessage() {
        return errorMessage;
    }

    public Double score() {
        return score;
    }
}
