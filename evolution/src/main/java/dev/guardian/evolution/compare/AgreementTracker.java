package dev.guardian.evolution.compare;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Counts how often a candidate's answers matched the baseline's over a window, keeping the first
 * {@code maxSampleDiffs} disagreements as evidence for the proof (the earliest ones: they are stable
 * across re-reads of a window and usually show the pattern).
 *
 * <p>By default only pairs where both answers succeeded are compared: a failure on one side
 * ({@code "ok": false}) is the error-rate check's business, and counting a transient failure again
 * as a disagreement would make two identical versions disagree at twice their error rate.
 *
 * <p>Threading: any thread may call any method. The comparison runs outside the lock (it is pure
 * and may walk large answers); only the counters and the sample list are guarded by {@code this}.
 */
public final class AgreementTracker {

    /** Default number of disagreements kept: enough to see a pattern in a proof, small in memory. */
    public static final int DEFAULT_MAX_SAMPLE_DIFFS = 20;

    /** What {@link #record} did with a pair of answers. */
    public enum Outcome { AGREED, DIFFERED, SKIPPED }

    private final OutputComparator comparator;
    private final int maxSampleDiffs;
    private final boolean includeFailures;

    // guarded by this
    private long compared;
    private long agreed;
    private final List<Agreement.Diff> diffs = new ArrayList<>();

    /**
     * @param includeFailures also compare pairs where an answer is a failure, e.g. for a deterministic
     *                        agent whose errors are part of its contract
     */
    public AgreementTracker(OutputComparator comparator, int maxSampleDiffs, boolean includeFailures) {
        this.comparator = Objects.requireNonNull(comparator, "comparator");
        if (maxSampleDiffs < 0) {
            throw new IllegalArgumentException("maxSampleDiffs must be >= 0, but was " + maxSampleDiffs);
        }
        this.maxSampleDiffs = maxSampleDiffs;
        this.includeFailures = includeFailures;
    }

    /** Compares successful answers only, keeping {@value #DEFAULT_MAX_SAMPLE_DIFFS} sample diffs. */
    public AgreementTracker(OutputComparator comparator) {
        this(comparator, DEFAULT_MAX_SAMPLE_DIFFS, false);
    }

    /**
     * Compares both answers to request {@code seq}. Call only when both instances answered: a missing
     * answer is a timeout, counted by the metric window, not here.
     */
    public Outcome record(long seq, JsonNode baseline, JsonNode candidate) {
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(candidate, "candidate");
        if (!includeFailures && (isFailure(baseline) || isFailure(candidate))) {
            return Outcome.SKIPPED;
        }
        Optional<String> difference = comparator.firstDifference(baseline, candidate);
        synchronized (this) {
            compared++;
            if (difference.isEmpty()) {
                agreed++;
            } else if (diffs.size() < maxSampleDiffs) {
                diffs.add(new Agreement.Diff(seq, difference.get(), baseline, candidate));
            }
        }
        return difference.isEmpty() ? Outcome.AGREED : Outcome.DIFFERED;
    }

    /**
     * Counts an agreement on request {@code seq} without comparing: for two successful answers whose
     * payloads are the same bytes, which every comparator finds equal. Spares parsing both answers
     * for the comparison, the common case when a candidate mirrors all traffic.
     */
    public synchronized void recordIdentical(long seq) {
        compared++;
        agreed++;
    }

    private static boolean isFailure(JsonNode answer) {
        JsonNode ok = answer.get("ok");
        return ok != null && ok.isBoolean() && !ok.booleanValue();
    }

    /** The window so far; sample diffs ordered by sequence (concurrent callers may record out of order). */
    public synchronized Agreement snapshot() {
        List<Agreement.Diff> ordered = new ArrayList<>(diffs);
        ordered.sort(Comparator.comparingLong(Agreement.Diff::seq));
        return new Agreement(compared, agreed, ordered);
    }

    /** Starts a new window (e.g. for the next canary stage). */
    public synchronized void reset() {
        compared = 0;
        agreed = 0;
        diffs.clear();
    }
}
