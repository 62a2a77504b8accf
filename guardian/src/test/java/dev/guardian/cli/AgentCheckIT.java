package dev.guardian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.testsupport.GuardianCli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code guardian agent-check} run for real against the example agents and the broken ones. */
class AgentCheckIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = GuardianCli.repo();
    private static final Path BROKEN = REPO.resolve("guardian/src/test/resources/agents/broken");

    @Test
    void theJavaExampleAgentPassesEveryRule() throws Exception {
        JsonNode report = check("5s", "java", "-jar", REPO.resolve("examples/target/example-agent.jar").toString());
        assertThat(failing(report)).isEmpty();
        assertThat(report.get("passed").asBoolean()).isTrue();
        assertThat(report.get("rules")).hasSize(11);
    }

    @Test
    void thePythonExampleAgentPassesEveryRule() throws Exception {
        JsonNode report = check("5s", "python3", REPO.resolve("examples/python/learner_agent.py").toString());
        assertThat(failing(report)).isEmpty();
        assertThat(report.get("passed").asBoolean()).isTrue();
    }

    static Stream<Arguments> brokenAgents() {
        return Stream.of(
                Arguments.of("never_pongs.py", Set.of("ping-pong")),
                Arguments.of("garbage_stdout.py", Set.of("requests-in-flight", "stdout-protocol-only")),
                Arguments.of("ignores_eof.py", Set.of("exit-on-stdin-eof")),
                Arguments.of("ignores_shutdown.py", Set.of("exit-on-shutdown")),
                Arguments.of("silent.py", Set.of("ready")),
                Arguments.of("forgets_on_restore.py", Set.of("restore")),
                Arguments.of("answers_replay.py", Set.of("replay-silent")),
                Arguments.of("dies_on_malformed.py", Set.of("malformed-line")),
                Arguments.of("mixes_ids.py", Set.of("requests-in-flight")),
                Arguments.of("no_checkpoint.py", Set.of("checkpoint")),
                Arguments.of("slow_ready.py", Set.of("ready", "exit-on-stdin-eof")));
    }

    @ParameterizedTest(name = "{0} fails {1}")
    @MethodSource("brokenAgents")
    void aBrokenAgentFailsExactlyTheRuleItBreaks(String script, Set<String> expectedFailures) throws Exception {
        JsonNode report = check("2s", "python3", BROKEN.resolve(script).toString());
        assertThat(report.get("passed").asBoolean()).isFalse();
        assertThat(failing(report)).isEqualTo(new TreeSet<>(expectedFailures));
    }

    @Test
    void aFloodingAgentFailsWithinItsTimeoutWithBoundedMemoryAndNoStackTrace() {
        long t0 = System.nanoTime();
        // 96 MB of heap: enough for the 16 MB line limit, far too little to hold what the agent writes.
        GuardianCli.Result r = GuardianCli.run(List.of("-Xmx96m"), Duration.ofSeconds(90),
                "agent-check", "--timeout", "2s", "--", "python3", BROKEN.resolve("floods_stdout.py").toString());
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(r.stdout()).contains("FAIL  stdout-protocol-only").contains("line_too_long");
        assertThat(r.stdout() + r.stderr()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("OutOfMemory");
        // Each of the (at most) 12 waits is bounded by the 2 s timeout.
        assertThat(seconds).isLessThan(40);
    }

    @Test
    void aSilentAgentFailsWithinItsTimeoutWithoutAStackTrace() {
        long t0 = System.nanoTime();
        GuardianCli.Result r = GuardianCli.run(List.of("-Xmx64m"), Duration.ofSeconds(60),
                "agent-check", "--timeout", "2s", "--", "python3", BROKEN.resolve("silent.py").toString());
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(r.stdout()).contains("FAIL  ready                 no ready message within 2 s");
        assertThat(r.stderr()).isEmpty();
        assertThat(seconds).isLessThan(20);
    }

    @Test
    void aCommandThatCannotStartFailsTheReadyRuleAndSaysWhy() {
        GuardianCli.Result r = GuardianCli.run("agent-check", "--", "/nonexistent/agent-binary");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(r.stdout()).contains("FAIL  ready                 could not start /nonexistent/agent-binary");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void aBadTimeoutIsAUsageErrorNamingTheValue() {
        GuardianCli.Result r = GuardianCli.run("agent-check", "--timeout", "soon", "--", "true");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.stderr()).contains("'soon' is not a duration").doesNotContain("\tat ");
    }

    @Test
    void aMissingCommandIsAUsageError() {
        GuardianCli.Result r = GuardianCli.run("agent-check");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.stderr()).contains("Missing required parameter: 'CMD'");
    }

    private static JsonNode check(String timeout, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("agent-check", "--json", "--timeout", timeout, "--"));
        args.addAll(List.of(command));
        GuardianCli.Result r = GuardianCli.run(Duration.ofSeconds(90), args.toArray(String[]::new));
        assertThat(r.stderr()).as(r.toString()).doesNotContain("\tat ");
        JsonNode report = JSON.readTree(r.stdout());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(report.get("passed").asBoolean() ? 0 : 1);
        return report;
    }

    private static Set<String> failing(JsonNode report) {
        Set<String> out = new TreeSet<>();
        for (JsonNode rule : report.get("rules")) {
            if (rule.get("status").asText().equals("FAIL")) {
                out.add(rule.get("rule").asText());
            }
        }
        return out;
    }
}
