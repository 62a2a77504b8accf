package dev.guardian.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.testsupport.ControlRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.awaitility.Awaitility.await;

/**
 * One faulty variant of the learner per case, under the real supervisor: the fault is detected, the
 * right action is taken, Guardian stays up, and the agent's memory at the end equals that of a
 * control run of the plain learner that got the same good requests and never failed.
 */
class FaultRecoveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of(System.getProperty("guardian.repo", "..")).toAbsolutePath().normalize();
    private static final String FAULTY = REPO.resolve("guardian/src/test/resources/agents/faulty/faulty_learner.py").toString();
    private static final String LEARNER = REPO.resolve("examples/python/learner_agent.py").toString();
    private static final String TOP = "{\"op\":\"top\",\"n\":100}";

    @TempDir
    Path data;

    private SupervisorFixture fixture;
    private PrimarySupervisor supervisor;

    @AfterEach
    void tearDown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * The fault's payload; how Guardian must end up answering it (null: answered normally); and what
     * it must have detected: the start of the last exit (null: no exit, but protocol errors counted).
     */
    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("crashes on some input", "{\"op\":\"crash\"}", Outcome.Kind.POISON, "CRASHED: exited with status 3"),
                Arguments.of("exits with a signal", "{\"op\":\"signal\"}", Outcome.Kind.POISON, "CRASHED: killed by signal 11"),
                Arguments.of("hangs", "{\"op\":\"hang\"}", Outcome.Kind.POISON, "HUNG: no pong for 3 pings"),
                Arguments.of("loops forever", "{\"op\":\"spin\"}", Outcome.Kind.POISON, "HUNG: no pong for 3 pings"),
                // Answered at once; the next RSS check finds the leak and the instance is replaced.
                Arguments.of("leaks memory past its cap", "{\"op\":\"leak\",\"mb\":160}", null, "LEAKED: resident memory"),
                Arguments.of("writes garbage to stdout", "{\"op\":\"garbage\"}", null, null),
                Arguments.of("writes an oversized line", "{\"op\":\"oversize\",\"bytes\":2097152}", null, null));
    }

    @ParameterizedTest(name = "an agent that {0}")
    @MethodSource("faults")
    void isDetectedAndRecoveredWithTheMemoryOfAControlRun(String what, String fault, Outcome.Kind expected, String detected)
            throws Exception {
        start();
        List<String> good = new ArrayList<>();
        List<CompletableFuture<Outcome>> answers = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            good.add("{\"op\":\"learn\",\"key\":\"k" + (i % 7) + "\",\"weight\":" + (1 + i % 3) + "}");
        }
        for (int i = 0; i < 30; i++) {
            answers.add(supervisor.submit(JSON.readTree(good.get(i)), null));
        }
        CompletableFuture<Outcome> faulty = supervisor.submit(JSON.readTree(fault), null);
        for (int i = 30; i < 60; i++) {
            answers.add(supervisor.submit(JSON.readTree(good.get(i)), null));
        }
        Outcome faultOutcome = faulty.get(60, TimeUnit.SECONDS);
        if (expected == null) {
            assertThat(faultOutcome).as(what).isInstanceOf(Outcome.Answered.class);
        } else {
            assertThat(faultOutcome).as(what).isInstanceOf(Outcome.Failed.class);
            assertThat(((Outcome.Failed) faultOutcome).kind()).as(what + ": " + faultOutcome).isEqualTo(expected);
        }
        for (CompletableFuture<Outcome> a : answers) {
            assertThat(a.get(60, TimeUnit.SECONDS)).as(what).isInstanceOf(Outcome.Answered.class);
        }
        if (detected != null) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(supervisor.status().lastExit())
                    .as(what).startsWith(detected));
        } else {
            assertThat(supervisor.status().restarts()).as(what + ": no restart").isZero();
            assertThat(supervisor.status().instance().protocolErrors()).as(what + ": protocol errors").isPositive();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> supervisor.phase() == PrimarySupervisor.Phase.OPEN);
        Outcome top = supervisor.submit(JSON.readTree(TOP), null).get(30, TimeUnit.SECONDS);
        JsonNode control = ControlRun.answer(List.of("python3", LEARNER), good, TOP);
        assertThat(((Outcome.Answered) top).payload()).as(what).isEqualTo(control);
    }

    @Test
    void anAgentThatIgnoresStdinEofAndShutdownIsKilledOnStopAndItsMemorySurvives() throws Exception {
        String config = "agent: {command: [python3, " + FAULTY + "], env: {FAULTY_IGNORE_EOF: \"1\"}}\n"
                + "shutdown: {grace: 300ms, term_grace: 300ms}\n"
                + "checkpoint: {every_requests: 7}\n";
        fixture = SupervisorFixture.open(data, config);
        supervisor = fixture.supervisor;
        List<String> good = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            good.add("{\"op\":\"learn\",\"key\":\"k" + (i % 4) + "\",\"weight\":" + (1 + i % 2) + "}");
            assertThat(supervisor.submit(JSON.readTree(good.get(i)), null).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(Outcome.Answered.class);
        }
        ProcessHandle agent = ProcessHandle.of(Long.parseLong(supervisor.status().instance().where().replace("pid ", ""))).orElseThrow();
        long started = System.nanoTime();
        fixture.close();
        fixture = null;
        // shutdown and EOF were ignored, SIGTERM too: only the SIGKILL after both graces ends it.
        assertThat(agent.isAlive()).as("the agent outlived its stop").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(600));

        fixture = SupervisorFixture.open(data, config);
        supervisor = fixture.supervisor;
        Outcome top = supervisor.submit(JSON.readTree(TOP), null).get(30, TimeUnit.SECONDS);
        assertThat(((Outcome.Answered) top).payload()).isEqualTo(ControlRun.answer(List.of("python3", LEARNER), good, TOP));
    }

    private void start() {
        fixture = SupervisorFixture.open(data, "agent: {command: [python3, " + FAULTY + "]}\n"
                + "heartbeat: {interval: 200ms, misses: 3}\n"
                + "limits: {memory: 120MB}\n"
                + "protocol: {max_line_bytes: 1048576}\n"
                + "checkpoint: {every_requests: 20}\n"
                + "restart: {backoff: {initial: 10ms}, intensity: {max_restarts: 100, window: 60s}}");
        supervisor = fixture.supervisor;
    }
}
