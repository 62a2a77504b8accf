package dev.guardian.protocol.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guardian.protocol.Message;

/**
 * One request as the agent sees it.
 *
 * @param id        the request id (idempotency key)
 * @param seq       its WAL sequence
 * @param payload   the client's payload
 * @param replay    true while memory is being rebuilt: the answer will be discarded
 * @param duplicate true when {@code seq} is already covered by memory: answer, but change nothing
 * @param role      the role of this instance; a shadow must not touch the outside world
 */
public record AgentRequest(String id, long seq, JsonNode payload, boolean replay, boolean duplicate, Message.Role role) {
}
