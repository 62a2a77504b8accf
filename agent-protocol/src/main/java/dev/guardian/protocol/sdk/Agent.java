package dev.guardian.protocol.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What an agent author writes: the logic over the agent's memory. The SDK calls these methods from
 * one thread, in request order, so an implementation needs no locking of its own.
 *
 * <p>Memory must be a deterministic function of the restored memory and the requests applied in
 * order (docs/protocol.md §5): no clock, no randomness without a seed kept in memory.
 */
public interface Agent {

    /**
     * Applies one request to memory and returns the answer. When {@link AgentRequest#duplicate()}
     * is true, the request was already applied (it is being redelivered): answer it without
     * changing memory. An exception becomes a failed response with code {@code internal_error}.
     */
    Reply handle(AgentRequest request) throws Exception;

    /** The current memory, as JSON; given back verbatim to {@link #restore} in a later process. */
    JsonNode snapshot();

    /** Replaces memory with a snapshot, or with a fresh memory when {@code memory} is null. */
    void restore(JsonNode memory);
}
