package dev.guardian.evolution.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.guardian.evolution.compare.AgreementTracker.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AgreementTrackerTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private static JsonNode ok(long v) {
        return JSON.objectNode().put("ok", true).set("payload", JSON.numberNode(v));
    }

    private static JsonNode failed() {
        return JSON.objectNode().put("ok", false).put("error", "boom");
    }

    @Test
    void countsAgreementsAndKeepsTheFirstDiffs() {
        AgreementTracker t = new AgreementTracker(OutputComparator.exact(), 2, false);
        assertThat(t.record(1, ok(1), ok(1))).isEqualTo(Outcome.AGREED);
        assertThat(t.record(2, ok(2), ok(3))).isEqualTo(Outcome.DIFFERED);
        t.record(3, ok(3), ok(4));
        t.record(4, ok(4), ok(5));
        Agreement a = t.snapshot();
        assertThat(a.compared()).isEqualTo(4);
        assertThat(a.agreed()).isEqualTo(1);
        assertThat(a.rate()).isEqualTo(0.25);
        assertThat(a.sampleDiffs()).extracting(Agreement.Diff::seq).containsExactly(2L, 3L);
        assertThat(a.sampleDiffs().get(0).path()).isEqualTo("/payload");
        assertThat(a.sampleDiffs().get(0).candidate()).isEqualTo(ok(3));
    }

    @Test
    void failedAnswersAreLeftToTheErrorRateUnlessIncluded() {
        AgreementTracker skipping = new AgreementTracker(OutputComparator.exact());
        assertThat(skipping.record(1, ok(1), failed())).isEqualTo(Outcome.SKIPPED);
        assertThat(skipping.record(2, failed(), failed())).isEqualTo(Outcome.SKIPPED);
        assertThat(skipping.snapshot().compared()).isZero();

        AgreementTracker including = new AgreementTracker(OutputComparator.exact(), 10, true);
        assertThat(including.record(1, ok(1), failed())).isEqualTo(Outcome.DIFFERED);
        assertThat(including.record(2, failed(), failed())).isEqualTo(Outcome.AGREED);
        assertThat(including.snapshot().sampleDiffs().get(0).path()).isEqualTo("/ok");
    }

    @Test
    void identicalAnswersCountAsAgreedWithoutComparing() {
        AgreementTracker t = new AgreementTracker(OutputComparator.exact());
        t.recordIdentical(1);
        t.record(2, ok(2), ok(3));
        Agreement a = t.snapshot();
        assertThat(a.compared()).isEqualTo(2);
        assertThat(a.agreed()).isEqualTo(1);
        assertThat(a.sampleDiffs()).extracting(Agreement.Diff::seq).containsExactly(2L);
    }

    @Test
    void resetStartsANewWindow() {
        AgreementTracker t = new AgreementTracker(OutputComparator.exact());
        t.record(1, ok(1), ok(2));
        t.reset();
        assertThat(t.snapshot()).isEqualTo(new Agreement(0, 0, List.of()));
    }

    @Test
    void concurrentRecordersLoseNothingAndDiffsComeOutInSequenceOrder() throws Exception {
        AgreementTracker t = new AgreementTracker(OutputComparator.exact(), 1_000, false);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                int id = thread;
                done.add(pool.submit(() -> {
                    for (long seq = id; seq < 40_000; seq += 4) {
                        t.record(seq, ok(seq), ok(seq % 100 == 0 ? -1 : seq));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Agreement a = t.snapshot();
        assertThat(a.compared()).isEqualTo(40_000);
        assertThat(a.agreed()).isEqualTo(40_000 - 400);
        assertThat(a.sampleDiffs()).hasSize(400).extracting(Agreement.Diff::seq).isSorted();
    }
}
