package dev.guardian.evolution.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransitionTableTest {

    final TransitionTable table = TransitionTable.standard();

    @Test
    void everyStateTriggerPairIsEitherATransitionOrAnIllegalStateExceptionNamingBoth() {
        for (RolloutState s : RolloutState.values()) {
            for (RolloutTrigger t : RolloutTrigger.values()) {
                Optional<RolloutState> target = table.target(s, t);
                if (target.isPresent()) {
                    assertThat(table.next(s, t)).isEqualTo(target.get());
                    assertThat(table.accepted(s)).contains(t);
                } else {
                    assertThatThrownBy(() -> table.next(s, t)).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining(s.name()).hasMessageContaining(t.name());
                    assertThat(table.accepted(s)).doesNotContain(t);
                }
            }
        }
    }

    @Test
    void terminalStatesAcceptNothingAndEveryOtherStateCanEnd() {
        for (RolloutState s : RolloutState.values()) {
            if (s.isTerminal()) {
                assertThat(table.accepted(s)).as(s.name()).isEmpty();
            } else {
                assertThat(table.accepted(s)).as(s.name()).isNotEmpty();
                assertThat(reachableFrom(s)).as("terminal reachable from " + s)
                        .contains(RolloutState.ROLLED_BACK, RolloutState.ABORTED);
                assertThat(table.target(s, RolloutTrigger.ABORT)).as("abort from " + s).contains(RolloutState.ABORTED);
            }
        }
    }

    @Test
    void everyStateIsReachableFromPendingAndEveryTriggerIsUsed() {
        assertThat(reachableFrom(RolloutState.PENDING)).containsExactlyInAnyOrder(RolloutState.values());
        Set<RolloutTrigger> used = EnumSet.noneOf(RolloutTrigger.class);
        for (RolloutState s : RolloutState.values()) {
            used.addAll(table.accepted(s));
        }
        assertThat(used).containsExactlyInAnyOrder(RolloutTrigger.values());
    }

    @Test
    void everyMonitoredStateRollsBackOnFail() {
        for (RolloutState s : RolloutState.values()) {
            if (s.isMonitored() || s == RolloutState.HELD) {
                assertThat(table.target(s, RolloutTrigger.FAIL)).as(s.name()).contains(RolloutState.ROLLED_BACK);
            }
        }
    }

    @Test
    void promotionOnlyThroughTheDrillOrAnOperator() {
        for (RolloutState s : RolloutState.values()) {
            for (RolloutTrigger t : table.accepted(s)) {
                if (table.next(s, t) == RolloutState.PROMOTED) {
                    assertThat(t).isIn(RolloutTrigger.DRILL_LOSSLESS, RolloutTrigger.DRILL_LOSSY_ALLOWED,
                            RolloutTrigger.OPERATOR_PROMOTE);
                }
            }
        }
    }

    private Set<RolloutState> reachableFrom(RolloutState start) {
        Set<RolloutState> seen = EnumSet.of(start);
        Deque<RolloutState> todo = new ArrayDeque<>(seen);
        while (!todo.isEmpty()) {
            RolloutState s = todo.pop();
            for (RolloutTrigger t : table.accepted(s)) {
                if (seen.add(table.next(s, t))) {
                    todo.push(table.next(s, t));
                }
            }
        }
        return seen;
    }
}
