package dev.guardian.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who is blamed when the agent dies, and what that costs: only a request the agent had been given
 * is struck; a poison key stays poison across restarts without reaching the agent; poison requests
 * do not use up the restart budget; FAILED is tried again. Real agent processes (the faulty
 * learner), a real WAL and vault.
 */
class PoisonTest {

    @TempDir
    Path data;

    private SupervisorFixture fixture;

    @AfterEach
    void tearDown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String agent(String env) {
        return "agent: {command: [python3, " + SupervisorFixture.FAULTY + "], env: " + env + "}\n"
                + "heartbeat: {interval: 200ms, misses: 5}\n";
    }

    @Test
    void requestsSentWhileTheAgentCrashLoopsAtStartAreNeverPoisonAndMayStillBeApplied() throws Exception {
        Path marker = Files.createFile(data.getParent().resolve("start-fails-" + System.nanoTime()));
        String config = agent("{FAULTY_START_FAILS_FILE: '" + marker + "'}")
                + "restart: {backoff: {initial: 10ms, max: 50ms}, intensity: {max_restarts: 4, window: 60s},"
                + " retry_failed: {after: 1h, max: 2h}}\n";
        fixture = SupervisorFixture.start(data, config);
        List<CompletableFuture<Outcome>> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sent.add(fixture.supervisor.submit(SupervisorFixture.JSON.readTree(learn("during-loop")), "loop-" + i));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.supervisor.phase() == PrimarySupervisor.Phase.FAILED);
        for (CompletableFuture<Outcome> f : sent) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(Outcome.Failed.class, o -> {
                assertThat(o.kind()).isEqualTo(Outcome.Kind.AGENT_FAILED);
                assertThat(o.logged()).as("a logged request may still be applied").isTrue();
            });
        }
        assertThat(fixture.records(RequestLog.SKIP)).as("no request was set aside").isEmpty();
        Outcome refused = fixture.submit(learn("while-failed"), "failed-1");
        assertThat(refused).isInstanceOfSatisfying(Outcome.Failed.class, o -> {
            assertThat(o.kind()).isEqualTo(Outcome.Kind.AGENT_FAILED);
            assertThat(o.logged()).as("refused before it was logged").isFalse();
        });

        Files.delete(marker);
        assertThat(fixture.supervisor.restartAgent(Duration.ofSeconds(20))).contains("starting again");
        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.supervisor.phase() == PrimarySupervisor.Phase.OPEN);
        assertThat(fixture.count("during-loop")).as("the three logged requests were applied, once each").isEqualTo(3);
        assertThat(fixture.count("while-failed")).as("the refused one was not").isZero();
        assertThat(fixture.submit(learn("during-loop"), "loop-1")).isInstanceOf(Outcome.Answered.class);
        assertThat(fixture.count("during-loop")).isEqualTo(3);
    }

    @Test
    void aFailedRestoreBlamesNoRequest() throws Exception {
        Path marker = data.getParent().resolve("restore-fails-" + System.nanoTime());
        String config = agent("{FAULTY_RESTORE_FAILS_FILE: '" + marker + "'}")
                + "restart: {backoff: {initial: 10ms, max: 100ms}, intensity: {max_restarts: 100, window: 60s}}\n";
        fixture = SupervisorFixture.open(data, config);
        fixture.submit(learn("a"), null);
        fixture.supervisor.checkpointNow().get(10, TimeUnit.SECONDS);
        Files.createFile(marker);
        fixture.killAgent();
        CompletableFuture<Outcome> waiting = fixture.supervisor.submit(SupervisorFixture.JSON.readTree(learn("a")), "w-1");
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.supervisor.status().restarts() >= 5);
        Files.delete(marker);
        assertThat(waiting.get(30, TimeUnit.SECONDS)).isInstanceOf(Outcome.Answered.class);
        assertThat(fixture.records(RequestLog.SKIP)).isEmpty();
        assertThat(fixture.count("a")).isEqualTo(2);
    }

    @Test
    void aPoisonKeyAnswersPoisonAfterARestartWithoutReachingTheAgent() throws Exception {
        String config = agent("{}") + "restart: {backoff: {initial: 10ms}}\n";
        fixture = SupervisorFixture.open(data, config);
        assertThat(fixture.submit("{\"op\":\"crash\"}", "bad-1")).isInstanceOfSatisfying(Outcome.Failed.class,
                o -> assertThat(o.kind()).isEqualTo(Outcome.Kind.POISON));
        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.supervisor.status().restarts() == 3
                && fixture.supervisor.phase() == PrimarySupervisor.Phase.OPEN);
        fixture.close();

        fixture = SupervisorFixture.open(data, config);
        for (int i = 0; i < 10; i++) {
            assertThat(fixture.submit("{\"op\":\"crash\"}", "bad-1")).isInstanceOfSatisfying(Outcome.Failed.class,
                    o -> assertThat(o.kind()).isEqualTo(Outcome.Kind.POISON));
        }
        assertThat(fixture.supervisor.status().restarts()).as("the agent never got it again").isZero();
        assertThat(fixture.supervisor.phase()).isEqualTo(PrimarySupervisor.Phase.OPEN);
    }

    @Test
    void distinctPoisonRequestsDoNotUseUpTheRestartBudgetOfTheAgent() throws Exception {
        // The default intensity: more than 5 restarts within 60 s escalate; 4 poison requests cost 12 deaths.
        fixture = SupervisorFixture.open(data, agent("{}") + "restart: {backoff: {initial: 10ms}}\n");
        for (int i = 0; i < 4; i++) {
            assertThat(fixture.submit("{\"op\":\"crash\"}", "bad-" + i)).isInstanceOfSatisfying(Outcome.Failed.class,
                    o -> assertThat(o.kind()).isEqualTo(Outcome.Kind.POISON));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.supervisor.status().restarts() == 12);
        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.supervisor.phase() == PrimarySupervisor.Phase.OPEN);
        assertThat(fixture.submit(learn("good"), null)).isInstanceOf(Outcome.Answered.class);
    }

    @Test
    void aFailedAgentIsTriedAgainAfterTheRetryDelay() throws Exception {
        Path marker = data.getParent().resolve("start-fails-" + System.nanoTime());
        String config = agent("{FAULTY_START_FAILS_FILE: '" + marker + "'}")
                + "restart: {backoff: {initial: 10ms, max: 50ms}, intensity: {max_restarts: 2, window: 60s},"
                + " retry_failed: {after: 1s, max: 2s}}\n";
        fixture = SupervisorFixture.open(data, config);
        fixture.submit(learn("before"), null);
        Files.createFile(marker);
        fixture.killAgent();
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.supervisor.phase() == PrimarySupervisor.Phase.FAILED);
        assertThat(fixture.supervisor.status().failedReason()).contains("tries again at");
        // Still failing at the first retry: FAILED again, and retried again later.
        long restarts = fixture.supervisor.status().restarts();
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.supervisor.status().restarts() > restarts
                && fixture.supervisor.phase() == PrimarySupervisor.Phase.FAILED);
        Files.delete(marker);
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.supervisor.phase() == PrimarySupervisor.Phase.OPEN);
        assertThat(fixture.count("before")).isEqualTo(1);
    }

    private static String learn(String key) {
        return "{\"op\":\"learn\",\"key\":\"" + key + "\"}";
    }
}
