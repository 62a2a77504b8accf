package dev.guardian.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.guardian.evolution.rollout.Strategy;
import dev.guardian.evolution.version.Origin;
import dev.guardian.evolution.version.Version;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The measurement hook of the rollback benchmark: when a rollback was decided, detached and done. */
class RollbackTimingTest {

    private static final Path REPO = Path.of(System.getProperty("guardian.repo", "..")).toAbsolutePath().normalize();
    private static final String VARIANT = REPO.resolve("guardian/src/test/resources/agents/variants/learner_variant.py").toString();

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
    void aVerdictsRollbackIsTimedFromTheVerdictAndAnOperatorsHasNoVerdict() throws Exception {
        fixture = SupervisorFixture.open(data, "agent: {command: [python3, " + VARIANT + "]}\n"
                + "rollout: {stages: [50, 100], evaluate_every: 100ms, judge: {min_samples: 50}}\n");
        assertThat(fixture.rollouts().lastRollback()).isEmpty();

        Rollouts.Started crash = fixture.rollouts().deploy(candidate("--regression", "crash", "--crash-at", "5"), Strategy.CANARY);
        long before = System.nanoTime();
        // Until the rollout ends, not a fixed count: what is sent before the candidate attaches (after its boot and
        // replay) reaches it only as replay, which the crash variant does not count.
        long deadline = before + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; fixture.rollouts().hasActive() && System.nanoTime() < deadline; i++) {
            fixture.supervisor.submit(SupervisorFixture.JSON.readTree("{\"op\":\"learn\",\"key\":\"k" + i % 7 + "\"}"), null)
                    .get(30, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> !fixture.rollouts().hasActive());
        Rollouts.RollbackTiming t = fixture.rollouts().lastRollback().orElseThrow();
        assertThat(t.deploymentId()).isEqualTo(crash.deploymentId());
        assertThat(t.verdictAt()).isGreaterThan(before);
        assertThat(t.detachedAt()).isGreaterThanOrEqualTo(t.verdictAt());
        assertThat(t.stoppedAt()).isGreaterThanOrEqualTo(t.detachedAt());

        Rollouts.Started manual = fixture.rollouts().deploy(candidate("--tag", "operator"), Strategy.SHADOW);
        await().atMost(Duration.ofSeconds(30)).until(() -> fixture.rollouts().status().stream()
                .anyMatch(s -> s.instance() != null && s.control() != null));
        fixture.rollouts().rollback(manual.deploymentId(), "test", "by hand");
        Rollouts.RollbackTiming m = fixture.rollouts().lastRollback().orElseThrow();
        assertThat(m.deploymentId()).isEqualTo(manual.deploymentId());
        assertThat(m.verdictAt()).isZero();
        assertThat(m.detachedAt()).isGreaterThan(t.stoppedAt());
        assertThat(m.stoppedAt()).isGreaterThanOrEqualTo(m.detachedAt());
    }

    private Version candidate(String... args) {
        List<String> command = new ArrayList<>(List.of("python3", VARIANT));
        command.addAll(List.of(args));
        return fixture.versions.register(command, Map.of(), Map.of(), null,
                Optional.of(fixture.supervisor.currentVersion().id()), Origin.MANUAL, "test", Instant.now());
    }
}
