package dev.guardian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guardian.testsupport.DaemonProcess;
import dev.guardian.testsupport.GuardianCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code protocol.max_line_bytes} on a real daemon: written as a size, and kept by clients and by the agent. */
class LineLimitIT {

    private static final Path REPO = GuardianCli.repo();
    private static final String FAULTY = REPO.resolve("guardian/src/test/resources/agents/faulty/faulty_learner.py").toString();
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void anAnswerOverTheLimitFailsItsRequestAtOnceAndABodyOverItIs413() throws Exception {
        Path config = tmp.resolve("guardian.yaml");
        // The request timeout is far longer than the client waits (60 s): only an answer at once passes.
        Files.writeString(config, "agent: {command: [python3, " + FAULTY + "]}\n"
                + "protocol: {max_line_bytes: 64KB}\n"
                + "request_timeout: 10m\n");
        try (DaemonProcess daemon = DaemonProcess.start(tmp.resolve("data"), "--config", config.toString()).awaitOpen(STARTUP)) {
            DaemonProcess.Reply big = daemon.invoke("{\"op\":\"big_answer\",\"bytes\":100000}", "big-1");
            assertThat(big.status()).as(big.body().toString()).isEqualTo(422);
            assertThat(big.body().path("error").path("code").asText()).isEqualTo("line_too_long");
            assertThat(big.body().path("error").path("message").asText())
                    .matches("the agent's answer was 100\\d\\d\\d bytes, more than protocol.max_line_bytes \\(65536\\); Guardian dropped it");
            // Applied once: a retry gets the same answer from the log.
            assertThat(daemon.invoke("{\"op\":\"big_answer\",\"bytes\":100000}", "big-1").body()).isEqualTo(big.body());
            assertThat(daemon.invoke("{\"op\":\"learn\",\"key\":\"k\"}", null).status()).as("the agent goes on").isEqualTo(200);

            DaemonProcess.Reply tooLarge = daemon.invoke("{\"op\":\"learn\",\"key\":\"" + "k".repeat(70_000) + "\"}", null);
            assertThat(tooLarge.status()).isEqualTo(413);
            assertThat(tooLarge.body().path("error").path("code").asText()).isEqualTo("too_large");
        }
    }
}
