package dev.guardian.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;

/**
 * Something beside the primary that sees every new request too (a shadow or canary instance).
 * Called under the supervisor's sequencer lock, in sequence order: it must not block (queue and
 * return; shed when full).
 */
interface RequestTap {

    /**
     * @param primaryAnswer the primary's answer, when it comes
     * @return the answer the client should get instead of the primary's (a canary's share), or null
     */
    CompletableFuture<Outcome> offer(long seq, String id, JsonNode payload, CompletableFuture<Outcome> primaryAnswer);
}
