package dev.guardian.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.evolution.version.Origin;
import dev.guardian.evolution.version.Version;
import dev.guardian.instance.InstanceStats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code restart.standby}: a booted spare takes over at the next restart, on real agent processes. */
class StandbyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of(System.getProperty("guardian.repo", "..")).toAbsolutePath().normalize();
    private static final String FAULTY = REPO.resolve("guardian/src/test/resources/agents/faulty/faulty_learner.py").toString();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path data;

    private SupervisorFixture fixture;

    @AfterEach
    void tearDown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void withoutTheOptionThereIsNoStandby() throws Exception {
        fixture = SupervisorFixture.open(data, "agent: {command: [python3, " + FAULTY + "]}\n");
        learn("k", 3);
        assertThat(fixture.supervisor.status().standby()).isNull();
    }

    @Test
    void aRestartTakesTheBootedStandbyWithTheMemoryAndAnotherOneIsStarted() throws Exception {
        start();
        learn("k", 30);
        long spare = awaitReadyStandby();
        long primary = pid(fixture.supervisor.status().instance());

        kill(primary);

        await().atMost(WAIT).until(() -> fixture.supervisor.phase() == PrimarySupervisor.Phase.OPEN
                && fixture.supervisor.status().restarts() == 1);
        assertThat(pid(fixture.supervisor.status().instance())).as("the standby is the primary now").isEqualTo(spare);
        assertThat(fixture.supervisor.status().standbyTakeovers()).isEqualTo(1);
        assertThat(count("k")).isEqualTo(30);
        long next = awaitReadyStandby();
        assertThat(next).isNotIn(primary, spare);
    }

    @Test
    void aStandbyThatDiesIsReplacedWithoutTouchingThePrimary() throws Exception {
        start();
        learn("k", 5);
        long spare = awaitReadyStandby();
        long primary = pid(fixture.supervisor.status().instance());

        kill(spare);

        await().atMost(WAIT).until(() -> {
            PrimarySupervisor.Standby s = fixture.supervisor.status().standby();
            return s != null && s.ready() && pid(s.instance()) != spare;
        });
        assertThat(pid(fixture.supervisor.status().instance())).isEqualTo(primary);
        assertThat(fixture.supervisor.status().restarts()).isZero();
        assertThat(fixture.supervisor.status().standbyTakeovers()).isZero();
        assertThat(count("k")).isEqualTo(5);
    }

    @Test
    void aNewPrimaryVersionGetsAStandbyOfItsOwnAndStoppingGuardianEndsTheStandby() throws Exception {
        start();
        learn("k", 7);
        long oldSpare = awaitReadyStandby();
        Version next = fixture.versions.register(List.of("python3", FAULTY), Map.of("STANDBY_TEST_VERSION", "2"), Map.of(),
                null, Optional.of(fixture.supervisor.currentVersion().id()), Origin.MANUAL, "test", Instant.now());

        fixture.supervisor.switchTo(next, Duration.ofSeconds(30));

        await().atMost(WAIT).until(() -> {
            PrimarySupervisor.Standby s = fixture.supervisor.status().standby();
            return s != null && s.ready() && s.versionId().equals(next.id());
        });
        await().atMost(WAIT).until(() -> !alive(oldSpare));
        assertThat(count("k")).isEqualTo(7);
        long newSpare = pid(fixture.supervisor.status().standby().instance());

        fixture.close();
        fixture = null;

        await().atMost(WAIT).until(() -> !alive(newSpare));
    }

    private void start() {
        fixture = SupervisorFixture.open(data, "agent: {command: [python3, " + FAULTY + "]}\n"
                + "heartbeat: {interval: 200ms, misses: 5}\n"
                + "restart: {standby: true, backoff: {initial: 0ms}}\n");
    }

    private long awaitReadyStandby() {
        await().atMost(WAIT).until(() -> {
            PrimarySupervisor.Standby s = fixture.supervisor.status().standby();
            return s != null && s.ready();
        });
        return pid(fixture.supervisor.status().standby().instance());
    }

    private void learn(String key, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            Outcome o = fixture.supervisor.submit(JSON.readTree("{\"op\":\"learn\",\"key\":\"" + key + "\"}"), null)
                    .get(30, TimeUnit.SECONDS);
            assertThat(o).isInstanceOf(Outcome.Answered.class);
        }
    }

    private int count(String key) throws Exception {
        Outcome o = fixture.supervisor.submit(JSON.readTree("{\"op\":\"ask\",\"key\":\"" + key + "\"}"), null)
                .get(30, TimeUnit.SECONDS);
        assertThat(o).isInstanceOf(Outcome.Answered.class);
        return ((Outcome.Answered) o).payload().get("count").asInt();
    }

    private static long pid(InstanceStats stats) {
        assertThat(stats).isNotNull();
        return Long.parseLong(stats.where().replace("pid ", ""));
    }

    private static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
