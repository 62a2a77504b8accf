package dev.guardian.evolution.traffic;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.guardian.evolution.traffic.internal.Murmur3;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Decides whose answer a client gets during a canary: each request falls in a bucket 0..99 (a murmur3 hash
 * of its sticky key, or of its sequence when it has none) and the candidate answers buckets below its
 * percent. Hence stable (a key always lands in the same bucket), monotone (raising the percent only moves
 * keys from the baseline to the candidate, so a client never flips back), and uniform.
 *
 * <p>The seed differs per deployment ({@link #forDeployment}) so that the same clients are not always the
 * first to meet every new candidate. Immutable and thread-safe.
 */
public final class TrafficSplit {

    private final int seed;

    private TrafficSplit(int seed) {
        this.seed = seed;
    }

    public static TrafficSplit withSeed(int seed) {
        return new TrafficSplit(seed);
    }

    /** A split seeded from the deployment id: fixed for the rollout's whole life, even across restarts. */
    public static TrafficSplit forDeployment(String deploymentId) {
        return new TrafficSplit(Murmur3.hash32(deploymentId.getBytes(StandardCharsets.UTF_8), 0x9747b28c));
    }

    /** The key's bucket, 0..99. */
    public int bucket(String key) {
        return reduce(Murmur3.hash32(key.getBytes(StandardCharsets.UTF_8), seed));
    }

    /** The bucket of a request with no sticky key, from its sequence, 0..99. */
    public int bucket(long seq) {
        return reduce((int) (Murmur3.fmix64(seq ^ ((long) seed << 32 | (seed & 0xffffffffL))) >>> 32));
    }

    /**
     * Whether the candidate answers this request.
     *
     * @param stickyKey        the request's sticky key, or {@code null} to split by {@code seq}
     * @param seq              the request's sequence
     * @param candidatePercent the candidate's share, 0..100 (0: shadow, never; 100: always)
     */
    public boolean candidateAnswers(String stickyKey, long seq, int candidatePercent) {
        if (candidatePercent < 0 || candidatePercent > 100) {
            throw new IllegalArgumentException("candidatePercent must be in 0..100, but was " + candidatePercent);
        }
        int bucket = stickyKey == null ? bucket(seq) : bucket(stickyKey);
        return bucket < candidatePercent;
    }

    /**
     * The sticky key of a request: the value at {@code pointer} in its params (text as is, anything else as
     * its JSON), or empty when the pointer is {@code null} or finds nothing (then split by sequence).
     */
    public static Optional<String> stickyKey(JsonNode params, String pointer) {
        if (pointer == null || params == null) {
            return Optional.empty();
        }
        JsonNode v = params.at(JsonPointer.compile(pointer));
        if (v.isMissingNode() || v.isNull()) {
            return Optional.empty();
        }
        return Optional.of(v.isTextual() ? v.textValue() : v.toString());
    }

    /** Maps a 32-bit hash onto 0..99 by multiply-shift (uses the high bits; bias below 1e-7). */
    private static int reduce(int hash) {
        return (int) (((hash & 0xffffffffL) * 100) >>> 32);
    }
}
