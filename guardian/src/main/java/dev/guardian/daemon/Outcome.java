package dev.guardian.daemon;

import com.fasterxml.jackson.databind.JsonNode;

/** What a client gets for a request. */
public sealed interface Outcome {

    /** The agent's response as a client sees it. */
    static Outcome of(long seq, dev.guardian.protocol.Message.Response r) {
        return r.ok() ? new Answered(seq, true, r.payload(), null, null)
                : new Answered(seq, false, null, r.error().code(), r.error().message());
    }

    /** The agent answered (ok or with its own error), and the request is durable. */
    record Answered(long seq, boolean ok, JsonNode payload, String errorCode, String errorMessage) implements Outcome {
    }

    /** Guardian could not get an answer; {@code kind} tells the client what happened. */
    record Failed(Kind kind, String message) implements Outcome {
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
        BAD_REQUEST
    }
}
