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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guardian run}, {@code status} and {@code stop} as real processes, including a SIGKILL of Guardian itself. */
class DaemonIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LEARNER = GuardianCli.repo().resolve("examples/python/learner_agent.py").toString();
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void runServesClientsReportsStatusAndStopsWithItsAgent() throws Exception {
        Path data = tmp.resolve("data");
        try (DaemonProcess daemon = DaemonProcess.start(data, "--", "python3", LEARNER).awaitOpen(STARTUP)) {
            DaemonProcess.Reply learn = daemon.invoke("{\"op\":\"learn\",\"key\":\"apple\",\"weight\":2}", null);
            assertThat(learn.status()).isEqualTo(200);
            assertThat(learn.body().path("payload")).isEqualTo(JSON.readTree("{\"key\":\"apple\",\"count\":2,\"total\":2}"));
            DaemonProcess.Reply agentError = daemon.invoke("{\"op\":\"fly\"}", null);
            assertThat(agentError.status()).isEqualTo(422);
            assertThat(agentError.body().path("error").path("message").asText()).isEqualTo("unknown op 'fly'");

            GuardianCli.Result status = GuardianCli.run("status", "--data-dir", data.toString(), "--json");
            assertThat(status.exitCode()).as(status.toString()).isZero();
            JsonNode s = JSON.readTree(status.stdout());
            assertThat(s.path("phase").asText()).isEqualTo("OPEN");
            assertThat(s.path("instance").path("state").asText()).isEqualTo("RUNNING");
            long agentPid = Long.parseLong(s.path("instance").path("where").asText().replace("pid ", ""));
            assertThat(ProcessHandle.of(agentPid)).isPresent();
            JsonNode instanceLatency = s.path("instance").path("latency_ms");
            assertThat(instanceLatency.path("count").asLong()).as("both requests timed by the instance").isEqualTo(2);
            assertThat(instanceLatency.path("p50").asDouble()).isPositive()
                    .isLessThanOrEqualTo(instanceLatency.path("p99").asDouble());
            GuardianCli.Result human = GuardianCli.run("status", "--data-dir", data.toString());
            assertThat(human.stdout()).contains("phase:           OPEN").contains("primary-1").contains("RUNNING");

            GuardianCli.Result stop = GuardianCli.run("stop", "--data-dir", data.toString());
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(daemon.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(daemon.process().exitValue()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(agentPid).map(h -> !h.isAlive()).orElse(true));
        }
    }

    @Test
    void aClientIsToldOfAReusedKeyABadKeyAndWhetherAFailedRequestMayStillBeApplied() throws Exception {
        Path data = tmp.resolve("data");
        try (DaemonProcess daemon = DaemonProcess.start(data, "--", "python3", LEARNER).awaitOpen(STARTUP)) {
            assertThat(daemon.invoke("{\"op\":\"learn\",\"key\":\"apple\"}", "pay-1").status()).isEqualTo(200);
            DaemonProcess.Reply reused = daemon.invoke("{\"op\":\"learn\",\"key\":\"pear\"}", "pay-1");
            assertThat(reused.status()).isEqualTo(422);
            assertThat(reused.body().path("error").path("code").asText()).isEqualTo("idempotency_key_reused");
            assertThat(reused.body().path("error").path("message").asText()).contains("'pay-1'");
            DaemonProcess.Reply blank = daemon.invoke("{\"op\":\"learn\",\"key\":\"apple\"}", "  ");
            assertThat(blank.status()).isEqualTo(400);
            assertThat(blank.body().path("error").path("message").asText()).contains("idempotency_key");
            DaemonProcess.Reply tooLong = daemon.invoke("{\"op\":\"learn\",\"key\":\"apple\"}", "k".repeat(256));
            assertThat(tooLong.status()).isEqualTo(400);
            assertThat(tooLong.body().path("error").path("message").asText()).contains("255 bytes");
            DaemonProcess.Reply surrogate = daemon.invoke("{\"op\":\"learn\",\"key\":\"\\ud800\"}", "s-1");
            assertThat(surrogate.status()).isEqualTo(400);
            assertThat(surrogate.body().path("error").path("message").asText()).contains("/key").contains("lone UTF-16 surrogate");
            assertThat(daemon.invoke("{\"op\":\"learn\",\"key\":\"\\ud83d\\ude00\"}", "s-2").status())
                    .as("a surrogate pair is fine").isEqualTo(200);
        }
        // An agent that dies at every start: FAILED, and a request refused then was not logged.
        Path failing = tmp.resolve("failing");
        try (DaemonProcess daemon = DaemonProcess.start(failing, "--", "sh", "-c", "exit 7")) {
            await().atMost(STARTUP).until(() -> {
                GuardianCli.Result st = GuardianCli.run("status", "--data-dir", failing.toString(), "--json");
                return st.exitCode() == 0 && JSON.readTree(st.stdout()).path("phase").asText().equals("FAILED");
            });
            String frontDoor = JSON.readTree(failing.resolve("daemon.json").toFile()).path("front_door").asText();
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + frontDoor + "/v1/invoke"))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"payload\":{\"op\":\"ask\"}}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).contains("1");
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.path("may_be_applied").asBoolean(true)).isFalse();
            assertThat(body.path("error").path("message").asText()).contains("tries again at");
            GuardianCli.Result restart = GuardianCli.run("restart", "--data-dir", failing.toString());
            assertThat(restart.exitCode()).as(restart.toString()).isZero();
            assertThat(restart.stdout()).contains("starting again");
        }
    }

    @Test
    void afterASigkillOfGuardianARestartRecoversMemoryAndTheAgentDiedWithIt() throws Exception {
        Path data = tmp.resolve("data");
        long agentPid;
        try (DaemonProcess first = DaemonProcess.start(data, "--", "python3", LEARNER).awaitOpen(STARTUP)) {
            for (int i = 0; i < 50; i++) {
                assertThat(first.invoke("{\"op\":\"learn\",\"key\":\"k\"}", "req-" + i).status()).isEqualTo(200);
            }
            JsonNode s = JSON.readTree(GuardianCli.run("status", "--data-dir", data.toString(), "--json").stdout());
            agentPid = Long.parseLong(s.path("instance").path("where").asText().replace("pid ", ""));
            first.kill9();
        }
        // Its stdin closed with Guardian: the agent exits by itself.
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(agentPid).map(h -> !h.isAlive()).orElse(true));
        try (DaemonProcess second = DaemonProcess.start(data, "--", "python3", LEARNER).awaitOpen(STARTUP)) {
            DaemonProcess.Reply ask = second.invoke("{\"op\":\"ask\",\"key\":\"k\"}", null);
            assertThat(ask.body().path("payload").path("count").asInt()).isEqualTo(50);
            // A client that retries a request acknowledged before the crash gets the same answer, applied once.
            DaemonProcess.Reply retry = second.invoke("{\"op\":\"learn\",\"key\":\"k\"}", "req-49");
            assertThat(retry.body().path("payload").path("count").asInt()).isEqualTo(50);
            assertThat(second.invoke("{\"op\":\"ask\",\"key\":\"k\"}", null).body().path("payload").path("count").asInt())
                    .isEqualTo(50);
        }
    }

    @Test
    void aSecondDaemonOnTheSameDataDirectoryIsRefusedClearly() throws Exception {
        Path data = tmp.resolve("data");
        try (DaemonProcess daemon = DaemonProcess.start(data, "--", "python3", LEARNER).awaitOpen(STARTUP)) {
            GuardianCli.Result second = GuardianCli.run("run", "--data-dir", data.toString(), "--front-door", "127.0.0.1:0",
                    "--admin", "127.0.0.1:0", "--", "python3", LEARNER);
            assertThat(second.exitCode()).as(second.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
            assertThat(second.stderr()).contains("is in use by another guardian daemon (pid " + daemon.pid() + ")")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void badConfigurationIsOneLineNamingTheKey() throws Exception {
        Path config = tmp.resolve("guardian.yaml");
        Files.writeString(config, "agent: {command: [python3, x.py]}\nheartbeat: {interval: -1s}\n");
        GuardianCli.Result r = GuardianCli.run("run", "--config", config.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.stderr().strip()).startsWith("guardian: " + config + ": heartbeat.interval");
        assertThat(r.stderr().lines().count()).isEqualTo(1);
        GuardianCli.Result nothing = GuardianCli.run("run");
        assertThat(nothing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(nothing.stderr()).contains("nothing to run: give --config FILE or -- CMD ARGS...");
    }

    @Test
    void checkpointsCanBeReadAndChangedThroughARunningDaemon() throws Exception {
        Path data = tmp.resolve("data");
        Path config = tmp.resolve("guardian.yaml");
        Files.writeString(config, "agent: {command: [python3, " + LEARNER + "]}\ncheckpoint: {every_requests: 5}\n");
        try (DaemonProcess daemon = DaemonProcess.start(data, "--config", config.toString()).awaitOpen(STARTUP)) {
            for (int i = 0; i < 12; i++) {
                assertThat(daemon.invoke("{\"op\":\"learn\",\"key\":\"c\"}", null).status()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    GuardianCli.run("checkpoints", "ls", "--data-dir", data.toString()).stdout().contains("primary"));
            GuardianCli.Result ls = GuardianCli.run("checkpoints", "ls", "--data-dir", data.toString(), "--json");
            assertThat(ls.exitCode()).as(ls.toString()).isZero();
            String id = JSON.readTree(ls.stdout()).get(0).path("id").asText();
            GuardianCli.Result show = GuardianCli.run("checkpoints", "show", id, "--data-dir", data.toString(), "--raw");
            assertThat(show.exitCode()).as(show.toString()).isZero();
            assertThat(JSON.readTree(show.stdout()).path("counts").path("c").asInt()).isPositive();

            GuardianCli.Result pin = GuardianCli.run("checkpoints", "pin", id, "--data-dir", data.toString());
            assertThat(pin.exitCode()).as(pin.toString()).isZero();
            assertThat(pin.stdout().strip()).isEqualTo("pinned " + id);
            assertThat(pinned(data, id)).isTrue();
            GuardianCli.Result unpin = GuardianCli.run("checkpoints", "unpin", id, "--data-dir", data.toString());
            assertThat(unpin.exitCode()).as(unpin.toString()).isZero();
            assertThat(pinned(data, id)).isFalse();

            Path exported = tmp.resolve("exported.json");
            GuardianCli.Result export = GuardianCli.run("checkpoints", "export", id, exported.toString(),
                    "--data-dir", data.toString());
            assertThat(export.exitCode()).as(export.toString()).isZero();
            GuardianCli.Result imported = GuardianCli.run("checkpoints", "import", exported.toString(), "--data-dir", data.toString());
            assertThat(imported.exitCode()).as(imported.toString()).isZero();
            assertThat(imported.stdout()).startsWith("imported " + exported + " as ckpt-").doesNotContain("as " + id + " ");

            Path bad = tmp.resolve("bad.json");
            Files.writeString(bad, "{\"format\":\"something else\"}");
            GuardianCli.Result refused = GuardianCli.run("checkpoints", "import", bad.toString(), "--data-dir", data.toString());
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(refused.stderr().strip()).startsWith("guardian: refusing to import " + bad).doesNotContain("\tat ");
            GuardianCli.Result unknown = GuardianCli.run("checkpoints", "pin", "ckpt-999999", "--data-dir", data.toString());
            assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(ExitCodes.NOT_FOUND);
            assertThat(unknown.stderr()).contains("ckpt-999999").doesNotContain("\tat ");
            // The daemon kept serving through all of it.
            assertThat(daemon.invoke("{\"op\":\"ask\",\"key\":\"c\"}", null).status()).isEqualTo(200);
        }
    }

    private static boolean pinned(Path data, String id) throws Exception {
        GuardianCli.Result ls = GuardianCli.run("checkpoints", "ls", "--data-dir", data.toString(), "--json");
        for (com.fasterxml.jackson.databind.JsonNode c : JSON.readTree(ls.stdout())) {
            if (c.path("id").asText().equals(id)) {
                return c.path("pinned").asBoolean();
            }
        }
        throw new AssertionError(id + " not listed: " + ls);
    }

    @Test
    void aDeployWhileTheAgentIsFailedRunsTheNewVersionAsThePrimaryAtOnce() throws Exception {
        Path data = tmp.resolve("data");
        String front = "127.0.0.1:" + DaemonProcess.freePort();
        try (DaemonProcess daemon = DaemonProcess.startOn(data, front, "127.0.0.1:0", "--", "python3", "-c", "import sys; sys.exit(3)")) {
            await().atMost(STARTUP).pollInterval(Duration.ofMillis(250)).until(() -> {
                GuardianCli.Result s = GuardianCli.run("status", "--data-dir", data.toString(), "--json");
                return s.exitCode() == 0 && JSON.readTree(s.stdout()).path("phase").asText().equals("FAILED");
            });
            assertThat(daemon.invoke("{\"op\":\"learn\",\"key\":\"a\"}", null).status()).isEqualTo(503);

            GuardianCli.Result deploy = GuardianCli.run("deploy", "--data-dir", data.toString(), "--", "python3", LEARNER);
            assertThat(deploy.exitCode()).as(deploy.toString()).isZero();
            assertThat(deploy.stdout()).contains("the primary was FAILED").contains("runs as the primary now");

            await().atMost(STARTUP).pollInterval(Duration.ofMillis(250))
                    .until(() -> daemon.invoke("{\"op\":\"learn\",\"key\":\"a\"}", "after-revival").status() == 200);
            GuardianCli.Result status = GuardianCli.run("status", "--data-dir", data.toString(), "--json");
            JsonNode s = JSON.readTree(status.stdout());
            assertThat(s.path("phase").asText()).isEqualTo("OPEN");
            java.util.regex.Matcher deployed = java.util.regex.Pattern.compile("version (v-[0-9a-f]+) runs").matcher(deploy.stdout());
            assertThat(deployed.find()).as(deploy.stdout()).isTrue();
            assertThat(s.path("version").asText()).isEqualTo(deployed.group(1));
            assertThat(s.path("instance").path("version").asText()).isEqualTo(deployed.group(1));

            // What the state does not allow is a conflict (409, exit CHECK_FAILED) naming why, not an internal error.
            GuardianCli.Result promote = GuardianCli.run("promote", "--data-dir", data.toString());
            assertThat(promote.exitCode()).as(promote.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
            assertThat(promote.stderr()).contains("no rollout is in progress");
            GuardianCli.Result again = GuardianCli.run("deploy", "--data-dir", data.toString(), "--", "python3", LEARNER);
            assertThat(again.exitCode()).as(again.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
            assertThat(again.stderr()).contains("is what the primary runs already");
        }
    }

    @Test
    void statusWithoutADaemonSaysSo() {
        GuardianCli.Result r = GuardianCli.run("status", "--data-dir", tmp.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(r.stderr().strip()).isEqualTo("guardian: no guardian daemon is running on " + tmp);
    }

}
