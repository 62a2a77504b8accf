package dev.guardian.protocol.check;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to check an agent.
 *
 * @param timeout      the longest wait for any one answer or exit
 * @param payloads     request payloads to send (used in turn); the defaults speak the learner's language,
 *                     but any deterministic agent can be checked with them since errors compare too
 * @param maxLineBytes the largest line read from the agent
 */
public record CheckOptions(Duration timeout, List<JsonNode> payloads, int maxLineBytes) {

    public CheckOptions {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be > 0, but was " + timeout);
        }
        if (payloads == null || payloads.isEmpty()) {
            throw new IllegalArgumentException("payloads must not be empty");
        }
        payloads = List.copyOf(payloads);
        if (maxLineBytes < 64) {
            throw new IllegalArgumentException("maxLineBytes must be >= 64, but was " + maxLineBytes);
        }
    }
}
