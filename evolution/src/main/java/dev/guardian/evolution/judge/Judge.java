package dev.guardian.evolution.judge;

import dev.guardian.evolution.compare.Agreement;
import dev.guardian.evolution.compare.AgreementTracker;
import dev.guardian.evolution.judge.internal.DefaultJudge;
import dev.guardian.evolution.metrics.MetricWindow;
import dev.guardian.evolution.metrics.WindowStats;

/**
 * Compares a candidate's window with the baseline's over the same requests and says pass, fail or
 * inconclusive, with every check and its numbers (see {@link JudgeConfig} for the rules).
 * Pure and thread-safe: the same inputs give the same verdict.
 */
public interface Judge {

    static Judge of(JudgeConfig config) {
        return new DefaultJudge(config);
    }

    static Judge ofDefaults() {
        return of(JudgeConfig.ofDefaults());
    }

    JudgeConfig config();

    /**
     * @param baselineLatenciesMs  the baseline's latency samples in ms ({@link MetricWindow#latencySamplesMs()})
     * @param candidateLatenciesMs the candidate's
     * @param agreement            output agreement over the window ({@link Agreement#NONE} when not compared)
     */
    Verdict judge(WindowStats baseline, double[] baselineLatenciesMs,
                  WindowStats candidate, double[] candidateLatenciesMs, Agreement agreement);

    /**
     * The hard limits alone ({@link Interim#HARD_CHECKS}: restarts, protocol errors, a run of
     * failures, memory growth, agreement): FAIL when one is broken, else INCONCLUSIVE, never PASS.
     * What a window can decide before it is complete, without the cost of the statistical tests
     * (which sort the latency samples): a rollout judged every tick for a day does that 170 000 times.
     */
    Verdict judgeHardLimits(WindowStats baseline, WindowStats candidate, Agreement agreement);

    /** {@link #judgeHardLimits(WindowStats, WindowStats, Agreement)} on two live windows as they are now. */
    default Verdict judgeHardLimits(MetricWindow baseline, MetricWindow candidate, AgreementTracker agreement) {
        return judgeHardLimits(baseline.snapshot(), candidate.snapshot(), agreement == null ? Agreement.NONE : agreement.snapshot());
    }

    /** Judges two live windows as they are now. */
    default Verdict judge(MetricWindow baseline, MetricWindow candidate, AgreementTracker agreement) {
        return judge(baseline.snapshot(), baseline.latencySamplesMs(),
                candidate.snapshot(), candidate.latencySamplesMs(),
                agreement == null ? Agreement.NONE : agreement.snapshot());
    }
}
