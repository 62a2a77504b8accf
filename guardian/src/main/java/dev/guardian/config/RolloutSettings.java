package dev.guardian.config;

import dev.guardian.evolution.compare.ComparisonConfig;
import dev.guardian.evolution.compare.OutputComparator;
import dev.guardian.evolution.judge.JudgeConfig;
import dev.guardian.evolution.rollout.RolloutPlan;
import dev.guardian.evolution.rollout.Strategy;
import dev.guardian.process.CpuPriority;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code rollout:} section: how candidates are run and judged. Every absent key takes the
 * evolution module's default; the plan and the judge are built (and so validated) when the config
 * is read, and each error names the YAML key and the value.
 *
 * <pre>
 * rollout:
 *   strategy: canary             # shadow | canary | direct
 *   shadow_first: false          # canary/direct: run a shadow window first
 *   stages: [10, 25, 50, 100]
 *   stage:  {min_samples: 100, min_duration: 1m}     # evidence per canary stage
 *   shadow: {min_samples: 100, min_duration: 1m}
 *   direct: {min_samples: 100, min_duration: 1m}
 *   max_extensions: 2            # inconclusive verdicts extend a window this often ...
 *   after_extensions: hold       # ... then: hold | rollback
 *   drill: block                 # a lossy rollback drill: block | allow promotion
 *   max_duration: 1h
 *   sticky_key: /user            # JSON pointer into the payload: one client stays on one side
 *   evaluate_every: 500ms
 *   shadow_niceness: 10
 *   shadow_scheduling: idle      # idle: shadows run only on CPU the primary leaves (Linux SCHED_IDLE) | nice
 *   follower_queue: 1000         # requests waiting for one candidate or control; past it they are shed
 *   proposals: shadow            # the strategy for the agent's own proposals
 *   compare: {mode: structural, ignore: [/payload/at], abs_tolerance: 0, rel_tolerance: 0}
 *   judge: {max_latency_multiplier: 1.2, min_samples: 200, ...}
 * </pre>
 */
public record RolloutSettings(String strategy, Boolean shadowFirst, List<Integer> stages, Window stage, Window shadow,
        Window direct, Integer maxExtensions, String afterExtensions, String drill, Duration maxDuration, String stickyKey,
        Duration evaluateEvery, Integer shadowNiceness, String shadowScheduling, Integer followerQueue, String proposals, Compare compare,
        Judge judge) {

    /** The largest rollout.follower_queue. */
    public static final int MAX_FOLLOWER_QUEUE = 1_000_000;

    public RolloutSettings {
        RolloutPlan d = RolloutPlan.ofDefaults();
        strategy = strategy == null ? d.strategy().name().toLowerCase(Locale.ROOT) : strategy;
        shadowFirst = shadowFirst == null ? d.shadowFirst() : shadowFirst;
        stages = stages == null ? d.canaryStages() : List.copyOf(stages);
        stage = stage == null ? new Window(null, null) : stage;
        shadow = shadow == null ? new Window(null, null) : shadow;
        direct = direct == null ? new Window(null, null) : direct;
        maxExtensions = maxExtensions == null ? d.maxExtensions() : maxExtensions;
        afterExtensions = afterExtensions == null ? d.afterExtensions().name().toLowerCase(Locale.ROOT) : afterExtensions;
        drill = drill == null ? d.drillPolicy().name().toLowerCase(Locale.ROOT) : drill;
        maxDuration = maxDuration == null ? d.maxTotalDuration() : maxDuration;
        evaluateEvery = evaluateEvery == null ? Duration.ofMillis(500) : evaluateEvery;
        if (evaluateEvery.isNegative() || evaluateEvery.isZero()) {
            throw new IllegalArgumentException("rollout.evaluate_every must be > 0, but was " + Durations.format(evaluateEvery));
        }
        shadowNiceness = shadowNiceness == null ? 10 : shadowNiceness;
        if (shadowNiceness < 0 || shadowNiceness > 19) {
            throw new IllegalArgumentException("rollout.shadow_niceness must be in 0..19, but was " + shadowNiceness);
        }
        shadowScheduling = shadowScheduling == null ? "idle" : shadowScheduling;
        choice("rollout.shadow_scheduling", shadowScheduling, "idle", "nice");
        followerQueue = followerQueue == null ? 1000 : followerQueue;
        if (followerQueue < 1 || followerQueue > MAX_FOLLOWER_QUEUE) {
            // The requests followers may wait for are kept in one ring of twice this size, allocated up front.
            throw new IllegalArgumentException("rollout.follower_queue must be 1.." + MAX_FOLLOWER_QUEUE + ", but was "
                    + followerQueue);
        }
        proposals = proposals == null ? "shadow" : proposals;
        strategy("rollout.strategy", strategy);
        strategy("rollout.proposals", proposals);
        compare = compare == null ? new Compare(null, null, null, null) : compare;
        judge = judge == null ? new Judge(null, null, null, null, null, null, null, null, null, null, null, null, null, null) : judge;
        // Built once here so that a bad value is refused when the config is read (fields are not
        // assigned yet in a compact constructor: the builders take the values).
        plan(Strategy.CANARY, shadowFirst, stages, stage, shadow, direct, maxExtensions, afterExtensions, drill, maxDuration,
                stickyKey);
        named(judge::toJudgeConfig);
    }

    public static RolloutSettings ofDefaults() {
        return new RolloutSettings(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    /** The configured plan, with {@code strategy} (the config's, a deploy's override, or the proposals'). */
    public RolloutPlan plan(Strategy strategy) {
        return plan(strategy, shadowFirst, stages, stage, shadow, direct, maxExtensions, afterExtensions, drill, maxDuration,
                stickyKey);
    }

    private static RolloutPlan plan(Strategy strategy, boolean shadowFirst, List<Integer> stages, Window stage, Window shadow,
            Window direct, int maxExtensions, String afterExtensions, String drill, Duration maxDuration, String stickyKey) {
        RolloutPlan d = RolloutPlan.ofDefaults();
        return named(() -> new RolloutPlan(strategy, shadowFirst, stages, stage.toWindow(d.canaryStage()),
                shadow.toWindow(d.shadowWindow()), direct.toWindow(d.directWindow()), maxExtensions,
                RolloutPlan.AfterExtensions.valueOf(choice("rollout.after_extensions", afterExtensions, "hold", "rollback")),
                RolloutPlan.DrillPolicy.valueOf(choice("rollout.drill", drill, "block", "allow")), maxDuration, stickyKey));
    }

    /**
     * The CPU priority of shadow instances (candidates and controls that give no answers to clients):
     * the configured nice value, and unless {@code shadow_scheduling: nice}, {@code SCHED_IDLE}.
     */
    public CpuPriority shadowPriority() {
        return new CpuPriority(shadowNiceness, "idle".equalsIgnoreCase(shadowScheduling));
    }

    public Strategy defaultStrategy() {
        return strategy("rollout.strategy", strategy);
    }

    public Strategy proposalStrategy() {
        return strategy("rollout.proposals", proposals);
    }

    /** Parses a strategy name; the error names {@code key}. */
    public static Strategy strategy(String key, String value) {
        return Strategy.valueOf(choice(key, value, "shadow", "canary", "direct"));
    }

    public JudgeConfig judgeConfig() {
        return named(judge::toJudgeConfig);
    }

    public OutputComparator comparator() {
        return compare.toComparator();
    }

    /** The evidence a window needs. */
    public record Window(Long minSamples, Duration minDuration) {
        RolloutPlan.Window toWindow(RolloutPlan.Window d) {
            return new RolloutPlan.Window(minSamples == null ? d.minSamples() : minSamples,
                    minDuration == null ? d.minDuration() : minDuration);
        }
    }

    /** How a candidate's answers are compared with the primary's. */
    public record Compare(String mode, List<String> ignore, Double absTolerance, Double relTolerance) {
        public Compare {
            mode = choice("rollout.compare.mode", mode == null ? "exact" : mode, "exact", "structural").toLowerCase(Locale.ROOT);
            ignore = ignore == null ? List.of() : List.copyOf(ignore);
            absTolerance = absTolerance == null ? 0.0 : absTolerance;
            relTolerance = relTolerance == null ? 0.0 : relTolerance;
            if (mode.equals("exact") && (!ignore.isEmpty() || absTolerance != 0 || relTolerance != 0)) {
                throw new IllegalArgumentException("rollout.compare: ignore and tolerances need mode: structural, but mode was exact");
            }
            comparator(mode, ignore, absTolerance, relTolerance);
        }

        OutputComparator toComparator() {
            return comparator(mode, ignore, absTolerance, relTolerance);
        }

        private static OutputComparator comparator(String mode, List<String> ignore, double abs, double rel) {
            if (mode.equals("exact")) {
                return OutputComparator.exact();
            }
            return named(() -> OutputComparator.structural(new ComparisonConfig(ignore, abs, rel)), "rollout.compare.");
        }
    }

    /** The judge's thresholds (see {@link JudgeConfig}); absent keys take its defaults. */
    public record Judge(Double maxErrorRateIncrease, Double minSuccessRate, Double maxLatencyMultiplier,
            Double maxLatencyMultiplierP95, Double maxLatencyMultiplierP99, Double minThroughputRatio, Double maxCpuRatio,
            Long maxConsecutiveFailures, Long maxRestarts, Long maxProtocolErrors, ByteSize maxMemoryGrowth,
            Double minAgreement, Integer minSamples, Double alpha) {

        JudgeConfig toJudgeConfig() {
            JudgeConfig d = JudgeConfig.ofDefaults();
            double p50 = or(maxLatencyMultiplier, d.maxLatencyMultiplierP50());
            return new JudgeConfig(or(maxErrorRateIncrease, d.maxErrorRateIncrease()), or(minSuccessRate, d.minSuccessRate()),
                    p50, or(maxLatencyMultiplierP95, maxLatencyMultiplier != null ? p50 : d.maxLatencyMultiplierP95()),
                    or(maxLatencyMultiplierP99, d.maxLatencyMultiplierP99()), or(minThroughputRatio, d.minThroughputRatio()),
                    or(maxCpuRatio, d.maxCpuRatio()), or(maxConsecutiveFailures, d.maxConsecutiveFailures()),
                    or(maxRestarts, d.maxRestarts()), or(maxProtocolErrors, d.maxProtocolErrors()),
                    maxMemoryGrowth == null ? d.maxMemoryGrowthBytes() : maxMemoryGrowth.bytes(),
                    or(minAgreement, d.minAgreement()), minSamples == null ? d.minSamples() : minSamples, or(alpha, d.alpha()));
        }

        private static double or(Double v, double d) {
            return v == null ? d : v;
        }

        private static long or(Long v, long d) {
            return v == null ? d : v;
        }
    }

    private static String choice(String key, String value, String... allowed) {
        for (String a : allowed) {
            if (a.equalsIgnoreCase(value)) {
                return a.toUpperCase(Locale.ROOT);
            }
        }
        throw new IllegalArgumentException(key + " must be one of " + String.join(", ", allowed) + ", but was '" + value + "'");
    }

    private static final Pattern CAMEL = Pattern.compile("^([a-z]+[A-Z][A-Za-z0-9]*)( .*)$", Pattern.DOTALL);

    private static <T> T named(java.util.function.Supplier<T> build) {
        return named(build, "rollout.judge.");
    }

    /**
     * Evolution's records name their fields in Java (maxErrorRateIncrease); a config error must name
     * the YAML key (rollout.judge.max_error_rate_increase).
     */
    private static <T> T named(java.util.function.Supplier<T> build, String prefix) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            Matcher m = CAMEL.matcher(String.valueOf(e.getMessage()));
            if (!m.matches()) {
                throw e;
            }
            String snake = m.group(1).replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
            throw new IllegalArgumentException(prefix + snake + m.group(2), e);
        }
    }
}
