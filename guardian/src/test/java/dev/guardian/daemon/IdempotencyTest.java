package dev.guardian.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key is applied at most once, whatever the timing, for as long as {@code idempotency.window}
 * says, and never with another payload: on a real WAL, a real vault, a real keys journal and real
 * agent processes, with Guardian stopped and started again on the same data directory.
 */
class IdempotencyTest {

    private static final String AGENT = "agent: {command: [python3, " + SupervisorFixture.FAULTY + "]}\n";

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
    void aKeyRetriedTheMomentGuardianStartsAgainIsAppliedOnce() throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            String key = "x-" + attempt;
            String learn = "{\"op\":\"learn\",\"key\":\"" + key + "\"}";
            fixture = SupervisorFixture.open(data, AGENT);
            assertThat(fixture.submit(learn, key)).isInstanceOf(Outcome.Answered.class);
            fixture.close();

            // Submitted the instant the new supervisor starts: before its keys are loaded, before the agent is up.
            fixture = SupervisorFixture.start(data, AGENT);
            Outcome retried = fixture.submit(learn, key);
            assertThat(retried).isInstanceOf(Outcome.Answered.class);
            assertThat(((Outcome.Answered) retried).payload().get("count").asInt()).isEqualTo(1);
            assertThat(fixture.count(key)).as("attempt %d", attempt).isEqualTo(1);
            assertThat(fixture.records(RequestLog.REQUEST).stream()
                    .filter(r -> new String(r.payload(), java.nio.charset.StandardCharsets.UTF_8).contains("\"" + key + "\"")
                            && !new String(r.payload(), java.nio.charset.StandardCharsets.UTF_8).contains("ask")))
                    .as("request records for %s", key).hasSize(1);
            fixture.close();
            fixture = null;
        }
    }

    @Test
    void keysOutliveCheckpointRetentionAcrossRestarts() throws Exception {
        String config = AGENT + "checkpoint: {every_requests: 5, keep_last: 1}\n";
        fixture = SupervisorFixture.open(data, config);
        Outcome first = fixture.submit(learn("k0"), "key-0");
        for (int i = 1; i < 200; i++) {
            assertThat(fixture.submit(learn("k" + i), "key-" + i)).isInstanceOf(Outcome.Answered.class);
        }
        // Checkpoints are stored on the control thread, after their answers: wait for the retention to move on.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
            var kept = fixture.vault.list(PrimarySupervisor.LINEAGE);
            return !kept.isEmpty() && kept.get(0).walSeq() > 100; // the oldest kept is long past key-0's request
        });
        fixture.close();

        fixture = SupervisorFixture.open(data, config);
        Outcome again = fixture.submit(learn("k0"), "key-0");
        assertThat(again).isInstanceOf(Outcome.Answered.class);
        assertThat(((Outcome.Answered) again).payload()).isEqualTo(((Outcome.Answered) first).payload());
        assertThat(fixture.count("k0")).isEqualTo(1);
    }

    @Test
    void theWindowKeepsAtMostItsCountOfKeysTheOldestGoingFirst() throws Exception {
        String config = AGENT + "idempotency: {window: {time: 1h, keys: 50}}\n";
        fixture = SupervisorFixture.open(data, config);
        for (int i = 0; i < 100; i++) {
            fixture.submit(learn("k" + i), "key-" + i);
        }
        fixture.close();
        fixture = SupervisorFixture.open(data, config);
        fixture.submit(learn("k99"), "key-99");
        fixture.submit(learn("k50"), "key-50");
        fixture.submit(learn("k0"), "key-0");
        assertThat(fixture.count("k99")).as("the newest key is remembered").isEqualTo(1);
        assertThat(fixture.count("k50")).as("the 50th newest key is remembered").isEqualTo(1);
        assertThat(fixture.count("k0")).as("a key beyond the window is a new request").isEqualTo(2);
    }

    @Test
    void aKeyReusedWithAnotherPayloadIsRefusedNamingTheKeyAlsoAfterARestart() throws Exception {
        fixture = SupervisorFixture.open(data, AGENT);
        Outcome deposit = fixture.submit(learn("apple"), "pay-1");
        Outcome reused = fixture.submit(learn("pear"), "pay-1");
        assertThat(reused).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo(Outcome.Kind.KEY_REUSED);
            assertThat(f.message()).contains("'pay-1'");
        });
        fixture.close();

        fixture = SupervisorFixture.open(data, AGENT);
        assertThat(fixture.submit(learn("pear"), "pay-1")).isInstanceOfSatisfying(Outcome.Failed.class,
                f -> assertThat(f.kind()).isEqualTo(Outcome.Kind.KEY_REUSED));
        Outcome same = fixture.submit(learn("apple"), "pay-1");
        assertThat(((Outcome.Answered) same).payload()).isEqualTo(((Outcome.Answered) deposit).payload());
        assertThat(fixture.count("pear")).isZero();
        assertThat(fixture.count("apple")).isEqualTo(1);
    }

    private static String learn(String key) {
        return "{\"op\":\"learn\",\"key\":\"" + key + "\"}";
    }
}
