package dev.guardian.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.testsupport.DaemonProcess;
import dev.guardian.testsupport.GuardianCli;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy --version-dir} against a real daemon: what happens to links (a link that leads
 * outside, dangles or leads to a directory is refused by name and nothing is sent; a link to a file
 * inside is copied as that file; the directory itself may be a link), to special files (refused),
 * and to modes (kept exactly: an executable script still runs as the candidate, a 0600 file stays
 * 0600); and what the daemon's /admin/deploy refuses on its own (bad modes, names that escape).
 * One daemon serves every test; each successful deploy is a shadow that the test rolls back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeployVersionDirIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LEARNER = GuardianCli.repo().resolve("examples/python/learner_agent.py");
    private static final Pattern STARTED = Pattern.compile("deployment (d-\\S+): version (v-[0-9a-f]{12}), shadow rollout started");

    @TempDir
    static Path tmp;

    private Path data;
    private DaemonProcess daemon;

    @BeforeAll
    void startDaemon() throws Exception {
        data = tmp.resolve("data");
        Path config = Files.writeString(tmp.resolve("guardian.yaml"), "agent: {command: [python3, " + LEARNER + "]}\n"
                + "rollout:\n"
                + "  strategy: shadow\n"
                + "  shadow: {min_samples: 100, min_duration: 10m}\n");
        daemon = DaemonProcess.start(data, "--config", config.toString()).awaitOpen(Duration.ofSeconds(60));
    }

    @AfterAll
    void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void linksThatLeadOutsideAreRefusedWithTheirNamesAndNothingIsDeployed() throws Exception {
        Path dir = versionDir("outside");
        Files.createSymbolicLink(dir.resolve("token"), data.resolve("admin.token"));
        Files.createDirectories(dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("sub/up.txt"), Path.of("../../../outside-secret.txt"));
        Files.writeString(tmp.resolve("outside-secret.txt"), "secret");
        Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(tmp.resolve("elsewhere/lib.py"), "x = 1\n");
        Files.createSymbolicLink(dir.resolve("lib"), tmp.resolve("elsewhere"));

        GuardianCli.Result r = refused(dir);
        assertThat(r.stderr())
                .contains("link 'token' -> '" + data.resolve("admin.token") + "' leads outside the directory (to "
                        + data.resolve("admin.token").toRealPath() + ")")
                .contains("link 'sub/up.txt' -> '../../../outside-secret.txt' leads outside the directory")
                .contains("link 'lib' -> '" + tmp.resolve("elsewhere") + "' leads outside the directory")
                .contains("3 entries are refused")
                .doesNotContain(Files.readString(data.resolve("admin.token")).trim());
    }

    @Test
    void aDanglingLinkIsRefusedByName() throws Exception {
        Path dir = versionDir("dangling");
        Files.createSymbolicLink(dir.resolve("gone.py"), Path.of("not-there.py"));
        assertThat(refused(dir).stderr()).contains("link 'gone.py' -> 'not-there.py' is dangling");
    }

    @Test
    void aLinkToADirectoryInsideIsRefusedToo() throws Exception {
        Path dir = versionDir("dir-link");
        Files.createDirectories(dir.resolve("pkg"));
        Files.writeString(dir.resolve("pkg/m.py"), "x = 1\n");
        Files.createSymbolicLink(dir.resolve("alias"), Path.of("pkg"));
        assertThat(refused(dir).stderr()).contains("link 'alias' -> 'pkg' leads to a directory");
    }

    @Test
    void aFifoIsRefusedByNameWithoutBeingOpened() throws Exception {
        Path dir = versionDir("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("pipe").toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        // Reading the FIFO would block the CLI forever (nobody writes it): refused() would time out.
        assertThat(refused(dir).stderr()).contains("'pipe' is a FIFO, not a regular file or a directory");
    }

    @Test
    void aLinkToAFileInsideIsCopiedAsThatFile() throws Exception {
        Path dir = versionDir("inside");
        Files.createDirectories(dir.resolve("lib"));
        Files.writeString(dir.resolve("lib/settings.json"), "{\"fast\": true}\n");
        Files.setPosixFilePermissions(dir.resolve("lib/settings.json"), PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(dir.resolve("settings.json"), Path.of("lib/settings.json"));

        String[] started = deployed(dir);
        Path copy = data.resolve("versions").resolve(started[1]).resolve("settings.json");
        assertThat(Files.isSymbolicLink(copy)).isFalse();
        assertThat(Files.readString(copy)).isEqualTo("{\"fast\": true}\n");
        assertThat(mode(copy)).as("the mode of the file it leads to").isEqualTo("rw-------");
        assertThat(data.resolve("versions").resolve(started[1]).resolve("lib/settings.json")).hasSameTextualContentAs(copy);
        rollBack(started[0]);
    }

    @Test
    void aVersionDirThatIsALinkIsResolvedAndItsFilesAreDeployed() throws Exception {
        Path dir = versionDir("real");
        Path link = Files.createSymbolicLink(tmp.resolve("current"), dir);

        String[] started = deployed(link);
        JsonNode shown = JSON.readTree(GuardianCli.run("versions", "show", started[1], "--data-dir", data.toString()).stdout());
        assertThat(shown.path("files").has("agent.py")).as(shown.toString()).isTrue();
        awaitShadowRunning(started[1]);
        rollBack(started[0]);
    }

    @Test
    void modesAreKeptExactlyAndAnExecutableStillRuns() throws Exception {
        Path dir = versionDir("modes");
        Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\nexec python3 agent.py \"$@\"\n");
        Files.setPosixFilePermissions(dir.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(dir.resolve("secret.txt"), "only mine\n");
        Files.setPosixFilePermissions(dir.resolve("secret.txt"), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(dir.resolve("agent.py"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(dir.resolve("version.yaml"), "command: [./run.sh]\n");

        String[] started = deployed(dir);
        Path copy = data.resolve("versions").resolve(started[1]);
        assertThat(mode(copy.resolve("run.sh"))).isEqualTo("rwxr-x---");
        assertThat(mode(copy.resolve("secret.txt"))).isEqualTo("rw-------");
        assertThat(mode(copy.resolve("agent.py"))).isEqualTo("rw-r--r--");
        assertThat(mode(copy)).as("the version's directory").isEqualTo("rwx------");
        JsonNode shown = JSON.readTree(GuardianCli.run("versions", "show", started[1], "--data-dir", data.toString()).stdout());
        assertThat(shown.path("modes").path("run.sh").asText()).isEqualTo("0750");
        awaitShadowRunning(started[1]);
        rollBack(started[0]);

        // The same bytes with another mode are another version (the registry would otherwise hand back the old files).
        Files.setPosixFilePermissions(dir.resolve("secret.txt"), PosixFilePermissions.fromString("r--------"));
        String[] again = deployed(dir);
        assertThat(again[1]).isNotEqualTo(started[1]);
        assertThat(mode(data.resolve("versions").resolve(again[1]).resolve("secret.txt"))).isEqualTo("r--------");
        rollBack(again[0]);
    }

    @Test
    void theDaemonRefusesBadModesAndNamesThatEscapeNamingFieldAndValue() throws Exception {
        String file = java.util.Base64.getEncoder().encodeToString("x\n".getBytes());
        String command = "\"command\":[\"python3\",\"agent.py\"]";
        for (String[] c : List.of(
                new String[] {"\"files\":{\"run.sh\":\"" + file + "\"},\"modes\":{\"run.sh\":\"4755\"}", "modes.run.sh", "\"4755\""},
                new String[] {"\"files\":{\"run.sh\":\"" + file + "\"},\"modes\":{\"run.sh\":\"2755\"}", "modes.run.sh", "\"2755\""},
                new String[] {"\"files\":{\"run.sh\":\"" + file + "\"},\"modes\":{\"run.sh\":\"1777\"}", "modes.run.sh", "\"1777\""},
                new String[] {"\"files\":{\"run.sh\":\"" + file + "\"},\"modes\":{\"run.sh\":\"10644\"}", "modes.run.sh", "\"10644\""},
                new String[] {"\"files\":{\"run.sh\":\"" + file + "\"},\"modes\":{\"run.sh\":\"rwx\"}", "modes.run.sh", "\"rwx\""},
                new String[] {"\"files\":{\"run.sh\":\"" + file + "\"},\"modes\":{\"run.sh\":755}", "modes.run.sh", "755"},
                new String[] {"\"files\":{\"run.sh\":\"" + file + "\"},\"modes\":{\"other\":\"0644\"}", "modes.other", "names no file"},
                new String[] {"\"files\":{\"../escaped\":\"" + file + "\"}", "'../escaped'", "inside the version's directory"},
                new String[] {"\"files\":{\"a/../../escaped\":\"" + file + "\"}", "'a/../../escaped'", "inside the version's directory"},
                new String[] {"\"files\":{\"" + tmp.resolve("escaped") + "\":\"" + file + "\"}", "'" + tmp.resolve("escaped") + "'",
                        "inside the version's directory"},
                new String[] {"\"files\":{\".\":\"" + file + "\"}", "'.'", "inside the version's directory"},
                new String[] {"\"files\":{\"a\":\"" + file + "\",\"a/b\":\"" + file + "\"}", "'a/b'", "needs it to be a directory"})) {
            HttpResponse<String> r = adminDeploy("{" + command + "," + c[0] + "}");
            assertThat(r.statusCode()).as(c[0] + ": " + r.body()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("error").path("message").asText()).as(c[0]).contains(c[1]).contains(c[2]);
        }
        assertThat(tmp.resolve("escaped")).doesNotExist();
        assertThat(data.resolve("escaped")).doesNotExist();
        assertThat(data.resolve("versions/escaped")).doesNotExist();
    }

    @Test
    void theDaemonWritesExactlyTheModeAskedAndNoModeMeans0644() throws Exception {
        String file = java.util.Base64.getEncoder().encodeToString("print('x')\n".getBytes());
        HttpResponse<String> r = adminDeploy("{\"command\":[\"python3\",\"" + LEARNER + "\"],\"files\":{\"narrow\":\"" + file
                + "\",\"plain\":\"" + file + "\"},\"modes\":{\"narrow\":\"400\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode started = JSON.readTree(r.body());
        Path copy = data.resolve("versions").resolve(started.path("version").asText());
        assertThat(mode(copy.resolve("narrow"))).isEqualTo("r--------");
        assertThat(mode(copy.resolve("plain"))).isEqualTo("rw-r--r--");
        try (Stream<Path> left = Files.list(copy)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file is left").containsExactlyInAnyOrder("narrow", "plain");
        }
        rollBack(started.path("deployment").asText());
    }

    // ---- helpers

    /** A fresh directory with a runnable agent.py and the command in version.yaml. */
    private Path versionDir(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("versions-src").resolve(name));
        Files.copy(LEARNER, dir.resolve("agent.py"));
        Files.writeString(dir.resolve("version.yaml"), "command: [python3, agent.py]\n");
        return dir;
    }

    /** Deploys {@code dir}, expecting a refusal (bad input) that registered nothing; returns the result. */
    private GuardianCli.Result refused(Path dir) throws Exception {
        int before = versionCount();
        GuardianCli.Result r = GuardianCli.run(Duration.ofSeconds(60), "deploy", "--data-dir", data.toString(),
                "--version-dir", dir.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.stderr()).as(r.toString()).contains("nothing was deployed").doesNotContain("\tat ");
        assertThat(versionCount()).isEqualTo(before);
        return r;
    }

    /** Deploys {@code dir} as a shadow; returns {deployment, version}. */
    private String[] deployed(Path dir) {
        GuardianCli.Result r = GuardianCli.run(Duration.ofSeconds(60), "deploy", "--data-dir", data.toString(),
                "--version-dir", dir.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Matcher m = STARTED.matcher(r.stdout());
        assertThat(m.find()).as(r.toString()).isTrue();
        return new String[] {m.group(1), m.group(2)};
    }

    private int versionCount() throws Exception {
        GuardianCli.Result r = GuardianCli.run("versions", "ls", "--json", "--data-dir", data.toString());
        return JSON.readTree(r.stdout()).size();
    }

    /** Waits until the version runs as a shadow: its command started in its own directory. */
    private void awaitShadowRunning(String version) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            JsonNode s = JSON.readTree(GuardianCli.run("status", "--data-dir", data.toString(), "--json").stdout());
            boolean running = false;
            for (JsonNode i : s.path("instances")) {
                running |= i.path("role").asText().equals("shadow") && i.path("version").asText().equals(version)
                        && i.path("state").asText().equals("RUNNING");
            }
            assertThat(running).as(s.toString()).isTrue();
        });
    }

    private void rollBack(String deployment) {
        GuardianCli.Result r = GuardianCli.run("rollback", deployment, "--data-dir", data.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    private HttpResponse<String> adminDeploy(String body) throws Exception {
        String admin = JSON.readTree(data.resolve("daemon.json").toFile()).path("admin").asText();
        String token = Files.readString(data.resolve("admin.token")).trim();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + admin + "/admin/deploy"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }
}
