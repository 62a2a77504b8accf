package dev.guardian.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.guardian.vault.Checkpoint;
import dev.guardian.vault.Tag;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shutdown gives the agent its whole grace period; the vault stays bounded however long the daemon
 * runs, idle or not. Real agent processes, a real vault.
 */
class ShutdownAndRetentionTest {

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
    void anAgentThatNeedsMostOfTheGracePeriodToSaveItsMemoryIsNotKilledAsHung() throws Exception {
        // Three missed pings (600 ms) are far shorter than the 4 s the agent takes after its shutdown message.
        fixture = SupervisorFixture.open(data, "agent: {command: [python3, " + SupervisorFixture.FAULTY + "],"
                + " env: {FAULTY_SLOW_SHUTDOWN_MS: '4000'}}\n"
                + "heartbeat: {interval: 200ms, misses: 3}\n"
                + "checkpoint: {every_requests: 0, every: 0s}\n"
                + "shutdown: {grace: 5s, term_grace: 3s}\n");
        Outcome last = null;
        for (int i = 0; i < 5; i++) {
            last = fixture.submit("{\"op\":\"learn\",\"key\":\"k\"}", null);
        }
        long lastSeq = ((Outcome.Answered) last).seq();
        assertThat(fixture.vault.list(PrimarySupervisor.LINEAGE)).isEmpty();

        var agent = fixture.supervisor.currentInstance();
        fixture.supervisor.close();

        List<Checkpoint> saved = fixture.vault.list(PrimarySupervisor.LINEAGE);
        assertThat(saved).as("the checkpoint the agent sent before it exited").hasSize(1);
        assertThat(saved.get(0).walSeq()).isEqualTo(lastSeq);
        assertThat(saved.get(0).hasTag(Tag.AGENT_REQUESTED)).isTrue();
        assertThat(agent.process().onExit().get().normal()).as("it exited by itself, not by SIGTERM or SIGKILL").isTrue();
    }

    @Test
    void anIdleDaemonTakesNoNewCheckpoints() throws Exception {
        fixture = SupervisorFixture.open(data, "agent: {command: [python3, " + SupervisorFixture.FAULTY + "]}\n"
                + "checkpoint: {every_requests: 0, every: 100ms}\n");
        fixture.submit("{\"op\":\"learn\",\"key\":\"k\"}", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.vault.list(PrimarySupervisor.LINEAGE).size() == 1);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> fixture.vault.list(PrimarySupervisor.LINEAGE).size() == 1);
        fixture.submit("{\"op\":\"learn\",\"key\":\"k\"}", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.vault.list(PrimarySupervisor.LINEAGE).size() == 2);
    }

    @Test
    void knownGoodCheckpointsAreBoundedByKeepKnownGood() throws Exception {
        fixture = SupervisorFixture.open(data, "agent: {command: [python3, " + SupervisorFixture.FAULTY + "]}\n"
                + "checkpoint: {every_requests: 2, every: 0s, keep_last: 2, keep_known_good: 2, known_good_after: 50ms}\n");
        Set<String> everKnownGood = new HashSet<>();
        for (int round = 0; round < 8; round++) {
            fixture.submit("{\"op\":\"learn\",\"key\":\"k\"}", null);
            fixture.submit("{\"op\":\"learn\",\"key\":\"k\"}", null);
            int expectedSeq = round;
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                List<Checkpoint> all = fixture.vault.list(PrimarySupervisor.LINEAGE);
                all.stream().filter(c -> c.hasTag(Tag.KNOWN_GOOD)).forEach(c -> everKnownGood.add(c.id().toString()));
                return everKnownGood.size() > expectedSeq;
            });
            // Tagging and pruning are two steps: the bound holds once the second is done.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                List<Checkpoint> all = fixture.vault.list(PrimarySupervisor.LINEAGE);
                return all.stream().filter(c -> c.hasTag(Tag.KNOWN_GOOD)).count() <= 2 && all.size() <= 4;
            });
        }
        assertThat(everKnownGood).as("checkpoints that were known-good at some point").hasSizeGreaterThanOrEqualTo(8);
    }
}
