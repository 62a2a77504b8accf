package dev.guardian.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.testsupport.ControlRun;
import dev.guardian.testsupport.DaemonProcess;
import dev.guardian.testsupport.GuardianCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evolution through the real daemon and CLI: the self-evolving example agent proposes an improved
 * version of itself (promoted) and a broken one (rolled back); an operator deploys a shadow and
 * rolls it back; proofs, versions and status tell what happened; memory equals a control run of
 * every acknowledged request.
 */
class EvolutionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = GuardianCli.repo();
    private static final String EVOLVING = REPO.resolve("examples/python/evolving_learner.py").toString();
    private static final String LEARNER = REPO.resolve("examples/python/learner_agent.py").toString();
    private static final String VARIANT = REPO.resolve("guardian/src/test/resources/agents/variants/learner_variant.py").toString();
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());

    @Test
    void theAgentEvolvesItselfAndAnOperatorRollsBackADeployWithoutLosingMemory() throws Exception {
        Path data = tmp.resolve("data");
        Path config = tmp.resolve("guardian.yaml");
        Files.writeString(config, "agent: {command: [python3, " + EVOLVING + "]}\n"
                + "checkpoint: {every_requests: 100}\n"
                + "rollout:\n"
                + "  strategy: canary\n"
                + "  proposals: canary\n"
                + "  stages: [50, 100]\n"
                + "  stage: {min_samples: 100, min_duration: 500ms}\n"
                + "  shadow: {min_samples: 100, min_duration: 60s}\n"
                + "  evaluate_every: 100ms\n"
                + "  judge: {min_samples: 100}\n");
        try (DaemonProcess daemon = DaemonProcess.start(data, "--config", config.toString()).awaitOpen(STARTUP)) {
            AtomicBoolean running = new AtomicBoolean(true);
            Thread traffic = new Thread(() -> drive(daemon, running), "traffic");
            traffic.start();
            try {
                JsonNode improve = daemon.invoke("{\"op\":\"evolve\",\"kind\":\"improve\"}", null).body();
                assertThat(improve.path("payload").path("proposed").asText()).startsWith("p-");
                JsonNode promoted = awaitProofs(data, 1).get(0);
                assertThat(promoted.path("decision").asText()).as(promoted.toString()).isEqualTo("promote");
                assertThat(promoted.path("origin").asText()).isEqualTo("agent-proposal");
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        daemon.invoke("{\"op\":\"about\"}", null).body().path("payload").path("generation").asInt() == 2);

                daemon.invoke("{\"op\":\"evolve\",\"kind\":\"break\"}", null);
                JsonNode rolledBack = awaitProofs(data, 2).get(1);
                assertThat(rolledBack.path("decision").asText()).as(rolledBack.toString()).isEqualTo("rollback");
                assertThat(rolledBack.path("reasons").toString()).contains("restarts");
                assertThat(daemon.invoke("{\"op\":\"about\"}", null).body().path("payload").path("generation").asInt())
                        .as("the broken generation 3 never became the primary").isEqualTo(2);

                GuardianCli.Result nothing = GuardianCli.run("deploy", "--data-dir", data.toString());
                assertThat(nothing.exitCode()).as(nothing.toString()).isEqualTo(ExitCodes.USAGE);
                assertThat(nothing.stderr()).contains("nothing to deploy");
                GuardianCli.Result badStrategy = GuardianCli.run("deploy", "--data-dir", data.toString(), "--strategy", "yolo",
                        "--", "python3", VARIANT);
                assertThat(badStrategy.exitCode()).as(badStrategy.toString()).isEqualTo(ExitCodes.BAD_INPUT);
                assertThat(badStrategy.stderr()).contains("strategy must be one of shadow, canary, direct, but was 'yolo'")
                        .doesNotContain("\tat ");
                GuardianCli.Result badGenome = GuardianCli.run("deploy", "--data-dir", data.toString(), "--genome", "{oops",
                        "--", "python3", VARIANT);
                assertThat(badGenome.exitCode()).as(badGenome.toString()).isEqualTo(ExitCodes.BAD_INPUT);
                assertThat(badGenome.stderr()).contains("--genome must be JSON, but was '{oops'");

                GuardianCli.Result deploy = GuardianCli.run("deploy", "--data-dir", data.toString(), "--strategy", "shadow",
                        "--rationale", "an operator's try", "--", "python3", VARIANT, "--tag", "operator");
                assertThat(deploy.exitCode()).as(deploy.toString()).isZero();
                assertThat(deploy.stdout()).containsPattern("deployment d-\\S+: version v-[0-9a-f]{12}, shadow rollout started");
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    JsonNode s = JSON.readTree(GuardianCli.run("status", "--data-dir", data.toString(), "--json").stdout());
                    List<String> roles = new ArrayList<>();
                    s.path("instances").forEach(i -> roles.add(i.path("role").asText()));
                    assertThat(roles).contains("primary", "shadow", "control");
                });
                // The shadow window is a minute long: it is still running when the operator rolls it back.
                GuardianCli.Result rollback = GuardianCli.run("rollback", "--data-dir", data.toString(), "--reason", "changed my mind");
                assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
                assertThat(rollback.stdout()).startsWith("rolled back d-");
                JsonNode third = awaitProofs(data, 3).get(2);
                assertThat(third.path("decision").asText()).isEqualTo("rollback");
                assertThat(third.path("overrideBy").asText()).isEqualTo("operator");
                assertThat(third.path("reasons").toString()).contains("changed my mind");

                // A version from a directory: generation 1's source again (4 ms per request, twice the
                // running generation 2): its own files, run in its own directory; --wait reports the outcome.
                Path dir = Files.createDirectories(tmp.resolve("generation-1"));
                Files.copy(Path.of(EVOLVING), dir.resolve("evolving_learner.py"));
                Files.copy(Path.of(LEARNER), dir.resolve("learner_agent.py"));
                Files.writeString(dir.resolve("version.yaml"), "command: [python3, evolving_learner.py]\n"
                        + "rationale: the old generation, as a regression\n");
                GuardianCli.Result slow = GuardianCli.run(Duration.ofMinutes(3), "deploy", "--data-dir", data.toString(),
                        "--version-dir", dir.toString(), "--strategy", "canary", "--wait", "2m");
                assertThat(slow.exitCode()).as(slow.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
                assertThat(slow.stdout()).contains("rollback: latency p50");
                JsonNode fourth = awaitProofs(data, 4).get(3);
                String candidate = fourth.path("candidateVersionId").asText();
                GuardianCli.Result version = GuardianCli.run("versions", "show", candidate, "--data-dir", data.toString());
                assertThat(JSON.readTree(version.stdout()).path("files").has("evolving_learner.py")).as(version.stdout()).isTrue();
                assertThat(data.resolve("versions").resolve(candidate).resolve("learner_agent.py")).exists();
            } finally {
                running.set(false);
                traffic.join();
            }

            GuardianCli.Result ls = GuardianCli.run("proofs", "ls", "--data-dir", data.toString(), "--outcome", "rolled-back");
            assertThat(ls.exitCode()).as(ls.toString()).isZero();
            assertThat(ls.stdout().lines().skip(1).count()).isEqualTo(3);
            String firstId = awaitProofs(data, 3).get(0).path("id").asText();
            GuardianCli.Result show = GuardianCli.run("proofs", "show", firstId, "--data-dir", data.toString());
            assertThat(show.stdout()).contains("promote").contains("latency");
            GuardianCli.Result versions = GuardianCli.run("versions", "ls", "--data-dir", data.toString());
            assertThat(versions.stdout()).contains("agent-proposal").contains("manual");
            assertThat(versions.stdout().lines().filter(l -> l.startsWith("*")).count()).isEqualTo(1);

            JsonNode top = daemon.invoke("{\"op\":\"top\",\"n\":50}", null).body().path("payload");
            assertThat(top).isEqualTo(ControlRun.answer(List.of("python3", LEARNER), acknowledged, "{\"op\":\"top\",\"n\":50}"));
        }
    }

    /** Sends learn requests one at a time while {@code running}; keeps the ones answered 200. */
    private void drive(DaemonProcess daemon, AtomicBoolean running) {
        int i = 0;
        while (running.get()) {
            String payload = "{\"op\":\"learn\",\"key\":\"k" + (i % 11) + "\",\"weight\":" + (1 + i % 4) + "}";
            try {
                DaemonProcess.Reply r = daemon.invoke(payload, "t-" + i);
                if (r.status() == 200) {
                    acknowledged.add(payload);
                }
            } catch (Exception e) {
                // A refused connection is not an acknowledgement; the loop goes on.
            }
            i++;
        }
    }

    /** Waits until at least {@code n} proofs exist; returns them all, oldest first, with origin and outcome. */
    private static JsonNode awaitProofs(Path data, int n) {
        JsonNode[] proofs = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            GuardianCli.Result r = GuardianCli.run("proofs", "ls", "--json", "--data-dir", data.toString());
            if (r.exitCode() != 0) {
                return false;
            }
            proofs[0] = JSON.readTree(r.stdout());
            return proofs[0].size() >= n;
        });
        return proofs[0];
    }
}
