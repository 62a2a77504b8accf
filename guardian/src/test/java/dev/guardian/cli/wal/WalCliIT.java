package dev.guardian.cli.wal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.cli.DataDirMixin;
import dev.guardian.cli.ExitCodes;
import dev.guardian.testsupport.GuardianCli;
import dev.guardian.wal.Durability;
import dev.guardian.wal.Wal;
import dev.guardian.wal.WalConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalCliIT {

    @TempDir
    Path tmp;

    private final ObjectMapper mapper = new ObjectMapper();

    /** A log of 3 records: two text payloads and one binary. */
    private Path preparedWal(Path dir) {
        try (Wal wal = Wal.open(dir, WalConfig.ofDefaults().withDurability(Durability.SYNC))) {
            wal.append("request", "echo-1", "v1", "{\"op\":\"ping\"}".getBytes(UTF_8));
            wal.append("request", "echo-1", "v2", "héllo\nworld".getBytes(UTF_8));
            wal.append("response", "", "", new byte[] {(byte) 0xff, 0x00, (byte) 0xfe});
        }
        return dir;
    }

    @Test
    void statsShowsRecordsSequencesSizeAndCycleFiles() {
        Path dir = preparedWal(tmp.resolve("wal"));
        GuardianCli.Result r = GuardianCli.run("wal", "stats", dir.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.OK);
        assertThat(r.stdout())
                .containsPattern("records +3\n")
                .containsPattern("first sequence +1\n")
                .containsPattern("last sequence +3\n")
                .containsPattern("cycle files +1\n")
                .containsPattern("record bytes +\\d+")
                .containsPattern("  \\S+\\.cq4 +\\d+\n");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void statsAcceptsAGuardianDataDirectoryHoldingWal() {
        Path data = tmp.resolve("data");
        preparedWal(data.resolve("wal"));
        GuardianCli.Result r = GuardianCli.run("wal", "stats", data.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.OK);
        assertThat(r.stdout()).contains("directory        " + data.resolve("wal")).containsPattern("records +3\n");
    }

    @Test
    void statsAndTailFindTheLogThroughDataDirLikeEveryOtherCommand() throws Exception {
        Path data = tmp.resolve("data");
        preparedWal(data.resolve("wal"));
        GuardianCli.Result stats = runIn(tmp, null, "wal", "stats", "--data-dir", data.toString());
        assertThat(stats.exitCode()).as(stats.toString()).isEqualTo(ExitCodes.OK);
        assertThat(stats.stdout()).contains("directory        " + data.resolve("wal")).containsPattern("records +3\n");
        GuardianCli.Result tail = runIn(tmp, null, "wal", "tail", "--data-dir", data.toString(), "--json");
        assertThat(tail.exitCode()).as(tail.toString()).isEqualTo(ExitCodes.OK);
        assertThat(tail.stdout().lines()).hasSize(3);
    }

    @Test
    void statsAndTailFallBackToTheEnvironmentVariableThenToGuardianDataInTheWorkingDirectory() throws Exception {
        Path data = tmp.resolve("data");
        preparedWal(data.resolve("wal"));
        GuardianCli.Result env = runIn(tmp, data.toString(), "wal", "stats");
        assertThat(env.exitCode()).as(env.toString()).isEqualTo(ExitCodes.OK);
        assertThat(env.stdout()).contains("directory        " + data.resolve("wal")).containsPattern("records +3\n");
        GuardianCli.Result envTail = runIn(tmp, data.toString(), "wal", "tail", "--from", "3", "--json");
        assertThat(envTail.exitCode()).as(envTail.toString()).isEqualTo(ExitCodes.OK);
        assertThat(envTail.stdout().lines()).hasSize(1);

        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        preparedWal(cwd.resolve("guardian-data/wal"));
        GuardianCli.Result dflt = runIn(cwd, null, "wal", "stats");
        assertThat(dflt.exitCode()).as(dflt.toString()).isEqualTo(ExitCodes.OK);
        assertThat(dflt.stdout()).containsPattern("records +3\n");

        // a positional DIR is explicit: it wins over the environment variable
        GuardianCli.Result positional = runIn(tmp, tmp.resolve("elsewhere").toString(), "wal", "stats", data.toString());
        assertThat(positional.exitCode()).as(positional.toString()).isEqualTo(ExitCodes.OK);
    }

    @Test
    void aMissingDefaultDataDirSaysHowToNameOne() throws Exception {
        Path missing = tmp.resolve("nope");
        GuardianCli.Result r = runIn(tmp, missing.toString(), "wal", "stats");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(r.stderr()).isEqualTo("guardian: " + missing + " does not exist (give DIR, use --data-dir DIR or set "
                + DataDirMixin.ENV + ")\n");
    }

    @Test
    void aPositionalDirAndADifferentDataDirIsAUsageErrorNamingBoth() throws Exception {
        Path data = tmp.resolve("data");
        preparedWal(data.resolve("wal"));
        Path other = tmp.resolve("other");
        for (String sub : List.of("stats", "tail")) {
            GuardianCli.Result r = runIn(tmp, null, "wal", sub, data.toString(), "--data-dir", other.toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.stderr()).startsWith("guardian: DIR " + data + " and --data-dir " + other
                    + " name different logs; give one of them\n");
        }
        // the same log named both ways (the data directory and its wal/) is fine
        GuardianCli.Result same = runIn(tmp, null, "wal", "stats", data.resolve("wal").toString(), "--data-dir", data.toString());
        assertThat(same.exitCode()).as(same.toString()).isEqualTo(ExitCodes.OK);
    }

    /** Runs guardian in {@code cwd} with {@code $GUARDIAN_DATA_DIR} set to {@code envDataDir} (or unset when null). */
    private GuardianCli.Result runIn(Path cwd, String envDataDir, String... args) throws Exception {
        Path err = tmp.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(GuardianCli.command(args)).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(err.toFile());
        pb.environment().remove(DataDirMixin.ENV);
        if (envDataDir != null) {
            pb.environment().put(DataDirMixin.ENV, envDataDir);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new GuardianCli.Result(p.exitValue(), out, Files.readString(err));
    }

    @Test
    void tailPrintsAlignedRecordsFromASequence() {
        Path dir = preparedWal(tmp.resolve("wal"));
        GuardianCli.Result r = GuardianCli.run("wal", "tail", dir.toString(), "--from", "2");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.OK);
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches(" +SEQ  TIME +TYPE +INSTANCE +VERSION +PAYLOAD");
        assertThat(lines.get(1)).matches(" +2  \\d{4}-\\d\\d-\\d\\dT\\S+Z  request +echo-1 +v2 +héllo\\\\nworld");
        assertThat(lines.get(2)).matches(" +3  \\S+  response +- +- +base64:/wD\\+");
        // columns line up
        assertThat(lines.get(1).indexOf("request")).isEqualTo(lines.get(0).indexOf("TYPE"));
        assertThat(lines.get(2).indexOf("base64")).isEqualTo(lines.get(0).indexOf("PAYLOAD"));
    }

    @Test
    void tailJsonIsOneObjectPerRecordWithTextOrBase64Payload() throws Exception {
        Path dir = preparedWal(tmp.resolve("wal"));
        GuardianCli.Result r = GuardianCli.run("wal", "tail", dir.toString(), "--json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.OK);
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines).hasSize(3);
        JsonNode first = mapper.readTree(lines.get(0));
        assertThat(first.get("seq").asLong()).isEqualTo(1);
        assertThat(first.get("type").asText()).isEqualTo("request");
        assertThat(first.get("instance").asText()).isEqualTo("echo-1");
        assertThat(first.get("version").asText()).isEqualTo("v1");
        assertThat(first.get("payloadEncoding").asText()).isEqualTo("utf8");
        assertThat(first.get("payload").asText()).isEqualTo("{\"op\":\"ping\"}");
        assertThat(first.get("time").asText()).endsWith("Z");
        JsonNode third = mapper.readTree(lines.get(2));
        assertThat(third.get("payloadEncoding").asText()).isEqualTo("base64");
        assertThat(third.get("payload").asText()).isEqualTo("/wD+");
    }

    @Test
    void aMissingDirectoryIsOneLineAndNotFound() {
        Path dir = tmp.resolve("nope");
        for (String sub : List.of("stats", "tail")) {
            GuardianCli.Result r = GuardianCli.run("wal", sub, dir.toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
            assertThat(r.stderr()).isEqualTo("guardian: " + dir + " does not exist\n");
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void aForeignDirectoryIsOneLineAndBadInputAndLeftUntouched() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(dir.resolve("foo.txt"), "not a log");
        for (String sub : List.of("stats", "tail")) {
            GuardianCli.Result r = GuardianCli.run("wal", sub, dir.toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.stderr()).isEqualTo("guardian: " + dir + " is not a Guardian WAL directory (found foo.txt)\n");
        }
        assertThat(snapshot(dir)).containsOnlyKeys("foo.txt");
    }

    @Test
    void aBadFromIsOneLineAndBadInput() {
        Path dir = preparedWal(tmp.resolve("wal"));
        GuardianCli.Result r = GuardianCli.run("wal", "tail", dir.toString(), "--from", "0");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.stderr()).isEqualTo("guardian: --from must be >= 1, but was 0\n");
    }

    @Test
    void readingNeverModifiesTheLog() throws Exception {
        Path dir = preparedWal(tmp.resolve("wal"));
        Map<String, String> before = snapshot(dir);
        assertThat(GuardianCli.run("wal", "stats", dir.toString()).exitCode()).isZero();
        assertThat(GuardianCli.run("wal", "tail", dir.toString(), "--json").exitCode()).isZero();
        assertThat(snapshot(dir)).isEqualTo(before);
    }

    @Test
    void tailFollowPrintsRecordsThatALiveWriterAppends() throws Exception {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, WalConfig.ofDefaults())) {
            wal.append("request", "a", "v1", "before".getBytes(UTF_8)).await();
            // the writer holds the directory's lock: stats still works, read-only
            GuardianCli.Result stats = GuardianCli.run("wal", "stats", dir.toString());
            assertThat(stats.exitCode()).as(stats.toString()).isZero();
            assertThat(stats.stdout()).containsPattern("records +1\n");

            Process p = new ProcessBuilder(GuardianCli.command("wal", "tail", dir.toString(), "--follow", "--json"))
                    .redirectError(tmp.resolve("follow.err").toFile()).start();
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (Exception e) {
                    // process ended
                }
            });
            reader.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> lines.size() == 1);
                for (int i = 1; i <= 5; i++) {
                    wal.append("request", "a", "v1", ("live-" + i).getBytes(UTF_8)).await();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> lines.size() == 6);
                assertThat(mapper.readTree(lines.get(5)).get("payload").asText()).isEqualTo("live-5");
                assertThat(mapper.readTree(lines.get(5)).get("seq").asLong()).isEqualTo(6);
                assertThat(p.isAlive()).isTrue();
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
                reader.join(5_000);
            }
        }
    }

    /** File name → size and modification time. */
    private static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                m.put(f.getFileName().toString(), Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis());
            }
        }
        return m;
    }
}
