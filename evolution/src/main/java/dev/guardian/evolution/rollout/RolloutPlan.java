package dev.guardian.evolution.rollout;

import com.fasterxml.jackson.core.JsonPointer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one rollout proceeds; immutable and validated at construction, each message naming the field and the
 * bad value, so that a bad configuration is refused before a candidate ever starts.
 *
 * @param strategy          shadow, canary or direct
 * @param shadowFirst       for canary and direct: run a shadow window first (the design's pending → shadow →
 *                          canary); ignored for shadow
 * @param canaryStages      the candidate's percent at each canary stage, strictly ascending, ending at 100
 * @param canaryStage       the evidence each canary stage needs before it may advance
 * @param shadowWindow      the evidence the shadow phase needs
 * @param directWindow      the evidence the direct phase needs
 * @param maxExtensions     how many times, per stage, an inconclusive verdict may extend the window
 * @param afterExtensions   what an inconclusive verdict does once the extensions are used up
 * @param drillPolicy       whether a lossy rollback drill blocks promotion
 * @param maxTotalDuration  a rollout still monitored after this long is aborted (and the baseline restored)
 * @param stickyKey         JSON pointer into a request's params whose value keeps a client on one side of a
 *                          canary split; {@code null}: split by request sequence
 */
public record RolloutPlan(Strategy strategy, boolean shadowFirst, List<Integer> canaryStages, Window canaryStage,
                          Window shadowWindow, Window directWindow, int maxExtensions,
                          AfterExtensions afterExtensions, DrillPolicy drillPolicy, Duration maxTotalDuration,
                          String stickyKey) {

    /** What an inconclusive verdict does after {@code maxExtensions}. */
    public enum AfterExtensions {
        /** Stop where it is and wait for an operator (the candidate keeps its share). */
        HOLD,
        /** Roll back: no evidence for the candidate is treated as evidence against it. */
        ROLLBACK
    }

    /** What a lossy rollback drill does to promotion. */
    public enum DrillPolicy {
        /** Do not promote; hold for an operator (who may promote as a recorded override, or roll back). */
        BLOCK,
        /** Promote anyway; the proof marks rollback as lossy. */
        ALLOW
    }

    /**
     * The minimum evidence of one observation window: both must hold before a verdict may advance it.
     *
     * @param minSamples  requests the candidate answered (or shadowed) in the window
     * @param minDuration how long the window has been open
     */
    public record Window(long minSamples, Duration minDuration) {
        public Window {
            Objects.requireNonNull(minDuration, "minDuration");
        }

        void validate(String field) {
            if (minSamples < 0) {
                throw new IllegalArgumentException(field + ".min_samples must be >= 0, but was " + minSamples);
            }
            if (minDuration.isNegative()) {
                throw new IllegalArgumentException(field + ".min_duration must be >= 0, but was " + minDuration);
            }
        }
    }

    public RolloutPlan {
        if (strategy == null) {
            throw new IllegalArgumentException("rollout.strategy must be shadow, canary or direct, but was null");
        }
        if (canaryStages == null || canaryStages.isEmpty()) {
            throw new IllegalArgumentException("rollout.canary.stages must list percents ending at 100, but was "
                    + canaryStages);
        }
        canaryStages = List.copyOf(canaryStages);
        int previous = 0;
        for (Integer p : canaryStages) {
            if (p < 1 || p > 100) {
                throw new IllegalArgumentException("rollout.canary.stages must be percents in 1..100, but was "
                        + canaryStages);
            }
            if (p <= previous) {
                throw new IllegalArgumentException("rollout.canary.stages must ascend strictly, but was " + canaryStages);
            }
            previous = p;
        }
        if (previous != 100) {
            throw new IllegalArgumentException("rollout.canary.stages must end at 100, but was " + canaryStages);
        }
        require(canaryStage, "rollout.canary").validate("rollout.canary");
        require(shadowWindow, "rollout.shadow").validate("rollout.shadow");
        require(directWindow, "rollout.direct").validate("rollout.direct");
        if (maxExtensions < 0) {
            throw new IllegalArgumentException("rollout.inconclusive.max_extensions must be >= 0, but was "
                    + maxExtensions);
        }
        if (afterExtensions == null) {
            throw new IllegalArgumentException("rollout.inconclusive.then must be hold or rollback, but was null");
        }
        if (drillPolicy == null) {
            throw new IllegalArgumentException("rollout.drill.lossy must be block or allow, but was null");
        }
        if (maxTotalDuration == null || maxTotalDuration.isNegative() || maxTotalDuration.isZero()) {
            throw new IllegalArgumentException("rollout.max_duration must be > 0, but was " + maxTotalDuration);
        }
        if (stickyKey != null) {
            try {
                JsonPointer.compile(stickyKey);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("rollout.canary.sticky_key must be a JSON pointer such as "
                        + "'/session_id', but was '" + stickyKey + "'", e);
            }
            if (stickyKey.isEmpty()) {
                throw new IllegalArgumentException("rollout.canary.sticky_key must point into the params, but was ''");
            }
        }
        // Cross-field: a plan whose minimum windows outlast its deadline can never promote.
        Duration least = leastDuration(strategy, shadowFirst, canaryStages.size(), canaryStage, shadowWindow,
                directWindow);
        if (maxTotalDuration.compareTo(least) < 0) {
            throw new IllegalArgumentException("rollout.max_duration must be >= the sum of the minimum windows ("
                    + least + "), but was " + maxTotalDuration);
        }
    }

    /** Canary 10/25/50/100 %, 100 samples and 1 minute per stage, two extensions then hold, lossy drill blocks. */
    public static RolloutPlan ofDefaults() {
        Window oneMinute = new Window(100, Duration.ofMinutes(1));
        return new RolloutPlan(Strategy.CANARY, false, List.of(10, 25, 50, 100), oneMinute, oneMinute, oneMinute,
                2, AfterExtensions.HOLD, DrillPolicy.BLOCK, Duration.ofHours(1), null);
    }

    public RolloutPlan withStrategy(Strategy s, boolean shadowFirstToo) {
        return new RolloutPlan(s, shadowFirstToo, canaryStages, canaryStage, shadowWindow, directWindow,
                maxExtensions, afterExtensions, drillPolicy, maxTotalDuration, stickyKey);
    }

    public RolloutPlan withCanary(List<Integer> stages, Window perStage) {
        return new RolloutPlan(strategy, shadowFirst, stages, perStage, shadowWindow, directWindow,
                maxExtensions, afterExtensions, drillPolicy, maxTotalDuration, stickyKey);
    }

    public RolloutPlan withWindows(Window shadow, Window direct) {
        return new RolloutPlan(strategy, shadowFirst, canaryStages, canaryStage, shadow, direct,
                maxExtensions, afterExtensions, drillPolicy, maxTotalDuration, stickyKey);
    }

    public RolloutPlan withInconclusive(int max, AfterExtensions then) {
        return new RolloutPlan(strategy, shadowFirst, canaryStages, canaryStage, shadowWindow, directWindow,
                max, then, drillPolicy, maxTotalDuration, stickyKey);
    }

    public RolloutPlan withDrillPolicy(DrillPolicy policy) {
        return new RolloutPlan(strategy, shadowFirst, canaryStages, canaryStage, shadowWindow, directWindow,
                maxExtensions, afterExtensions, policy, maxTotalDuration, stickyKey);
    }

    public RolloutPlan withMaxTotalDuration(Duration max) {
        return new RolloutPlan(strategy, shadowFirst, canaryStages, canaryStage, shadowWindow, directWindow,
                maxExtensions, afterExtensions, drillPolicy, max, stickyKey);
    }

    public RolloutPlan withStickyKey(String jsonPointer) {
        return new RolloutPlan(strategy, shadowFirst, canaryStages, canaryStage, shadowWindow, directWindow,
                maxExtensions, afterExtensions, drillPolicy, maxTotalDuration, jsonPointer);
    }

    /** Whether this plan starts with a shadow phase. */
    public boolean startsInShadow() {
        return strategy == Strategy.SHADOW || shadowFirst;
    }

    private static Window require(Window w, String field) {
        if (w == null) {
            throw new IllegalArgumentException(field + " (min_samples, min_duration) must be set, but was null");
        }
        return w;
    }

    private static Duration leastDuration(Strategy strategy, boolean shadowFirst, int stages, Window canary,
                                          Window shadow, Window direct) {
        if (canary == null || shadow == null || direct == null) {
            return Duration.ZERO;
        }
        Duration d = strategy == Strategy.SHADOW || shadowFirst ? shadow.minDuration() : Duration.ZERO;
        return switch (strategy) {
            case SHADOW -> d;
            case CANARY -> d.plus(canary.minDuration().multipliedBy(stages));
            case DIRECT -> d.plus(direct.minDuration());
        };
    }
}
