package dev.guardian.evolution.rollout;

import static dev.guardian.evolution.rollout.RolloutState.ABORTED;
import static dev.guardian.evolution.rollout.RolloutState.CANARY;
import static dev.guardian.evolution.rollout.RolloutState.DIRECT;
import static dev.guardian.evolution.rollout.RolloutState.DRILLING;
import static dev.guardian.evolution.rollout.RolloutState.HELD;
import static dev.guardian.evolution.rollout.RolloutState.PENDING;
import static dev.guardian.evolution.rollout.RolloutState.PROMOTED;
import static dev.guardian.evolution.rollout.RolloutState.ROLLED_BACK;
import static dev.guardian.evolution.rollout.RolloutState.SHADOW;
import static dev.guardian.evolution.rollout.RolloutTrigger.ABORT;
import static dev.guardian.evolution.rollout.RolloutTrigger.ADVANCE;
import static dev.guardian.evolution.rollout.RolloutTrigger.DRILL_LOSSLESS;
import static dev.guardian.evolution.rollout.RolloutTrigger.DRILL_LOSSY_ALLOWED;
import static dev.guardian.evolution.rollout.RolloutTrigger.DRILL_LOSSY_BLOCKED;
import static dev.guardian.evolution.rollout.RolloutTrigger.EXTEND;
import static dev.guardian.evolution.rollout.RolloutTrigger.FAIL;
import static dev.guardian.evolution.rollout.RolloutTrigger.HOLD;
import static dev.guardian.evolution.rollout.RolloutTrigger.INCONCLUSIVE_ROLLBACK;
import static dev.guardian.evolution.rollout.RolloutTrigger.OPERATOR_PROMOTE;
import static dev.guardian.evolution.rollout.RolloutTrigger.OPERATOR_ROLLBACK;
import static dev.guardian.evolution.rollout.RolloutTrigger.REQUEST_DRILL;
import static dev.guardian.evolution.rollout.RolloutTrigger.START_CANARY;
import static dev.guardian.evolution.rollout.RolloutTrigger.START_DIRECT;
import static dev.guardian.evolution.rollout.RolloutTrigger.START_SHADOW;
import static dev.guardian.evolution.rollout.RolloutTrigger.TIMEOUT;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rollout lifecycle as data: every state declares, in one row, the triggers it accepts and where each
 * leads; every other (state, trigger) pair is illegal and {@link #next} throws. Keeping it as one table
 * (rather than ifs in the machine) lets a test prove it complete and a person read it in one place.
 *
 * <pre>
 * PENDING  : start-shadow→SHADOW, start-canary→CANARY, start-direct→DIRECT, abort→ABORTED
 * SHADOW   : start-canary→CANARY, start-direct→DIRECT, extend→SHADOW, request-drill→DRILLING,
 *            fail|inconclusive-rollback|operator-rollback→ROLLED_BACK, hold→HELD,
 *            operator-promote→PROMOTED, timeout|abort→ABORTED
 * CANARY   : advance→CANARY, extend→CANARY, request-drill→DRILLING, (fail … abort as SHADOW)
 * DIRECT   : extend→DIRECT, request-drill→DRILLING, (fail … abort as SHADOW)
 * DRILLING : drill-lossless|drill-lossy-allowed|operator-promote→PROMOTED, drill-lossy-blocked→HELD,
 *            fail|operator-rollback→ROLLED_BACK, timeout|abort→ABORTED
 * HELD     : operator-promote→PROMOTED, fail|operator-rollback→ROLLED_BACK, abort→ABORTED
 * PROMOTED, ROLLED_BACK, ABORTED: terminal, accept nothing
 * </pre>
 *
 * A held rollout has no {@code timeout}: it waits for a person by design.
 */
public final class TransitionTable {

    private static final TransitionTable STANDARD = buildStandard();

    private final Map<RolloutState, Map<RolloutTrigger, RolloutState>> rows;

    private TransitionTable(Map<RolloutState, Map<RolloutTrigger, RolloutState>> rows) {
        for (RolloutState s : RolloutState.values()) {
            if (!rows.containsKey(s)) {
                throw new IllegalStateException("transition table has no row for state " + s);
            }
        }
        this.rows = rows;
    }

    /** The rollout lifecycle every {@link Rollout} follows. */
    public static TransitionTable standard() {
        return STANDARD;
    }

    /** Where {@code trigger} leads from {@code from}, or empty when the pair is illegal. */
    public Optional<RolloutState> target(RolloutState from, RolloutTrigger trigger) {
        return Optional.ofNullable(rows.get(from).get(trigger));
    }

    /** Where {@code trigger} leads from {@code from}; throws when the pair is illegal. */
    public RolloutState next(RolloutState from, RolloutTrigger trigger) {
        RolloutState to = rows.get(from).get(trigger);
        if (to == null) {
            throw new IllegalStateException("illegal rollout transition: state " + from + " does not accept trigger "
                    + trigger + " (accepts " + accepted(from) + ")");
        }
        return to;
    }

    /** The triggers {@code from} accepts (empty for a terminal state). */
    public Set<RolloutTrigger> accepted(RolloutState from) {
        return Collections.unmodifiableSet(rows.get(from).keySet());
    }

    private static TransitionTable buildStandard() {
        Map<RolloutState, Map<RolloutTrigger, RolloutState>> t = new EnumMap<>(RolloutState.class);
        row(t, PENDING, START_SHADOW, SHADOW, START_CANARY, CANARY, START_DIRECT, DIRECT, ABORT, ABORTED);
        row(t, SHADOW, START_CANARY, CANARY, START_DIRECT, DIRECT, EXTEND, SHADOW, REQUEST_DRILL, DRILLING,
                FAIL, ROLLED_BACK, INCONCLUSIVE_ROLLBACK, ROLLED_BACK, HOLD, HELD,
                OPERATOR_PROMOTE, PROMOTED, OPERATOR_ROLLBACK, ROLLED_BACK, TIMEOUT, ABORTED, ABORT, ABORTED);
        row(t, CANARY, ADVANCE, CANARY, EXTEND, CANARY, REQUEST_DRILL, DRILLING,
                FAIL, ROLLED_BACK, INCONCLUSIVE_ROLLBACK, ROLLED_BACK, HOLD, HELD,
                OPERATOR_PROMOTE, PROMOTED, OPERATOR_ROLLBACK, ROLLED_BACK, TIMEOUT, ABORTED, ABORT, ABORTED);
        row(t, DIRECT, EXTEND, DIRECT, REQUEST_DRILL, DRILLING,
                FAIL, ROLLED_BACK, INCONCLUSIVE_ROLLBACK, ROLLED_BACK, HOLD, HELD,
                OPERATOR_PROMOTE, PROMOTED, OPERATOR_ROLLBACK, ROLLED_BACK, TIMEOUT, ABORTED, ABORT, ABORTED);
        row(t, DRILLING, DRILL_LOSSLESS, PROMOTED, DRILL_LOSSY_ALLOWED, PROMOTED, DRILL_LOSSY_BLOCKED, HELD,
                FAIL, ROLLED_BACK, OPERATOR_PROMOTE, PROMOTED, OPERATOR_ROLLBACK, ROLLED_BACK,
                TIMEOUT, ABORTED, ABORT, ABORTED);
        row(t, HELD, FAIL, ROLLED_BACK, OPERATOR_PROMOTE, PROMOTED, OPERATOR_ROLLBACK, ROLLED_BACK, ABORT, ABORTED);
        row(t, PROMOTED);
        row(t, ROLLED_BACK);
        row(t, ABORTED);
        return new TransitionTable(t);
    }

    /** One state's row: alternating trigger, target. */
    private static void row(Map<RolloutState, Map<RolloutTrigger, RolloutState>> t, RolloutState from,
                            Object... triggerTarget) {
        if (t.containsKey(from)) {
            throw new IllegalStateException("transition table declares state " + from + " twice");
        }
        Map<RolloutTrigger, RolloutState> row = new EnumMap<>(RolloutTrigger.class);
        for (int i = 0; i < triggerTarget.length; i += 2) {
            RolloutTrigger trigger = (RolloutTrigger) triggerTarget[i];
            if (row.put(trigger, (RolloutState) triggerTarget[i + 1]) != null) {
                throw new IllegalStateException("transition table declares " + from + " × " + trigger + " twice");
            }
        }
        t.put(from, Collections.unmodifiableMap(row));
    }
}
