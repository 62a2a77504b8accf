package dev.guardian.evolution.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guardian.evolution.ManualClock;
import dev.guardian.evolution.judge.Verdict;
import dev.guardian.evolution.rollout.RolloutAction.Hold;
import dev.guardian.evolution.rollout.RolloutAction.Promote;
import dev.guardian.evolution.rollout.RolloutAction.Rollback;
import dev.guardian.evolution.rollout.RolloutAction.RunDrill;
import dev.guardian.evolution.rollout.RolloutAction.SetCandidateWeight;
import dev.guardian.evolution.rollout.RolloutPlan.AfterExtensions;
import dev.guardian.evolution.rollout.RolloutPlan.DrillPolicy;
import dev.guardian.evolution.rollout.RolloutPlan.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RolloutTest {

    static final DeploymentRef DEPLOYMENT = new DeploymentRef("dep-1", "echo", "v1", "v2");
    static final Window STAGE = new Window(100, Duration.ofMinutes(1));

    final ManualClock clock = ManualClock.at("2025-01-01T00:00:00Z");
    final List<RolloutEvent> published = new ArrayList<>();

    Rollout rollout(RolloutPlan plan) {
        return Rollout.create(DEPLOYMENT, plan, clock, published::add);
    }

    static RolloutPlan canary() {
        return RolloutPlan.ofDefaults().withCanary(List.of(10, 25, 50, 100), STAGE);
    }

    /** Satisfies the current stage's window and passes it. */
    List<RolloutAction> passStage(Rollout r) {
        clock.advance(Duration.ofMinutes(1));
        return r.evaluate(Verdicts.pass(), 100);
    }

    /** A canary walked to the drill. */
    Rollout drilling(RolloutPlan plan) {
        Rollout r = rollout(plan);
        r.start();
        for (int i = 0; i < 4; i++) {
            passStage(r);
        }
        assertThat(r.state()).isEqualTo(RolloutState.DRILLING);
        return r;
    }

    @Nested
    class Canary {

        @Test
        void walksTenTwentyFiveFiftyHundredThenRequestsTheDrill() {
            Rollout r = rollout(canary());
            assertThat(r.start()).containsExactly(new SetCandidateWeight(10));
            assertThat(passStage(r)).containsExactly(new SetCandidateWeight(25));
            assertThat(passStage(r)).containsExactly(new SetCandidateWeight(50));
            assertThat(passStage(r)).containsExactly(new SetCandidateWeight(100));
            assertThat(r.candidatePercent()).isEqualTo(100);
            assertThat(r.stage()).isEqualTo(3);
            assertThat(passStage(r)).containsExactly(new RunDrill());
            assertThat(r.state()).isEqualTo(RolloutState.DRILLING);
            assertThat(r.verdicts()).extracting(StageVerdicts::label)
                    .containsExactly("canary 10%", "canary 25%", "canary 50%", "canary 100%");
            assertThat(r.verdicts()).allSatisfy(s -> assertThat(s.verdicts()).hasSize(1));
        }

        @Test
        void doesNotAdvanceBeforeTheMinimumSamplesEvenAfterTheMinimumDuration() {
            Rollout r = rollout(canary());
            r.start();
            clock.advance(Duration.ofMinutes(5));
            assertThat(r.evaluate(Verdicts.pass(), 99)).isEmpty();
            assertThat(r.candidatePercent()).isEqualTo(10);
            assertThat(r.evaluate(Verdicts.pass(), 100)).containsExactly(new SetCandidateWeight(25));
        }

        @Test
        void doesNotAdvanceBeforeTheMinimumDurationEvenWithEnoughSamples() {
            Rollout r = rollout(canary());
            r.start();
            clock.advance(Duration.ofSeconds(59));
            assertThat(r.evaluate(Verdicts.pass(), 10_000)).isEmpty();
            assertThat(r.stage()).isZero();
            clock.advance(Duration.ofSeconds(1));
            assertThat(r.evaluate(Verdicts.pass(), 10_000)).containsExactly(new SetCandidateWeight(25));
        }

        @Test
        void windowCompleteIsTheGateThatEvaluateUses() {
            Rollout r = rollout(canary());
            r.start();
            assertThat(r.windowComplete(10_000)).as("before the minimum duration").isFalse();
            clock.advance(Duration.ofMinutes(1));
            assertThat(r.windowComplete(99)).as("before the minimum samples").isFalse();
            assertThat(r.evaluate(Verdicts.pass(), 99)).isEmpty();
            assertThat(r.windowComplete(100)).isTrue();
            assertThat(r.evaluate(Verdicts.pass(), 100)).containsExactly(new SetCandidateWeight(25));
            assertThat(r.windowComplete(100)).as("a new stage starts its own window").isFalse();
        }

        @Test
        void aLongStageKeepsItsLatestVerdictsAndCountsThemAll() {
            Rollout r = rollout(canary());
            r.start();
            for (int i = 0; i < 500; i++) {
                r.evaluate(Verdicts.pass(), 1);
            }
            StageVerdicts s = r.verdicts().get(0);
            assertThat(s.judged()).isEqualTo(500);
            assertThat(s.verdicts()).hasSize(StageVerdicts.KEPT);
        }

        @Test
        void eachStageRestartsItsOwnClockAndSampleCount() {
            Rollout r = rollout(canary());
            r.start();
            passStage(r);
            // time spent in stage 10% does not count for stage 25%
            clock.advance(Duration.ofSeconds(30));
            assertThat(r.evaluate(Verdicts.pass(), 100)).isEmpty();
            clock.advance(Duration.ofSeconds(30));
            assertThat(r.evaluate(Verdicts.pass(), 100)).containsExactly(new SetCandidateWeight(50));
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 1, 2, 3})
        void failAtAnyStageRollsBackAtOnceWithTheJudgesReasons(int stage) {
            Rollout r = rollout(canary());
            r.start();
            for (int i = 0; i < stage; i++) {
                passStage(r);
            }
            // no minimum window for a failure: one second in, one sample
            clock.advance(Duration.ofSeconds(1));
            List<RolloutAction> actions = r.evaluate(Verdicts.fail("error rate 20% > 1% + 1%"), 1);
            assertThat(actions).containsExactly(new Rollback(List.of("error rate 20% > 1% + 1%")));
            assertThat(r.state()).isEqualTo(RolloutState.ROLLED_BACK);
            assertThat(r.candidatePercent()).isZero();
            assertThat(r.snapshot().decidingVerdict()).hasValueSatisfying(
                    v -> assertThat(v.kind()).isEqualTo(Verdict.Kind.FAIL));
            assertThat(r.timeline()).last().satisfies(e -> {
                assertThat(e.trigger()).isEqualTo(RolloutTrigger.FAIL);
                assertThat(e.from()).isEqualTo(RolloutState.CANARY);
            });
        }

        @Test
        void aVerdictAfterTheEndIsIgnored() {
            Rollout r = rollout(canary());
            r.start();
            r.operatorRollback("alice", "looks wrong");
            assertThat(r.evaluate(Verdicts.fail("late"), 10)).isEmpty();
            assertThat(r.state()).isEqualTo(RolloutState.ROLLED_BACK);
        }

        @Test
        void evaluatingBeforeStartIsRejected() {
            Rollout r = rollout(canary());
            assertThatThrownBy(() -> r.evaluate(Verdicts.pass(), 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("PENDING");
        }

        @Test
        void abortsPastTheMaximumTotalDuration() {
            Rollout r = rollout(canary().withMaxTotalDuration(Duration.ofMinutes(10)));
            r.start();
            clock.advance(Duration.ofMinutes(11));
            List<RolloutAction> actions = r.evaluate(Verdicts.pass(), 1000);
            assertThat(r.state()).isEqualTo(RolloutState.ABORTED);
            assertThat(actions).singleElement().isInstanceOfSatisfying(Rollback.class,
                    rb -> assertThat(rb.reasons().get(0)).contains("PT11M").contains("PT10M"));
        }
    }

    @Nested
    class ShadowAndDirect {

        @Test
        void shadowKeepsTheCandidateAtWeightZeroThenDrillsAndPromotes() {
            RolloutPlan plan = canary().withStrategy(Strategy.SHADOW, false)
                    .withWindows(new Window(500, Duration.ofMinutes(5)), STAGE);
            Rollout r = rollout(plan);
            assertThat(r.start()).containsExactly(new SetCandidateWeight(0));
            assertThat(r.state()).isEqualTo(RolloutState.SHADOW);
            clock.advance(Duration.ofMinutes(4));
            assertThat(r.evaluate(Verdicts.pass(), 500)).isEmpty();
            clock.advance(Duration.ofMinutes(1));
            assertThat(r.evaluate(Verdicts.pass(), 499)).isEmpty();
            assertThat(r.evaluate(Verdicts.pass(), 500)).containsExactly(new RunDrill());
            assertThat(r.candidatePercent()).isZero();
            assertThat(r.onDrill(DrillResult.lossless("restored ckpt-7, 20 answers identical")))
                    .containsExactly(new Promote());
            assertThat(r.state()).isEqualTo(RolloutState.PROMOTED);
            assertThat(r.verdicts()).extracting(StageVerdicts::label).containsExactly("shadow");
        }

        @Test
        void shadowFirstThenCanary() {
            Rollout r = rollout(canary().withStrategy(Strategy.CANARY, true));
            assertThat(r.start()).containsExactly(new SetCandidateWeight(0));
            assertThat(passStage(r)).containsExactly(new SetCandidateWeight(10));
            assertThat(r.state()).isEqualTo(RolloutState.CANARY);
            assertThat(r.timeline()).extracting(RolloutEvent::trigger)
                    .containsExactly(RolloutTrigger.START_SHADOW, RolloutTrigger.START_CANARY);
        }

        @Test
        void directGivesAllTrafficAtOnceThenDrills() {
            Rollout r = rollout(canary().withStrategy(Strategy.DIRECT, false));
            assertThat(r.start()).containsExactly(new SetCandidateWeight(100));
            assertThat(r.state()).isEqualTo(RolloutState.DIRECT);
            assertThat(passStage(r)).containsExactly(new RunDrill());
            assertThat(r.candidatePercent()).isEqualTo(100);
        }

        @Test
        void directRollsBackAutomaticallyOnFail() {
            Rollout r = rollout(canary().withStrategy(Strategy.DIRECT, false));
            r.start();
            assertThat(r.evaluate(Verdicts.fail("p99 latency 3x baseline"), 5))
                    .containsExactly(new Rollback(List.of("p99 latency 3x baseline")));
            assertThat(r.state()).isEqualTo(RolloutState.ROLLED_BACK);
        }

        @Test
        void shadowFailRollsBack() {
            Rollout r = rollout(canary().withStrategy(Strategy.SHADOW, false));
            r.start();
            assertThat(r.evaluate(Verdicts.fail("agreement 70% < 99%"), 5)).singleElement()
                    .isInstanceOf(Rollback.class);
            assertThat(r.state()).isEqualTo(RolloutState.ROLLED_BACK);
        }
    }

    @Nested
    class Inconclusive {

        @Test
        void extendsTheWindowThenHolds() {
            Rollout r = rollout(canary().withInconclusive(2, AfterExtensions.HOLD));
            r.start();
            clock.advance(Duration.ofMinutes(1));
            assertThat(r.evaluate(Verdicts.inconclusive("too few samples"), 100)).isEmpty();
            assertThat(r.timeline()).last().extracting(RolloutEvent::trigger).isEqualTo(RolloutTrigger.EXTEND);
            // the extended window needs another minute and another 100 samples
            clock.advance(Duration.ofSeconds(59));
            assertThat(r.evaluate(Verdicts.inconclusive("too few samples"), 200)).isEmpty();
            assertThat(r.timeline()).hasSize(2);
            clock.advance(Duration.ofSeconds(1));
            assertThat(r.evaluate(Verdicts.inconclusive("too few samples"), 199)).isEmpty();
            assertThat(r.timeline()).hasSize(2);
            assertThat(r.evaluate(Verdicts.inconclusive("too few samples"), 200)).isEmpty();
            assertThat(r.timeline()).hasSize(3);
            clock.advance(Duration.ofMinutes(1));
            List<RolloutAction> actions = r.evaluate(Verdicts.inconclusive("too few samples"), 300);
            assertThat(actions).singleElement().isInstanceOfSatisfying(Hold.class,
                    h -> assertThat(h.reason()).contains("too few samples").contains("2 extension"));
            assertThat(r.state()).isEqualTo(RolloutState.HELD);
            assertThat(r.candidatePercent()).isEqualTo(10);
            assertThat(r.verdicts().get(0).verdicts()).hasSize(5);
        }

        @Test
        void passAfterAnExtensionAdvances() {
            Rollout r = rollout(canary().withInconclusive(1, AfterExtensions.HOLD));
            r.start();
            clock.advance(Duration.ofMinutes(1));
            r.evaluate(Verdicts.inconclusive("p=0.2"), 100);
            clock.advance(Duration.ofMinutes(1));
            assertThat(r.evaluate(Verdicts.pass(), 200)).containsExactly(new SetCandidateWeight(25));
        }

        @Test
        void rollsBackAfterTheExtensionsWhenSoConfigured() {
            Rollout r = rollout(canary().withInconclusive(1, AfterExtensions.ROLLBACK));
            r.start();
            clock.advance(Duration.ofMinutes(1));
            r.evaluate(Verdicts.inconclusive("p=0.2"), 100);
            clock.advance(Duration.ofMinutes(1));
            List<RolloutAction> actions = r.evaluate(Verdicts.inconclusive("p=0.2"), 200);
            assertThat(actions).singleElement().isInstanceOf(Rollback.class);
            assertThat(r.state()).isEqualTo(RolloutState.ROLLED_BACK);
            assertThat(r.timeline()).last().extracting(RolloutEvent::trigger)
                    .isEqualTo(RolloutTrigger.INCONCLUSIVE_ROLLBACK);
        }

        @Test
        void zeroExtensionsHoldsAtTheFirstInconclusive() {
            Rollout r = rollout(canary().withInconclusive(0, AfterExtensions.HOLD));
            r.start();
            clock.advance(Duration.ofMinutes(1));
            assertThat(r.evaluate(Verdicts.inconclusive("p=0.2"), 100)).singleElement().isInstanceOf(Hold.class);
        }

        @Test
        void heldIgnoresPassButStillRollsBackOnFail() {
            Rollout r = rollout(canary().withInconclusive(0, AfterExtensions.HOLD));
            r.start();
            clock.advance(Duration.ofMinutes(1));
            r.evaluate(Verdicts.inconclusive("p=0.2"), 100);
            clock.advance(Duration.ofHours(5)); // a hold has no deadline: it waits for a person
            assertThat(r.evaluate(Verdicts.pass(), 10_000)).isEmpty();
            assertThat(r.state()).isEqualTo(RolloutState.HELD);
            assertThat(r.evaluate(Verdicts.fail("errors"), 10_000)).singleElement().isInstanceOf(Rollback.class);
        }
    }

    @Nested
    class Drill {

        @Test
        void losslessDrillPromotes() {
            Rollout r = drilling(canary());
            assertThat(r.onDrill(DrillResult.lossless("identical"))).containsExactly(new Promote());
            assertThat(r.state()).isEqualTo(RolloutState.PROMOTED);
            assertThat(r.snapshot().reasons()).anySatisfy(s -> assertThat(s).contains("lossless"));
        }

        /** Lossy + BLOCK holds rather than rolls back: the candidate passed, and while held the baseline
         *  still applies every request, so nothing is lost waiting for a person to decide. */
        @Test
        void lossyDrillWithBlockHoldsForAnOperator() {
            Rollout r = drilling(canary().withDrillPolicy(DrillPolicy.BLOCK));
            List<RolloutAction> actions = r.onDrill(DrillResult.lossy("baseline cannot read checkpoint schema 3"));
            assertThat(actions).singleElement().isInstanceOfSatisfying(Hold.class,
                    h -> assertThat(h.reason()).contains("LOSSY").contains("schema 3"));
            assertThat(actions).noneMatch(a -> a instanceof Promote);
            assertThat(r.state()).isEqualTo(RolloutState.HELD);
            assertThat(r.snapshot().drill()).hasValueSatisfying(d -> assertThat(d.lossy()).isTrue());
        }

        @Test
        void lossyDrillWithAllowPromotesAndSaysRollbackIsLossy() {
            Rollout r = drilling(canary().withDrillPolicy(DrillPolicy.ALLOW));
            assertThat(r.onDrill(DrillResult.lossy("memory key 'plan' missing"))).containsExactly(new Promote());
            assertThat(r.state()).isEqualTo(RolloutState.PROMOTED);
            assertThat(r.snapshot().reasons()).anySatisfy(s -> assertThat(s).contains("LOSSY"));
            assertThat(r.timeline()).last().extracting(RolloutEvent::trigger)
                    .isEqualTo(RolloutTrigger.DRILL_LOSSY_ALLOWED);
        }

        @Test
        void aDrillResultOutsideTheDrillIsIllegal() {
            Rollout r = rollout(canary());
            r.start();
            assertThatThrownBy(() -> r.onDrill(DrillResult.lossless("x")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("CANARY").hasMessageContaining("DRILL_LOSSLESS");
        }

        @Test
        void failWhileDrillingRollsBack() {
            Rollout r = drilling(canary());
            assertThat(r.evaluate(Verdicts.fail("crash loop"), 5)).singleElement().isInstanceOf(Rollback.class);
            assertThat(r.state()).isEqualTo(RolloutState.ROLLED_BACK);
        }
    }

    @Nested
    class Operator {

        @Test
        void promoteIsRecordedAsAnOverride() {
            Rollout r = rollout(canary());
            r.start();
            passStage(r);
            assertThat(r.operatorPromote("alice")).containsExactly(new Promote());
            RolloutSnapshot s = r.snapshot();
            assertThat(s.state()).isEqualTo(RolloutState.PROMOTED);
            assertThat(s.overrideBy()).contains("alice");
            assertThat(s.reasons()).singleElement().asString().contains("alice").contains("override")
                    .contains("drill not run");
            assertThat(r.timeline()).last().extracting(RolloutEvent::trigger)
                    .isEqualTo(RolloutTrigger.OPERATOR_PROMOTE);
        }

        @Test
        void promoteOverridesABlockedLossyDrill() {
            Rollout r = drilling(canary());
            r.onDrill(DrillResult.lossy("differs"));
            assertThat(r.operatorPromote("bob")).containsExactly(new Promote());
            assertThat(r.snapshot().overrideBy()).contains("bob");
            assertThat(r.snapshot().drill()).hasValueSatisfying(d -> assertThat(d.lossy()).isTrue());
        }

        @Test
        void rollbackIsImmediateAndRecordsWhoAndWhy() {
            Rollout r = rollout(canary());
            r.start();
            List<RolloutAction> actions = r.operatorRollback("carol", "customer complaint");
            assertThat(actions).singleElement().isInstanceOfSatisfying(Rollback.class,
                    rb -> assertThat(rb.reasons().get(0)).contains("carol").contains("customer complaint"));
            assertThat(r.snapshot().overrideBy()).contains("carol");
            assertThat(r.state()).isEqualTo(RolloutState.ROLLED_BACK);
        }

        @Test
        void operatorCommandsAfterTheEndAreIllegal() {
            Rollout r = rollout(canary());
            r.start();
            r.operatorRollback("carol", "no");
            assertThatThrownBy(() -> r.operatorPromote("alice")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ROLLED_BACK").hasMessageContaining("OPERATOR_PROMOTE");
        }

        @Test
        void abortWhenTheCandidateCannotStart() {
            Rollout r = rollout(canary());
            r.start();
            assertThat(r.abort("candidate exited with 127 during startup")).singleElement()
                    .isInstanceOf(Rollback.class);
            assertThat(r.state()).isEqualTo(RolloutState.ABORTED);
            assertThat(r.snapshot().decidingVerdict()).isEmpty();
        }

        @Test
        void startingTwiceIsIllegal() {
            Rollout r = rollout(canary());
            r.start();
            assertThatThrownBy(r::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("CANARY").hasMessageContaining("START_CANARY");
            assertThat(r.timeline()).hasSize(1);
        }
    }

    @Nested
    class Events {

        @Test
        void everyTransitionEmitsOneEventInOrderChainedFromState() {
            Rollout r = rollout(canary().withStrategy(Strategy.CANARY, true).withInconclusive(1, AfterExtensions.HOLD));
            r.start();
            passStage(r); // shadow → canary 10
            clock.advance(Duration.ofMinutes(1));
            r.evaluate(Verdicts.inconclusive("p=0.3"), 100); // extend
            clock.advance(Duration.ofMinutes(1));
            r.evaluate(Verdicts.pass(), 200); // advance to 25
            passStage(r);
            passStage(r);
            passStage(r); // drill
            r.onDrill(DrillResult.lossless("ok"));

            List<RolloutEvent> timeline = r.timeline();
            assertThat(timeline).extracting(RolloutEvent::trigger).containsExactly(
                    RolloutTrigger.START_SHADOW, RolloutTrigger.START_CANARY, RolloutTrigger.EXTEND,
                    RolloutTrigger.ADVANCE, RolloutTrigger.ADVANCE, RolloutTrigger.ADVANCE,
                    RolloutTrigger.REQUEST_DRILL, RolloutTrigger.DRILL_LOSSLESS);
            assertThat(published).isEqualTo(timeline);
            assertThat(timeline.get(0).from()).isEqualTo(RolloutState.PENDING);
            for (int i = 1; i < timeline.size(); i++) {
                assertThat(timeline.get(i).from()).isEqualTo(timeline.get(i - 1).to());
                assertThat(timeline.get(i).time()).isAfterOrEqualTo(timeline.get(i - 1).time());
                assertThat(TransitionTable.standard().next(timeline.get(i).from(), timeline.get(i).trigger()))
                        .isEqualTo(timeline.get(i).to());
            }
            assertThat(timeline).extracting(RolloutEvent::candidatePercent)
                    .containsExactly(0, 10, 10, 25, 50, 100, 100, 100);
            assertThat(timeline.get(timeline.size() - 1).to()).isEqualTo(RolloutState.PROMOTED);
        }

        @Test
        void aFailingListenerDoesNotUndoTheTransition() {
            Rollout r = Rollout.create(DEPLOYMENT, canary(), clock, e -> {
                throw new IllegalStateException("listener broke");
            });
            assertThat(r.start()).containsExactly(new SetCandidateWeight(10));
            assertThat(r.state()).isEqualTo(RolloutState.CANARY);
        }
    }
}
