package dev.guardian.daemon;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.guardian.protocol.Message;
import java.io.IOException;

/** What a client gets for a request. */
public sealed interface Outcome {

    /** The agent's response as a client sees it. */
    static Outcome of(long seq, Message.Response r) {
        return new Answered(seq, r);
    }

    /**
     * The agent answered (ok or with its own error), and the request is durable. It keeps the
     * response as decoded: a payload that is only relayed to the client is never parsed.
     */
    record Answered(long seq, Message.Response response) implements Outcome {

        public boolean ok() {
            return response.ok();
        }

        /** The payload as a tree (parsed on first use), or null for an error. */
        public JsonNode payload() {
            return response.ok() ? response.payload() : null;
        }

        /** Writes the payload as the next value of {@code g}, as the agent sent it. */
        public void writePayload(JsonGenerator g) throws IOException {
            response.writePayload(g);
        }

        public String errorCode() {
            return response.ok() ? null : response.error().code();
        }

        public String errorMessage() {
            return response.ok() ? null : response.error().message();
        }
    }

    /**
     * Guardian could not get an answer; {@code kind} tells the client what happened. With
     * {@code logged}, the request is in the log and may still be applied (at the next recovery):
     * the client learns its outcome by retrying with the same idempotency key.
     */
    record Failed(Kind kind, String message, boolean logged) implements Outcome {

        /** A failure of a request that was not logged: it is not and will not be applied. */
        public Failed(Kind kind, String message) {
            this(kind, message, false);
        }
    }

    /** Why a request got no answer. */
    enum Kind {
        /** No answer within the request timeout. */
        TIMEOUT,
        /** Too much waiting already: try again later. */
        OVERLOADED,
        /** The agent is FAILED (restarts and escalation exhausted). */
        AGENT_FAILED,
        /** The agent crashed every time it got this request; it was set aside. */
        POISON,
        /** Guardian is stopping, or its log failed. */
        UNAVAILABLE,
        /** The request itself is invalid. */
        BAD_REQUEST,
        /** The idempotency key was used before with another payload. */
        KEY_REUSED
    }
}
