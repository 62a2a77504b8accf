package dev.guardian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.testsupport.DaemonProcess;
import dev.guardian.testsupport.GuardianCli;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Odd configs, data directories and commands, through the packaged {@code guardian}: each is one
 * line naming what is wrong, with the exit code the README's table gives, and nothing is started
 * or created that should not be.
 */
class BadInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LEARNER = GuardianCli.repo().resolve("examples/python/learner_agent.py").toString();

    @TempDir
    Path tmp;

    @Test
    void aDataDirThatIsAFileSaysSo() throws Exception {
        Path file = Files.writeString(tmp.resolve("README.md"), "not a directory");
        GuardianCli.Result r = GuardianCli.run(Duration.ofSeconds(60), "run", "--data-dir", file.toString(), "--front-door",
                "127.0.0.1:0", "--admin", "127.0.0.1:0", "--", "python3", LEARNER);
        assertThat(r.exitCode()).as(r.toString()).isNotZero().isNotEqualTo(ExitCodes.INTERNAL);
        assertThat(r.stderr()).contains(file.toString()).contains("is a file, not a directory");
    }

    @Test
    void anAddressInUseIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            GuardianCli.Result r = GuardianCli.run(Duration.ofSeconds(60), "run", "--data-dir", tmp.resolve("d").toString(),
                    "--front-door", address, "--admin", "127.0.0.1:0", "--", "python3", LEARNER);
            assertThat(r.exitCode()).as(r.toString()).isNotZero().isNotEqualTo(ExitCodes.INTERNAL);
            assertThat(r.stderr()).contains("cannot listen on " + address);
        }
    }

    @Test
    void anEmptyAdminTokenIsRefusedAtStart() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("d"));
        Path token = data.resolve("admin.token");
        Files.createFile(token, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        GuardianCli.Result r = GuardianCli.run(Duration.ofSeconds(60), "run", "--data-dir", data.toString(), "--front-door",
                "127.0.0.1:0", "--admin", "127.0.0.1:0", "--", "python3", LEARNER);
        assertThat(r.exitCode()).as(r.toString()).isNotZero().isNotEqualTo(ExitCodes.INTERNAL);
        assertThat(r.stderr()).contains(token + " is empty");
    }

    @Test
    void aMissingDataDirectoryIsExitFourForEveryCommand() {
        String missing = tmp.resolve("nope").toString();
        for (List<String> cmd : List.of(List.of("status"), List.of("stop"), List.of("rollback"), List.of("promote"),
                List.of("restart"), List.of("versions", "ls"), List.of("proofs", "ls"), List.of("wal", "stats"),
                List.of("checkpoints", "ls"))) {
            String[] args = java.util.stream.Stream.concat(cmd.stream(), java.util.stream.Stream.of("--data-dir", missing))
                    .toArray(String[]::new);
            GuardianCli.Result r = GuardianCli.run(args);
            assertThat(r.exitCode()).as(String.join(" ", cmd) + ": " + r).isEqualTo(ExitCodes.UNAVAILABLE);
            assertThat(r.stderr().lines()).as(String.join(" ", cmd)).hasSize(1);
        }
        assertThat(tmp.resolve("nope")).doesNotExist();
    }

    @Test
    void helpWorksForEveryCommandGroup() {
        for (List<String> cmd : List.of(List.of("wal", "help", "tail"), List.of("versions", "help", "show"),
                List.of("proofs", "help", "show"), List.of("checkpoints", "help", "ls"))) {
            GuardianCli.Result r = GuardianCli.run(cmd.toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", cmd) + ": " + r).isZero();
            assertThat(r.stdout()).as(String.join(" ", cmd)).contains("Usage:");
        }
    }

    @Test
    void aDeployWithFilesOrEnvThatAreNotObjectsOfStringsIsRefusedNamingTheField() throws Exception {
        Path data = tmp.resolve("d");
        try (DaemonProcess daemon = DaemonProcess.start(data, "--", "python3", LEARNER).awaitOpen(Duration.ofSeconds(60))) {
            String admin = JSON.readTree(data.resolve("daemon.json").toFile()).path("admin").asText();
            String token = Files.readString(data.resolve("admin.token")).trim();
            for (String body : List.of("{\"command\":[\"python3\",\"x.py\"],\"files\":[1]}",
                    "{\"command\":[\"python3\",\"x.py\"],\"env\":[1]}", "{\"command\":[\"python3\",\"x.py\"],\"env\":{\"A\":1}}")) {
                java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + admin + "/admin/deploy"))
                                .header("Authorization", "Bearer " + token)
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(400);
                assertThat(r.body()).as(body).containsAnyOf("files must be", "env must be", "env.A must be");
            }
        }
    }
}
