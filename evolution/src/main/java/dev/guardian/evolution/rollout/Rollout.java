package dev.guardian.evolution.rollout;

import dev.guardian.evolution.Clock;
import dev.guardian.evolution.judge.Verdict;
import dev.guardian.evolution.rollout.internal.RolloutMachine;
import java.util.List;
import java.util.function.Consumer;

/**
 * The rollout of one candidate against one baseline: a state machine over {@link TransitionTable} that the
 * daemon feeds (verdicts each evaluation tick, the drill's result, operator commands) and that answers with
 * {@link RolloutAction}s for the daemon to execute. It decides and never acts, so it is tested with a
 * {@link dev.guardian.evolution.ManualClock} and hand-made verdicts.
 *
 * <p>Every method that changes state records a {@link RolloutEvent} (and publishes it to the listener after
 * the change, outside the lock). An operator method or {@link #onDrill} that is illegal in the current state
 * throws {@link IllegalStateException} naming state and trigger. Thread-safe: every method is atomic.
 */
public interface Rollout {

    /** A new rollout in {@link RolloutState#PENDING}. */
    static Rollout create(DeploymentRef deployment, RolloutPlan plan, Clock clock) {
        return new RolloutMachine(deployment, plan, clock, e -> { });
    }

    /** As {@link #create(DeploymentRef, RolloutPlan, Clock)}, publishing every event to {@code listener}. */
    static Rollout create(DeploymentRef deployment, RolloutPlan plan, Clock clock, Consumer<RolloutEvent> listener) {
        return new RolloutMachine(deployment, plan, clock, listener);
    }

    /**
     * Start: enter shadow (weight 0), the first canary stage or direct (weight 100).
     *
     * @return a single {@link RolloutAction.SetCandidateWeight}
     */
    List<RolloutAction> start();

    /**
     * Take one verdict of the judge on the current stage's window. A FAIL rolls back at once, whatever the
     * evidence so far. Otherwise nothing moves until the stage has both its minimum samples and its minimum
     * duration; then PASS advances (next stage, or the rollback drill after the last), and INCONCLUSIVE
     * extends the window up to {@code maxExtensions} times, then holds or rolls back per plan. Past the
     * plan's maximum total duration a monitored rollout aborts. While drilling or held only a FAIL acts;
     * other verdicts are recorded. A verdict after the end is ignored (it may race an operator's command).
     *
     * @param samplesInStage requests the candidate answered (or shadowed) since the current stage began
     * @return the actions to execute, possibly none
     * @throws IllegalStateException before {@link #start()}
     */
    List<RolloutAction> evaluate(Verdict verdict, long samplesInStage);

    /** The rollback drill's result: promote, or (lossy) block → hold / allow → promote, per plan. */
    List<RolloutAction> onDrill(DrillResult result);

    /** {@code guardian promote}: promote now; recorded as an override in the proof. */
    List<RolloutAction> operatorPromote(String who);

    /** {@code guardian rollback}: roll back now; recorded with who and why. */
    List<RolloutAction> operatorRollback(String who, String reason);

    /**
     * True when the current stage's window (with its extensions) has its minimum samples and duration,
     * i.e. when {@link #evaluate} would act on a pass or an inconclusive verdict. Before that only a
     * fail acts, so a caller may judge the hard limits alone (see {@code Judge#judgeHardLimits}).
     */
    boolean windowComplete(long samplesInStage);

    /** End without judging the candidate (e.g. it could not start); the baseline stays the primary. */
    List<RolloutAction> abort(String reason);

    RolloutState state();

    /** The canary stage index (0-based), or -1 outside the canary. */
    int stage();

    /** The candidate's current share of client answers, 0..100. */
    int candidatePercent();

    /** Every transition so far, oldest first. */
    List<RolloutEvent> timeline();

    /** The verdicts seen per stage. */
    List<StageVerdicts> verdicts();

    /** Everything at once, consistently: for proofs, vault records and status. */
    RolloutSnapshot snapshot();
}
