package dev.guardian.evolution.compare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guardian.evolution.compare.internal.JsonComparator;
import java.util.Optional;

/**
 * Decides whether a candidate's answer matches the baseline's for the same request. Answers are the
 * daemon's envelopes, {@code {"ok":true,"payload":...}} or {@code {"ok":false,"error":...}}, so an
 * ok-versus-error difference shows up at {@code /ok}.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface OutputComparator {

    /**
     * Where the two answers first differ, as a JSON pointer ({@code ""} for the whole answer), or
     * empty when they match. "First" is deterministic: object keys in the baseline's order, then keys
     * only the candidate has; array elements by index.
     */
    Optional<String> firstDifference(JsonNode baseline, JsonNode candidate);

    default boolean matches(JsonNode baseline, JsonNode candidate) {
        return firstDifference(baseline, candidate).isEmpty();
    }

    /**
     * Equal JSON values: same types and same numbers as written ({@code 1} differs from {@code 1.0}),
     * nothing ignored. Object key order is not part of a JSON value, so it never matters.
     */
    static OutputComparator exact() {
        return JsonComparator.EXACT;
    }

    /**
     * Equal after dropping {@code config.ignoredPaths()}, with numbers compared by value within the
     * tolerances (so {@code 1} equals {@code 1.0}); object key order ignored, arrays ordered.
     */
    static OutputComparator structural(ComparisonConfig config) {
        return new JsonComparator(config, false);
    }
}
