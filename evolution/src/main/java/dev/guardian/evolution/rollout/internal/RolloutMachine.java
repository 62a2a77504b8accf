package dev.guardian.evolution.rollout.internal;

import dev.guardian.evolution.Clock;
import dev.guardian.evolution.judge.Verdict;
import dev.guardian.evolution.rollout.DeploymentRef;
import dev.guardian.evolution.rollout.DrillResult;
import dev.guardian.evolution.rollout.Rollout;
import dev.guardian.evolution.rollout.RolloutAction;
import dev.guardian.evolution.rollout.RolloutEvent;
import dev.guardian.evolution.rollout.RolloutPlan;
import dev.guardian.evolution.rollout.RolloutSnapshot;
import dev.guardian.evolution.rollout.RolloutState;
import dev.guardian.evolution.rollout.RolloutTrigger;
import dev.guardian.evolution.rollout.StageVerdicts;
import dev.guardian.evolution.rollout.Strategy;
import dev.guardian.evolution.rollout.TransitionTable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Rollout} state machine. Threading: every public method holds {@code this} while it decides
 * and records; events are published to the listener after the lock is released (a listener may call back
 * into the rollout). All mutable fields are guarded by {@code this}.
 */
public final class RolloutMachine implements Rollout {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutMachine.class);

    private final DeploymentRef deployment;
    private final RolloutPlan plan;
    private final Clock clock;
    private final Consumer<RolloutEvent> listener;
    private final TransitionTable table = TransitionTable.standard();
    private final Instant createdAt;

    private RolloutState state = RolloutState.PENDING;
    private int stage = -1;
    private int percent;
    private long startNanos;
    private long stageStartNanos;
    private long requiredSamples;
    private Duration requiredDuration = Duration.ZERO;
    private int extensions;
    private final List<RolloutEvent> timeline = new ArrayList<>();
    private final List<StageLog> stages = new ArrayList<>();
    private Verdict lastVerdict;
    private Verdict decidingVerdict;
    private List<String> reasons = List.of();
    private String overrideBy;
    private DrillResult drill;
    /** Events recorded by the current call, published once it has released the lock. */
    private final List<RolloutEvent> unpublished = new ArrayList<>();

    public RolloutMachine(DeploymentRef deployment, RolloutPlan plan, Clock clock, Consumer<RolloutEvent> listener) {
        this.deployment = Objects.requireNonNull(deployment, "deployment");
        this.plan = Objects.requireNonNull(plan, "plan");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.createdAt = clock.now();
    }

    @Override
    public List<RolloutAction> start() {
        List<RolloutAction> actions;
        synchronized (this) {
            table.next(state, startTrigger()); // refuses a second start before touching anything
            startNanos = clock.nanoTime();
            actions = enterFirstPhase(plan.startsInShadow() ? Strategy.SHADOW : plan.strategy(), "started: "
                    + describePlan());
        }
        publish();
        return actions;
    }

    @Override
    public List<RolloutAction> evaluate(Verdict verdict, long samplesInStage) {
        Objects.requireNonNull(verdict, "verdict");
        if (samplesInStage < 0) {
            throw new IllegalArgumentException("samplesInStage must be >= 0, but was " + samplesInStage);
        }
        List<RolloutAction> actions;
        synchronized (this) {
            actions = decide(verdict, samplesInStage);
        }
        publish();
        return actions;
    }

    @Override
    public synchronized boolean windowComplete(long samplesInStage) {
        return hasEvidence(samplesInStage);
    }

    /** The stage's window (with its extensions) has its samples and its duration: a verdict can decide now. */
    private boolean hasEvidence(long samples) {
        Duration inStage = Duration.ofNanos(clock.nanoTime() - stageStartNanos);
        return samples >= requiredSamples && inStage.compareTo(requiredDuration) >= 0;
    }

    private List<RolloutAction> decide(Verdict verdict, long samples) {
        if (state == RolloutState.PENDING) {
            throw new IllegalStateException("rollout " + deployment.deploymentId()
                    + " is PENDING: start() it before evaluating verdicts");
        }
        if (state.isTerminal()) {
            return List.of(); // a late verdict racing the end (operator, abort); nothing left to decide
        }
        stages.get(stages.size() - 1).add(verdict);
        lastVerdict = verdict;

        if (verdict.kind() == Verdict.Kind.FAIL) {
            decidingVerdict = verdict;
            List<String> why = verdict.reasons().isEmpty() ? List.of("the judge failed the candidate")
                    : verdict.reasons();
            return rollback(RolloutTrigger.FAIL, why, "failed in " + currentLabel() + ": " + String.join("; ", why));
        }
        if (state == RolloutState.DRILLING || state == RolloutState.HELD) {
            return List.of();
        }
        Duration total = Duration.ofNanos(clock.nanoTime() - startNanos);
        if (total.compareTo(plan.maxTotalDuration()) > 0) {
            decidingVerdict = verdict;
            reasons = List.of("the rollout ran " + total + ", beyond its maximum of " + plan.maxTotalDuration()
                    + ", without a decision (last: " + verdict.kind() + " in " + currentLabel() + ")");
            transition(RolloutTrigger.TIMEOUT, -1, 0, reasons.get(0));
            return List.of(new RolloutAction.Rollback(reasons));
        }
        if (!hasEvidence(samples)) {
            return List.of(); // not enough evidence yet, whatever the verdict says
        }
        Duration inStage = Duration.ofNanos(clock.nanoTime() - stageStartNanos);
        return verdict.kind() == Verdict.Kind.PASS ? pass(verdict) : inconclusive(verdict, samples, inStage);
    }

    private List<RolloutAction> pass(Verdict verdict) {
        String passed = "passed " + currentLabel();
        if (state == RolloutState.SHADOW && plan.strategy() != Strategy.SHADOW) {
            return enterFirstPhase(plan.strategy(), passed);
        }
        if (state == RolloutState.CANARY && stage < plan.canaryStages().size() - 1) {
            int next = stage + 1;
            int p = plan.canaryStages().get(next);
            transition(RolloutTrigger.ADVANCE, next, p, passed + "; advancing to " + p + "%");
            enterStage(RolloutState.CANARY, next, p, plan.canaryStage());
            return List.of(new RolloutAction.SetCandidateWeight(p));
        }
        decidingVerdict = verdict;
        transition(RolloutTrigger.REQUEST_DRILL, stage, percent, passed + "; every window passed, running the "
                + "rollback drill");
        return List.of(new RolloutAction.RunDrill());
    }

    private List<RolloutAction> inconclusive(Verdict verdict, long samples, Duration inStage) {
        RolloutPlan.Window window = currentWindow();
        String why = verdict.reasons().isEmpty() ? "the judge could not decide" : String.join("; ", verdict.reasons());
        if (extensions < plan.maxExtensions()) {
            extensions++;
            requiredSamples = samples + window.minSamples();
            requiredDuration = inStage.plus(window.minDuration());
            transition(RolloutTrigger.EXTEND, stage, percent, "inconclusive in " + currentLabel() + " (" + why
                    + "); window extended (" + extensions + " of " + plan.maxExtensions() + "): needs "
                    + requiredSamples + " samples and " + requiredDuration + " in stage");
            return List.of();
        }
        decidingVerdict = verdict;
        String summary = "inconclusive in " + currentLabel() + " after " + extensions + " extension(s): " + why;
        if (plan.afterExtensions() == RolloutPlan.AfterExtensions.HOLD) {
            String reason = summary + "; holding at " + percent + "% until an operator promotes or rolls back";
            reasons = List.of(reason);
            transition(RolloutTrigger.HOLD, stage, percent, reason);
            return List.of(new RolloutAction.Hold(reason));
        }
        List<String> why2 = new ArrayList<>();
        why2.add(summary + "; the plan rolls back when evidence stays inconclusive");
        return rollback(RolloutTrigger.INCONCLUSIVE_ROLLBACK, why2, why2.get(0));
    }

    @Override
    public List<RolloutAction> onDrill(DrillResult result) {
        Objects.requireNonNull(result, "result");
        List<RolloutAction> actions;
        synchronized (this) {
            RolloutTrigger trigger = result.lossless() ? RolloutTrigger.DRILL_LOSSLESS
                    : plan.drillPolicy() == RolloutPlan.DrillPolicy.ALLOW ? RolloutTrigger.DRILL_LOSSY_ALLOWED
                    : RolloutTrigger.DRILL_LOSSY_BLOCKED;
            table.next(state, trigger);
            drill = result;
            String passed = "the candidate passed every stage (" + stageLabels() + ")";
            switch (trigger) {
                case DRILL_LOSSLESS -> {
                    reasons = List.of(passed, "rollback drill lossless: " + result.detail());
                    transition(trigger, -1, 100, "rollback drill lossless; promoting");
                    actions = List.of(new RolloutAction.Promote());
                }
                case DRILL_LOSSY_ALLOWED -> {
                    reasons = List.of(passed, "rollback drill LOSSY: " + result.detail()
                            + "; promoted because the plan allows it: a rollback after promotion would lose state");
                    transition(trigger, -1, 100, "rollback drill lossy, allowed by plan; promoting");
                    actions = List.of(new RolloutAction.Promote());
                }
                default -> {
                    String reason = "rollback drill LOSSY: " + result.detail() + "; the plan blocks promotion, "
                            + "holding at " + percent + "% until an operator promotes (override) or rolls back";
                    reasons = List.of(passed, reason);
                    transition(trigger, stage, percent, reason);
                    actions = List.of(new RolloutAction.Hold(reason));
                }
            }
        }
        publish();
        return actions;
    }

    @Override
    public List<RolloutAction> operatorPromote(String who) {
        Objects.requireNonNull(who, "who");
        synchronized (this) {
            table.next(state, RolloutTrigger.OPERATOR_PROMOTE);
            RolloutState from = state;
            overrideBy = who;
            decidingVerdict = lastVerdict;
            reasons = List.of("promoted by operator " + who + " (override) while " + from.label()
                    + (drill == null ? "; rollback drill not run" : ""));
            transition(RolloutTrigger.OPERATOR_PROMOTE, -1, 100, reasons.get(0));
        }
        publish();
        return List.of(new RolloutAction.Promote());
    }

    @Override
    public List<RolloutAction> operatorRollback(String who, String reason) {
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(reason, "reason");
        List<RolloutAction> actions;
        synchronized (this) {
            table.next(state, RolloutTrigger.OPERATOR_ROLLBACK);
            overrideBy = who;
            decidingVerdict = lastVerdict;
            String why = "rolled back by operator " + who + " while " + state.label() + ": " + reason;
            actions = rollback(RolloutTrigger.OPERATOR_ROLLBACK, List.of(why), why);
        }
        publish();
        return actions;
    }

    @Override
    public List<RolloutAction> abort(String reason) {
        Objects.requireNonNull(reason, "reason");
        List<RolloutAction> actions;
        synchronized (this) {
            table.next(state, RolloutTrigger.ABORT);
            decidingVerdict = lastVerdict;
            reasons = List.of("aborted while " + state.label() + ": " + reason);
            transition(RolloutTrigger.ABORT, -1, 0, reasons.get(0));
            actions = List.of(new RolloutAction.Rollback(reasons));
        }
        publish();
        return actions;
    }

    // ---- views

    @Override
    public synchronized RolloutState state() {
        return state;
    }

    @Override
    public synchronized int stage() {
        return stage;
    }

    @Override
    public synchronized int candidatePercent() {
        return percent;
    }

    @Override
    public synchronized List<RolloutEvent> timeline() {
        return List.copyOf(timeline);
    }

    @Override
    public synchronized List<StageVerdicts> verdicts() {
        return stages.stream().map(StageLog::freeze).toList();
    }

    @Override
    public synchronized RolloutSnapshot snapshot() {
        return new RolloutSnapshot(deployment, plan, state, stage, percent, createdAt, timeline, verdicts(),
                Optional.ofNullable(decidingVerdict), reasons, Optional.ofNullable(overrideBy),
                Optional.ofNullable(drill));
    }

    // ---- internals (all called with the lock held)

    private RolloutTrigger startTrigger() {
        if (plan.startsInShadow()) {
            return RolloutTrigger.START_SHADOW;
        }
        return plan.strategy() == Strategy.CANARY ? RolloutTrigger.START_CANARY : RolloutTrigger.START_DIRECT;
    }

    /** Enter shadow, the first canary stage or direct, from pending or from a passed shadow phase. */
    private List<RolloutAction> enterFirstPhase(Strategy phase, String detail) {
        switch (phase) {
            case SHADOW -> {
                transition(RolloutTrigger.START_SHADOW, -1, 0, detail + "; shadowing (candidate answers mirrored only)");
                enterStage(RolloutState.SHADOW, -1, 0, plan.shadowWindow());
            }
            case CANARY -> {
                int p = plan.canaryStages().get(0);
                transition(RolloutTrigger.START_CANARY, 0, p, detail + "; canary at " + p + "%");
                enterStage(RolloutState.CANARY, 0, p, plan.canaryStage());
            }
            case DIRECT -> {
                transition(RolloutTrigger.START_DIRECT, -1, 100, detail + "; candidate takes all traffic");
                enterStage(RolloutState.DIRECT, -1, 100, plan.directWindow());
            }
        }
        return List.of(new RolloutAction.SetCandidateWeight(percent));
    }

    private void enterStage(RolloutState phase, int index, int p, RolloutPlan.Window window) {
        stageStartNanos = clock.nanoTime();
        requiredSamples = window.minSamples();
        requiredDuration = window.minDuration();
        extensions = 0;
        stages.add(new StageLog(phase, index, p));
    }

    private List<RolloutAction> rollback(RolloutTrigger trigger, List<String> why, String detail) {
        reasons = List.copyOf(why);
        transition(trigger, -1, 0, detail);
        return List.of(new RolloutAction.Rollback(reasons));
    }

    private void transition(RolloutTrigger trigger, int newStage, int newPercent, String detail) {
        RolloutState to = table.next(state, trigger);
        RolloutEvent event = new RolloutEvent(clock.now(), state, to, trigger, newStage, newPercent, detail);
        state = to;
        stage = newStage;
        percent = newPercent;
        timeline.add(event);
        unpublished.add(event);
    }

    private RolloutPlan.Window currentWindow() {
        return switch (state) {
            case SHADOW -> plan.shadowWindow();
            case DIRECT -> plan.directWindow();
            default -> plan.canaryStage();
        };
    }

    private String currentLabel() {
        return stages.isEmpty() ? state.label() : stages.get(stages.size() - 1).freeze().label();
    }

    private String stageLabels() {
        return String.join(", ", stages.stream().map(s -> s.freeze().label()).toList());
    }

    private String describePlan() {
        return switch (plan.strategy()) {
            case SHADOW -> "shadow";
            case CANARY -> (plan.shadowFirst() ? "shadow, then " : "") + "canary " + plan.canaryStages();
            case DIRECT -> (plan.shadowFirst() ? "shadow, then " : "") + "direct";
        };
    }

    /** Publish what this call recorded, outside the lock; a failing listener does not undo the transition. */
    private void publish() {
        List<RolloutEvent> events;
        synchronized (this) {
            events = List.copyOf(unpublished);
            unpublished.clear();
        }
        for (RolloutEvent e : events) {
            try {
                listener.accept(e);
            } catch (RuntimeException ex) {
                LOG.warn("rollout {}: event listener failed on {}", deployment.deploymentId(), e.trigger(), ex);
            }
        }
    }

    private static final class StageLog {
        final RolloutState phase;
        final int index;
        final int percent;
        final java.util.ArrayDeque<Verdict> verdicts = new java.util.ArrayDeque<>();
        long judged;

        void add(Verdict v) {
            judged++;
            if (verdicts.size() == StageVerdicts.KEPT) {
                verdicts.removeFirst();
            }
            verdicts.addLast(v);
        }

        StageLog(RolloutState phase, int index, int percent) {
            this.phase = phase;
            this.index = index;
            this.percent = percent;
        }

        StageVerdicts freeze() {
            return new StageVerdicts(phase, index, percent, List.copyOf(verdicts), judged);
        }
    }
}
