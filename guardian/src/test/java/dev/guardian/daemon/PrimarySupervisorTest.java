package dev.guardian.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.evolution.version.Origin;
import dev.guardian.evolution.version.Version;
import dev.guardian.vault.Vault;
import dev.guardian.wal.WalCursor;
import dev.guardian.wal.WalRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The primary's supervision and recovery, on a real WAL, a real vault and real agent processes. */
class PrimarySupervisorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of(System.getProperty("guardian.repo", "..")).toAbsolutePath().normalize();
    private static final String FAULTY = REPO.resolve("guardian/src/test/resources/agents/faulty/faulty_learner.py").toString();

    @TempDir
    Path data;

    private SupervisorFixture fixture;
    private Vault vault;
    private PrimarySupervisor supervisor;

    @AfterEach
    void tearDown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void requestsAreAnsweredInOrderAndMemorySurvivesAgentKills() throws Exception {
        start("restart: {backoff: {initial: 10ms}}\ncheckpoint: {every_requests: 40}");
        int learned = 0;
        for (int round = 0; round < 5; round++) {
            List<CompletableFuture<Outcome>> answers = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                answers.add(supervisor.submit(json("{\"op\":\"learn\",\"key\":\"k\"}"), null));
            }
            // Kill the agent while (some of) these are in flight: they are redelivered after recovery.
            int expectedRestarts = round;
            await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.phase() == PrimarySupervisor.Phase.OPEN
                    && supervisor.status().restarts() == expectedRestarts);
            killAgent();
            for (CompletableFuture<Outcome> a : answers) {
                assertThat(a.get(30, TimeUnit.SECONDS)).isInstanceOf(Outcome.Answered.class);
            }
            learned += 30;
        }
        assertThat(count("k")).isEqualTo(learned);
        assertThat(supervisor.status().restarts()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void aRepeatedIdempotencyKeyGetsTheSameAnswerAndIsAppliedOnce() throws Exception {
        start("");
        Outcome first = supervisor.submit(json("{\"op\":\"learn\",\"key\":\"once\"}"), "key-1").get(10, TimeUnit.SECONDS);
        Outcome second = supervisor.submit(json("{\"op\":\"learn\",\"key\":\"once\"}"), "key-1").get(10, TimeUnit.SECONDS);
        assertThat(second).isEqualTo(first);
        assertThat(count("once")).isEqualTo(1);
    }

    @Test
    void memoryAndIdempotencySurviveARestartOfGuardianItself() throws Exception {
        start("checkpoint: {every_requests: 25}");
        for (int i = 0; i < 60; i++) {
            supervisor.submit(json("{\"op\":\"learn\",\"key\":\"g\"}"), "req-" + i).get(10, TimeUnit.SECONDS);
        }
        Outcome before = supervisor.submit(json("{\"op\":\"learn\",\"key\":\"g\"}"), "req-59").get(10, TimeUnit.SECONDS);
        restartGuardian("checkpoint: {every_requests: 25}");
        assertThat(count("g")).isEqualTo(60);
        Outcome after = supervisor.submit(json("{\"op\":\"learn\",\"key\":\"g\"}"), "req-59").get(10, TimeUnit.SECONDS);
        assertThat(after).isEqualTo(before);
        assertThat(count("g")).isEqualTo(60);
    }

    @Test
    void aRequestThatCrashesTheAgentEveryTimeIsSetAsideAsPoison() throws Exception {
        start("restart: {backoff: {initial: 10ms}}");
        supervisor.submit(json("{\"op\":\"learn\",\"key\":\"p\"}"), null).get(10, TimeUnit.SECONDS);
        Outcome poison = supervisor.submit(json("{\"op\":\"crash\"}"), null).get(30, TimeUnit.SECONDS);
        assertThat(poison).isInstanceOf(Outcome.Failed.class);
        assertThat(((Outcome.Failed) poison).kind()).isEqualTo(Outcome.Kind.POISON);
        assertThat(((Outcome.Failed) poison).message()).startsWith("the agent ended 3 times while handling this request");
        assertThat(supervisor.submit(json("{\"op\":\"learn\",\"key\":\"p\"}"), null).get(10, TimeUnit.SECONDS))
                .isInstanceOf(Outcome.Answered.class);
        assertThat(count("p")).isEqualTo(2);
    }

    @Test
    void aTemporaryAgentThatCrashesIsFailedAndGuardianAnswersThatItIs() throws Exception {
        start("restart: {type: temporary}");
        supervisor.submit(json("{\"op\":\"crash\"}"), null);
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.phase() == PrimarySupervisor.Phase.FAILED);
        Outcome o = supervisor.submit(json("{\"op\":\"ask\",\"key\":\"x\"}"), null).get(5, TimeUnit.SECONDS);
        assertThat(o).isInstanceOf(Outcome.Failed.class);
        assertThat(((Outcome.Failed) o).kind()).isEqualTo(Outcome.Kind.AGENT_FAILED);
        assertThat(((Outcome.Failed) o).message()).contains("restart type, TEMPORARY, does not restart it");
    }

    @Test
    void anAgentThatDiesDuringReplayIsRecoveredAgainWithoutHangingGuardian() throws Exception {
        // More requests to replay than the stdin queue holds: the dead instance's queue fills up.
        start("checkpoint: {every_requests: 0, every: 0s}\nrestart: {backoff: {initial: 10ms}}",
                "{FAULTY_DIE_ONCE_FILE: " + data.resolve("died-once") + "}");
        int n = 12_000;
        List<CompletableFuture<Outcome>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            answers.add(supervisor.submit(json("{\"op\":\"learn\",\"key\":\"r\"}"), null));
        }
        for (CompletableFuture<Outcome> a : answers) {
            assertThat(a.get(60, TimeUnit.SECONDS)).isInstanceOf(Outcome.Answered.class);
        }
        killAgent();
        await().atMost(Duration.ofSeconds(60)).until(() -> java.nio.file.Files.exists(data.resolve("died-once")));
        await().atMost(Duration.ofSeconds(60)).until(() -> supervisor.phase() == PrimarySupervisor.Phase.OPEN
                && supervisor.status().restarts() >= 2);
        assertThat(count("r")).isEqualTo(n);
    }

    @Test
    void aRetryAfterATimeoutGetsTheRealAnswerAndTheRequestIsAppliedOnce() throws Exception {
        start("request_timeout: 300ms\nheartbeat: {interval: 5s, misses: 3}");
        Outcome first = supervisor.submit(json("{\"op\":\"slow\",\"ms\":1000,\"key\":\"s\"}"), "slow-1").get(10, TimeUnit.SECONDS);
        assertThat(first).isInstanceOf(Outcome.Failed.class);
        assertThat(((Outcome.Failed) first).kind()).isEqualTo(Outcome.Kind.TIMEOUT);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Outcome retry = supervisor.submit(json("{\"op\":\"slow\",\"ms\":1000,\"key\":\"s\"}"), "slow-1")
                    .get(10, TimeUnit.SECONDS);
            assertThat(retry).isInstanceOf(Outcome.Answered.class);
            assertThat(((Outcome.Answered) retry).payload().get("count").asInt()).isEqualTo(1);
        });
        assertThat(count("s")).isEqualTo(1);
    }

    @Test
    void aCheckpointIsTaggedKnownGoodOnlyAfterItsInstanceStayedUpThroughTheStableWindow() throws Exception {
        start("checkpoint: {every_requests: 0, every: 0s, known_good_after: 1s}\nrestart: {backoff: {initial: 10ms}}");
        supervisor.submit(json("{\"op\":\"learn\",\"key\":\"g\"}"), null).get(10, TimeUnit.SECONDS);
        var survivor = supervisor.checkpointNow().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> vault.list(PrimarySupervisor.LINEAGE).stream()
                .anyMatch(c -> c.walSeq() == survivor.seq() && c.hasTag(dev.guardian.vault.Tag.KNOWN_GOOD)));

        supervisor.submit(json("{\"op\":\"learn\",\"key\":\"g\"}"), null).get(10, TimeUnit.SECONDS);
        var doomed = supervisor.checkpointNow().get(10, TimeUnit.SECONDS);
        killAgent();
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.status().restarts() == 1
                && supervisor.phase() == PrimarySupervisor.Phase.OPEN);
        // Through and past the doomed checkpoint's stable window, nothing may tag it.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> vault.list(PrimarySupervisor.LINEAGE)
                .stream().filter(c -> c.walSeq() == doomed.seq()).noneMatch(c -> c.hasTag(dev.guardian.vault.Tag.KNOWN_GOOD)));
    }

    @Test
    void aCheckpointWithLineBreaksIsRestoredAndOneThatIsNotJsonFallsBackToTheWholeLog() throws Exception {
        // Recovery passes a compact checkpoint to the agent as stored; these two are the exceptions.
        start("checkpoint: {every_requests: 0, every: 0s}\nrestart: {backoff: {initial: 10ms}}");
        for (int i = 0; i < 2; i++) {
            supervisor.submit(json("{\"op\":\"learn\",\"key\":\"a\"}"), null).get(10, TimeUnit.SECONDS);
        }
        long seq = fixture.wal.lastSequence();
        byte[] pretty = JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(json("{\"counts\":{\"a\":5},\"total\":5,\"seq\":" + seq + "}"));
        assertThat(new String(pretty, java.nio.charset.StandardCharsets.UTF_8)).contains("\n");
        vault.save(dev.guardian.vault.NewCheckpoint.of(PrimarySupervisor.LINEAGE, "v1", seq, pretty));
        killAgentAndAwaitRestarts(1);
        assertThat(count("a")).isEqualTo(5);

        vault.save(dev.guardian.vault.NewCheckpoint.of(PrimarySupervisor.LINEAGE, "v1", fixture.wal.lastSequence(),
                "{\"counts\": not JSON".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        killAgentAndAwaitRestarts(2);
        assertThat(count("a")).isEqualTo(2);
    }

    @Test
    void recordsLoggedAfterAVersionChangeCarryTheNewVersion() throws Exception {
        start("");
        String first = supervisor.currentVersion().id();
        supervisor.submit(json("{\"op\":\"learn\",\"key\":\"v\"}"), null).get(10, TimeUnit.SECONDS);
        Version next = fixture.versions.register(List.of("python3", FAULTY), Map.of("VERSION_TAG_TEST", "2"), Map.of(), null,
                Optional.of(first), Origin.MANUAL, "test", Instant.now());

        supervisor.switchTo(next, Duration.ofSeconds(30));
        supervisor.submit(json("{\"op\":\"learn\",\"key\":\"v\"}"), null).get(10, TimeUnit.SECONDS);

        Map<String, List<String>> versionsByType = new java.util.TreeMap<>();
        try (WalCursor cursor = fixture.wal.read(1)) {
            for (WalRecord r = cursor.next(); r != null; r = cursor.next()) {
                versionsByType.computeIfAbsent(r.type(), t -> new ArrayList<>()).add(r.version());
            }
        }
        assertThat(versionsByType.get(RequestLog.REQUEST)).containsExactly(first, next.id());
        assertThat(versionsByType.get(RequestLog.RESPONSE)).endsWith(next.id());
        assertThat(count("v")).isEqualTo(2);
    }

    private void killAgentAndAwaitRestarts(int restarts) {
        killAgent();
        await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.phase() == PrimarySupervisor.Phase.OPEN
                && supervisor.status().restarts() == restarts);
    }

    private void start(String extraYaml) throws Exception {
        start(extraYaml, "{}");
    }

    private void start(String extraYaml, String agentEnv) throws Exception {
        // A key given twice is refused: the test's own heartbeat replaces the default one.
        fixture = SupervisorFixture.open(data, "agent: {command: [python3, " + FAULTY + "], env: " + agentEnv + "}\n"
                + (extraYaml.contains("heartbeat:") ? "" : "heartbeat: {interval: 200ms, misses: 5}\n") + extraYaml);
        vault = fixture.vault;
        supervisor = fixture.supervisor;
    }

    /** Closes everything as a stopping Guardian would, and opens it all again on the same directory. */
    private void restartGuardian(String extraYaml) throws Exception {
        fixture.close();
        fixture = null;
        start(extraYaml);
    }

    private void killAgent() {
        var stats = supervisor.status().instance();
        assertThat(stats).isNotNull();
        long pid = Long.parseLong(stats.where().replace("pid ", ""));
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    private int count(String key) throws Exception {
        Outcome o = supervisor.submit(json("{\"op\":\"ask\",\"key\":\"" + key + "\"}"), null).get(30, TimeUnit.SECONDS);
        assertThat(o).isInstanceOf(Outcome.Answered.class);
        return ((Outcome.Answered) o).payload().get("count").asInt();
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

}
