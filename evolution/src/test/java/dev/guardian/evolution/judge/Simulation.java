package dev.guardian.evolution.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.evolution.ManualClock;
import dev.guardian.evolution.compare.AgreementTracker;
import dev.guardian.evolution.compare.ComparisonConfig;
import dev.guardian.evolution.compare.OutputComparator;
import dev.guardian.evolution.metrics.MetricWindow;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A seeded simulation of one window of mirrored traffic: every request goes to baseline and
 * candidate, as Guardian does. Latency = the request's own cost (log-normal, shared by both
 * instances because it is the same input) × the instance's factor × per-instance noise
 * (log-normal): realistic enough that identical versions differ by noise only.
 */
final class Simulation {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** How one instance behaves; {@link #healthy()} is the primary's behaviour. */
    record Behaviour(double latencyFactor, double errorRate, long restarts, long protocolErrors,
                     long leakBytesPerRequest, double wrongAnswerRate, double shedRate, int failureStreakAt) {

        static Behaviour healthy() {
            return new Behaviour(1.0, 0.01, 0, 0, 0, 0.0, 0.0, -1);
        }

        Behaviour slower(double factor) {
            return new Behaviour(factor, errorRate, restarts, protocolErrors, leakBytesPerRequest, wrongAnswerRate, shedRate, failureStreakAt);
        }

        Behaviour errorRate(double rate) {
            return new Behaviour(latencyFactor, rate, restarts, protocolErrors, leakBytesPerRequest, wrongAnswerRate, shedRate, failureStreakAt);
        }

        Behaviour crashing(long n) {
            return new Behaviour(latencyFactor, errorRate, n, protocolErrors, leakBytesPerRequest, wrongAnswerRate, shedRate, failureStreakAt);
        }

        Behaviour protocolErrors(long n) {
            return new Behaviour(latencyFactor, errorRate, restarts, n, leakBytesPerRequest, wrongAnswerRate, shedRate, failureStreakAt);
        }

        Behaviour leaking(long bytesPerRequest) {
            return new Behaviour(latencyFactor, errorRate, restarts, protocolErrors, bytesPerRequest, wrongAnswerRate, shedRate, failureStreakAt);
        }

        Behaviour wrongOn(double rate) {
            return new Behaviour(latencyFactor, errorRate, restarts, protocolErrors, leakBytesPerRequest, rate, shedRate, failureStreakAt);
        }

        Behaviour shedding(double rate) {
            return new Behaviour(latencyFactor, errorRate, restarts, protocolErrors, leakBytesPerRequest, wrongAnswerRate, rate, failureStreakAt);
        }

        /** Fails {@value #STREAK} requests in a row starting at request {@code at} (a stuck dependency). */
        Behaviour failureStreakAt(int at) {
            return new Behaviour(latencyFactor, errorRate, restarts, protocolErrors, leakBytesPerRequest, wrongAnswerRate, shedRate, at);
        }
    }

    static final int STREAK = 8;

    /** The windows after the run, ready to judge. */
    record Run(MetricWindow baseline, MetricWindow candidate, AgreementTracker agreement) {
        Verdict judgedBy(Judge judge) {
            return judge.judge(baseline, candidate, agreement);
        }
    }

    static Run run(long seed, int requests, Behaviour baseline, Behaviour candidate) {
        ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
        SplittableRandom random = new SplittableRandom(seed);
        MetricWindow b = MetricWindow.open(clock, MetricWindow.DEFAULT_RESERVOIR_SIZE, seed);
        MetricWindow c = MetricWindow.open(clock, MetricWindow.DEFAULT_RESERVOIR_SIZE, seed + 1);
        AgreementTracker tracker = new AgreementTracker(OutputComparator.structural(
                ComparisonConfig.ofDefaults().withIgnoredPaths("/payload/timestamp")));
        Instance bi = new Instance(b, baseline, random.split());
        Instance ci = new Instance(c, candidate, random.split());
        bi.start();
        ci.start();
        for (int seq = 0; seq < requests; seq++) {
            double costMs = 2.0 * Math.exp(0.5 * random.nextGaussian()); // median 2 ms, long right tail
            clock.advance(Duration.ofMillis(10));
            JsonNode ba = bi.handle(seq, costMs, requests);
            JsonNode ca = ci.handle(seq, costMs, requests);
            if (ba != null && ca != null) {
                tracker.record(seq, ba, ca);
            }
        }
        return new Run(b, c, tracker);
    }

    private static final class Instance {
        final MetricWindow window;
        final Behaviour behaviour;
        final SplittableRandom random;
        double cpu;

        Instance(MetricWindow window, Behaviour behaviour, SplittableRandom random) {
            this.window = window;
            this.behaviour = behaviour;
            this.random = random;
        }

        void start() {
            window.sampleResources(rss(0), 0.5);
            cpu = 0.5;
        }

        long rss(int seq) {
            return (100L << 20) + (long) (random.nextGaussian() * (2 << 20)) + behaviour.leakBytesPerRequest * seq;
        }

        /** The instance's answer, or null when it shed the request or timed out. */
        JsonNode handle(int seq, double costMs, int requests) {
            if (behaviour.restarts > 0 && seq > 0 && seq % Math.max(1, requests / (behaviour.restarts + 1)) == 0
                    && seq / Math.max(1, requests / (behaviour.restarts + 1)) <= behaviour.restarts) {
                window.recordRestart();
            }
            if (behaviour.protocolErrors > 0 && seq < behaviour.protocolErrors) {
                window.recordProtocolError();
            }
            if (random.nextDouble() < behaviour.shedRate) {
                window.recordShed();
                return null;
            }
            double latencyMs = costMs * behaviour.latencyFactor * Math.exp(0.2 * random.nextGaussian());
            cpu += latencyMs / 1000 * 0.8;
            if (seq % 100 == 99) {
                window.sampleResources(rss(seq), cpu);
            }
            boolean inStreak = behaviour.failureStreakAt >= 0
                    && seq >= behaviour.failureStreakAt && seq < behaviour.failureStreakAt + STREAK;
            if (inStreak && seq % 2 == 0) {
                window.recordTimeout();
                return null;
            }
            boolean ok = !inStreak && random.nextDouble() >= behaviour.errorRate;
            window.recordAnswer((long) (latencyMs * 1e6), ok);
            ObjectNode answer = JSON.objectNode().put("ok", ok);
            if (ok) {
                long result = seq * 2L + (random.nextDouble() < behaviour.wrongAnswerRate ? 1 : 0);
                answer.putObject("payload").put("result", result).put("timestamp", System.identityHashCode(this) + seq);
            } else {
                answer.put("error", "upstream unavailable");
            }
            return answer;
        }
    }

    private Simulation() {
    }
}
