package dev.guardian.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.testsupport.DaemonProcess;
import dev.guardian.testsupport.GuardianCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator reads about a daemon across Guardian restarts and promotions: {@code guardian
 * status}, the {@code run} banner and {@code DIR/daemon.json}, on real processes.
 */
class OperatorViewIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = GuardianCli.repo();
    private static final String LEARNER = REPO.resolve("examples/python/learner_agent.py").toString();
    private static final String VARIANT = REPO.resolve("guardian/src/test/resources/agents/variants/learner_variant.py").toString();
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    /** The learner, a checkpoint every 5 answers and never by time (so that none comes unasked). */
    private Path config() throws Exception {
        Path config = tmp.resolve("guardian.yaml");
        Files.writeString(config, "agent: {command: [python3, " + LEARNER + "]}\n"
                + "checkpoint: {every_requests: 5, every: 0s}\n");
        return config;
    }

    private static JsonNode status(Path data) throws Exception {
        GuardianCli.Result r = GuardianCli.run("status", "--data-dir", data.toString(), "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return JSON.readTree(r.stdout());
    }

    @Test
    void afterAGuardianRestartStatusShowsTheDataDirectorysLastCheckpointAndCountsSinceThisStart() throws Exception {
        Path data = tmp.resolve("data");
        Path config = config();
        String checkpoint;
        long lastSeq = 0;
        try (DaemonProcess first = DaemonProcess.start(data, "--config", config.toString()).awaitOpen(STARTUP)) {
            for (int i = 0; i < 10; i++) {
                DaemonProcess.Reply r = first.invoke("{\"op\":\"learn\",\"key\":\"k\"}", "req-" + i);
                assertThat(r.status()).isEqualTo(200);
                lastSeq = r.body().path("seq").asLong();
            }
            long tenth = lastSeq;
            // The 10th answer asks for a checkpoint (every_requests: 5), which covers the 10th request.
            await().atMost(Duration.ofSeconds(30)).until(() -> status(data).path("last_checkpoint").path("wal_seq").asLong() == tenth);
            JsonNode before = status(data).path("last_checkpoint");
            assertThat(before.path("since_start").asBoolean()).isTrue();
            checkpoint = before.path("id").asText();
            first.kill9();
        }
        try (DaemonProcess second = DaemonProcess.start(data, "--config", config.toString()).awaitOpen(STARTUP)) {
            JsonNode s = status(data);
            assertThat(s.path("restarts").asLong()).isZero();
            assertThat(s.path("guardian_started").asText()).isNotEmpty();
            JsonNode last = s.path("last_checkpoint");
            assertThat(last.path("id").asText()).as(s.toPrettyString()).isEqualTo(checkpoint);
            assertThat(last.path("since_start").asBoolean()).isFalse();

            GuardianCli.Result human = GuardianCli.run("status", "--data-dir", data.toString());
            assertThat(human.stdout())
                    .containsPattern("restarts: +0 since guardian started at \\S+Z\n")
                    .containsPattern("last checkpoint: " + checkpoint + " \\(seq " + lastSeq + ", \\S+, written before guardian started\\)\n")
                    .contains("latency:         no requests in the last 60 s (0 since guardian started)\n");

            assertThat(second.invoke("{\"op\":\"ask\",\"key\":\"k\"}", null).status()).isEqualTo(200);
            assertThat(GuardianCli.run("status", "--data-dir", data.toString()).stdout())
                    .containsPattern("latency: +p50 [0-9.]+ ms, p95 [0-9.]+ ms, p99 [0-9.]+ ms over 1 requests in the last 60 s "
                            + "\\(1 since guardian started\\)\n");
        }
    }

    @Test
    void aPromotedCandidateIsThePrimaryInStatusAndDaemonJsonAndTheNextStartNamesItsCommand() throws Exception {
        Path data = tmp.resolve("data");
        Path config = config();
        List<String> variant = List.of("python3", VARIANT, "--tag", "operator-view");
        String deployment;
        try (DaemonProcess daemon = DaemonProcess.start(data, "--config", config.toString()).awaitOpen(STARTUP)) {
            assertThat(daemon.invoke("{\"op\":\"learn\",\"key\":\"k\"}", null).status()).isEqualTo(200);
            List<String> deploy = new ArrayList<>(List.of("deploy", "--data-dir", data.toString(), "--strategy", "shadow", "--"));
            deploy.addAll(variant);
            GuardianCli.Result started = GuardianCli.run(deploy.toArray(String[]::new));
            assertThat(started.exitCode()).as(started.toString()).isZero();
            deployment = started.stdout().replaceAll("(?s).*deployment (d-\\S+):.*", "$1");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                List<String> roles = new ArrayList<>();
                status(data).path("instances").forEach(i -> roles.add(i.path("role").asText()));
                assertThat(roles).containsExactlyInAnyOrder("primary", "shadow", "control");
            });
            GuardianCli.Result promote = GuardianCli.run("promote", "--data-dir", data.toString());
            assertThat(promote.exitCode()).as(promote.toString()).isZero();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode s = status(data);
                assertThat(s.path("instances")).as(s.toPrettyString()).hasSize(1);
                JsonNode primary = s.path("instances").get(0);
                assertThat(primary.path("role").asText()).isEqualTo("primary");
                assertThat(primary.path("id").asText()).as("named after its deployment, not its former role")
                        .isEqualTo(deployment).doesNotContain("candidate");
                JsonNode info = JSON.readTree(data.resolve("daemon.json").toFile());
                assertThat(info.path("version").asText()).isEqualTo(s.path("version").asText());
                assertThat(JSON.convertValue(info.path("command"), List.class)).isEqualTo(variant);
            });
            GuardianCli.Result human = GuardianCli.run("status", "--data-dir", data.toString());
            assertThat(human.stdout()).containsPattern("\n" + deployment + " +primary ").doesNotContain("candidate");
            assertThat(GuardianCli.run("stop", "--data-dir", data.toString()).exitCode()).isZero();
        }
        try (DaemonProcess again = DaemonProcess.start(data, "--config", config.toString()).awaitOpen(STARTUP)) {
            assertThat(again.output()).contains("guardian: supervising " + String.join(" ", variant) + " (version v-")
                    .contains(", the recorded current version, not the config's command)");
            JsonNode info = JSON.readTree(data.resolve("daemon.json").toFile());
            assertThat(JSON.convertValue(info.path("command"), List.class)).isEqualTo(variant);
        }
    }
}
