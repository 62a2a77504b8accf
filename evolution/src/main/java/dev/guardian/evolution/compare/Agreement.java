package dev.guardian.evolution.compare;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * How often a candidate's answers matched the baseline's on the same requests.
 *
 * @param compared    requests answered by both and compared
 * @param agreed      of those, the ones judged equal
 * @param sampleDiffs a bounded sample of disagreements, oldest first
 */
public record Agreement(long compared, long agreed, List<Diff> sampleDiffs) {

    public Agreement {
        sampleDiffs = List.copyOf(sampleDiffs);
        if (agreed < 0 || compared < agreed) {
            throw new IllegalArgumentException("agreed must be in [0, compared], but was " + agreed + " of " + compared);
        }
    }

    public static final Agreement NONE = new Agreement(0, 0, List.of());

    /** agreed / compared; 1.0 when nothing was compared (no evidence of disagreement). */
    public double rate() {
        return compared == 0 ? 1.0 : (double) agreed / compared;
    }

    /**
     * One disagreement.
     *
     * @param seq       the request's sequence
     * @param path      where the answers first differ (JSON pointer, "" for the whole answer)
     * @param baseline  the baseline's answer
     * @param candidate the candidate's answer
     */
    public record Diff(long seq, String path, JsonNode baseline, JsonNode candidate) {
        public Diff {
            Objects.requireNonNull(path, "path");
        }
    }
}
