package dev.guardian.evolution.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.guardian.evolution.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MetricWindowTest {

    private final ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
    private final MetricWindow window = MetricWindow.open(clock);

    private static long ms(double millis) {
        return (long) (millis * 1_000_000);
    }

    @Nested
    class Counting {

        @Test
        void anEmptyWindowHasNoPercentilesAndNoRates() {
            WindowStats s = window.snapshot();
            assertThat(s.requests()).isZero();
            assertThat(s.latencyP50Ms()).isNaN();
            assertThat(s.latencyP99Ms()).isNaN();
            assertThat(s.throughputPerSec()).isZero();
            assertThat(s.errorRate()).isZero();
            assertThat(window.latencySamplesMs()).isEmpty();
        }

        @Test
        void answersTimeoutsAndShedRequestsAreCountedApart() {
            window.recordAnswer(ms(2), true);
            window.recordAnswer(ms(3), false);
            window.recordTimeout();
            window.recordShed();
            window.recordShed(3);
            window.recordRestart();
            window.recordProtocolError();
            WindowStats s = window.snapshot();
            assertThat(s.requests()).as("answers + timeouts; shed requests were never delivered").isEqualTo(3);
            assertThat(s.errors()).isEqualTo(1);
            assertThat(s.timeouts()).isEqualTo(1);
            assertThat(s.shed()).isEqualTo(4);
            assertThat(s.restarts()).isEqualTo(1);
            assertThat(s.protocolErrors()).isEqualTo(1);
            assertThat(s.errorRate()).isCloseTo(2.0 / 3, within(1e-12));
            assertThat(window.latencySamplesMs()).containsExactlyInAnyOrder(2.0, 3.0);
        }

        @Test
        void percentilesComeFromEveryAnswer() {
            for (int i = 1; i <= 1000; i++) {
                window.recordAnswer(ms(i), true);
            }
            WindowStats s = window.snapshot();
            assertThat(s.latencyP50Ms()).isCloseTo(500, within(0.5));
            assertThat(s.latencyP95Ms()).isCloseTo(950, within(1.0));
            assertThat(s.latencyP99Ms()).isCloseTo(990, within(1.0));
        }

        @Test
        void throughputIsAnswersPerSecondOfTheWindowsSpan() {
            for (int i = 0; i < 50; i++) {
                window.recordAnswer(ms(1), true);
            }
            window.recordTimeout();
            clock.advance(Duration.ofSeconds(10));
            WindowStats s = window.snapshot();
            assertThat(s.span()).isEqualTo(Duration.ofSeconds(10));
            assertThat(s.throughputPerSec()).isCloseTo(5.0, within(1e-9));
        }

        @Test
        void theLongestRunOfFailuresIsKeptAndAnOkAnswerEndsARun() {
            window.recordAnswer(ms(1), false);
            window.recordTimeout();
            window.recordAnswer(ms(1), false);
            window.recordAnswer(ms(1), true);
            window.recordTimeout();
            assertThat(window.currentConsecutiveFailures()).isEqualTo(1);
            window.recordShed(); // not a request: neither ends nor extends the run
            window.recordTimeout();
            assertThat(window.currentConsecutiveFailures()).isEqualTo(2);
            assertThat(window.snapshot().consecutiveFailures()).isEqualTo(3);
        }

        @Test
        void aNegativeLatencyIsRefused() {
            assertThatThrownBy(() -> window.recordAnswer(-1, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("latencyNanos must be >= 0, but was -1");
        }
    }

    @Nested
    class Resources {

        @Test
        void theFirstSampleIsTheStartAndTheLastTheEnd() {
            window.sampleResources(100, 1.0);
            window.sampleResources(150, 1.5);
            window.sampleResources(130, 3.0);
            WindowStats s = window.snapshot();
            assertThat(s.rssStartBytes()).isEqualTo(100);
            assertThat(s.rssEndBytes()).isEqualTo(130);
            assertThat(s.rssGrowthBytes()).isEqualTo(30);
            assertThat(s.cpuSeconds()).isCloseTo(2.0, within(1e-12));
        }

        @Test
        void aCpuCounterThatRestartsFromZeroIsAddedWhole() {
            window.sampleResources(100, 10.0);
            window.sampleResources(100, 12.0); // +2
            window.sampleResources(50, 0.5);   // restarted: the new process used 0.5
            window.sampleResources(60, 1.0);   // +0.5
            assertThat(window.snapshot().cpuSeconds()).isCloseTo(3.0, within(1e-12));
        }

        @Test
        void nonsenseSamplesAreRefused() {
            assertThatThrownBy(() -> window.sampleResources(-1, 0)).hasMessage("rssBytes must be >= 0, but was -1");
            assertThatThrownBy(() -> window.sampleResources(1, Double.NaN)).hasMessage("cpuSeconds must be finite and >= 0, but was NaN");
        }
    }

    @Nested
    class NewWindows {

        @Test
        void resetStartsAnEmptyWindowThatBeginsWhereTheLastResourcesEnded() {
            window.recordAnswer(ms(5), false);
            window.recordRestart();
            window.sampleResources(100, 1.0);
            window.sampleResources(200, 2.0);
            clock.advance(Duration.ofSeconds(30));
            window.reset();
            clock.advance(Duration.ofSeconds(2));
            window.recordAnswer(ms(1), true);
            window.sampleResources(210, 2.5);
            WindowStats s = window.snapshot();
            assertThat(s.requests()).isEqualTo(1);
            assertThat(s.errors()).isZero();
            assertThat(s.restarts()).isZero();
            assertThat(s.consecutiveFailures()).isZero();
            assertThat(s.span()).isEqualTo(Duration.ofSeconds(2));
            assertThat(s.rssStartBytes()).isEqualTo(200);
            assertThat(s.rssGrowthBytes()).isEqualTo(10);
            assertThat(s.cpuSeconds()).isCloseTo(0.5, within(1e-12));
            assertThat(window.latencySamplesMs()).containsExactly(1.0);
        }
    }

    @Nested
    class LatencySamples {

        @Test
        void areBoundedByTheReservoirAndReproducibleForASeed() {
            MetricWindow a = MetricWindow.open(clock, 100, 7);
            MetricWindow b = MetricWindow.open(clock, 100, 7);
            for (int i = 0; i < 10_000; i++) {
                a.recordAnswer(ms(i), true);
                b.recordAnswer(ms(i), true);
            }
            assertThat(a.latencySamplesMs()).hasSize(100).containsExactly(b.latencySamplesMs());
            assertThat(a.snapshot().requests()).isEqualTo(10_000);
        }

        @Test
        void areAUniformSampleOfTheWholeWindow() {
            MetricWindow w = MetricWindow.open(clock, 1_000, 3);
            for (int i = 0; i < 100_000; i++) {
                w.recordAnswer(ms(i / 1000.0), true); // 0 .. 100 ms, uniform
            }
            double[] samples = w.latencySamplesMs();
            double mean = java.util.Arrays.stream(samples).average().orElseThrow();
            long late = java.util.Arrays.stream(samples).filter(v -> v >= 50).count();
            assertThat(mean).isCloseTo(50, within(3.0));
            assertThat(late).isBetween(450L, 550L);
        }
    }

    @Nested
    class Concurrency {

        @Test
        void severalThreadsRecordingLoseNothing() throws Exception {
            int threads = 4;
            int perThread = 25_000;
            MetricWindow w = MetricWindow.open(clock, 10_000, 1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            if (i % 100 == 0) {
                                w.recordTimeout();
                            } else {
                                w.recordAnswer(ms(1 + id), i % 10 != 0);
                            }
                            if (i % 1000 == 0) {
                                w.recordShed();
                                w.sampleResources(1_000 + i, i / 1000.0);
                                w.snapshot(); // readers run alongside writers
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            WindowStats s = w.snapshot();
            long timeouts = threads * (perThread / 100L);
            long errors = threads * (perThread / 10L - perThread / 100L); // i % 10 == 0 but not a timeout
            assertThat(s.requests()).isEqualTo((long) threads * perThread);
            assertThat(s.timeouts()).isEqualTo(timeouts);
            assertThat(s.errors()).isEqualTo(errors);
            assertThat(s.shed()).isEqualTo(threads * (perThread / 1000L));
            double[] samples = w.latencySamplesMs();
            assertThat(samples).hasSize(10_000);
            assertThat(java.util.Arrays.stream(samples).allMatch(v -> v >= 1 && v <= threads)).isTrue();
            assertThat(s.latencyP99Ms()).isCloseTo(threads, within(0.01));
        }
    }
}
