package dev.guardian.cli.checkpoints;

import dev.guardian.cli.DataDirMixin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.cli.ExitCodes;
import dev.guardian.testsupport.GuardianCli;
import dev.guardian.vault.CheckpointId;
import dev.guardian.vault.NewCheckpoint;
import dev.guardian.vault.Tag;
import dev.guardian.vault.Vault;
import dev.guardian.vault.VaultConfig;
import dev.guardian.vault.internal.VaultTestHooks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real packaged {@code guardian checkpoints ...} on a data directory prepared with the vault API. */
class CheckpointsCliIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String M1 = "{\"counts\":{\"apple\":2},\"old\":true,\"total\":3}";
    private static final String M2 = "{\"counts\":{\"apple\":2,\"pear\":1},\"total\":4}";
    private static final String M3 = "{\"counts\":{}}";

    @TempDir
    Path tmp;

    Path data;

    @BeforeEach
    void prepareDataDir() {
        data = tmp.resolve("data");
        Clock clock = Clock.fixed(Instant.parse("2026-02-03T04:05:06Z"), ZoneOffset.UTC);
        try (Vault v = Vault.open(data.resolve("vault"), VaultConfig.ofDefaults(), clock, e -> { })) {
            v.save(NewCheckpoint.of("primary", "v1", 10, utf8(M1)).withTags(Tag.MANUAL));
            v.save(NewCheckpoint.of("primary", "v1", 20, utf8(M2)).withTags(Tag.KNOWN_GOOD).withParent(CheckpointId.of(1)));
            v.save(NewCheckpoint.of("shadow-v2", "v2", 20, utf8(M3)).withParent(CheckpointId.of(2)));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private GuardianCli.Result guardian(String... args) {
        return GuardianCli.run(args);
    }

    private String dd() {
        return "--data-dir=" + data;
    }

    private static void assertOneErrorLine(GuardianCli.Result r, int exitCode, String line) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(exitCode);
        assertThat(r.stderr()).as(r.toString()).isEqualTo(line + "\n");
        assertThat(r.stdout()).as(r.toString()).isEmpty();
    }

    @Test
    void lsPrintsAnAlignedTableOldestFirst() {
        GuardianCli.Result r = guardian("checkpoints", "ls", dd());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.OK);
        assertThat(r.stdout().lines().toList()).containsExactly(
                "ID           LINEAGE    VERSION  WAL SEQ  CREATED               SIZE  TAGS",
                "ckpt-000001  primary    v1       10       2026-02-03T04:05:06Z  43 B  manual",
                "ckpt-000002  primary    v1       20       2026-02-03T04:05:06Z  41 B  known-good",
                "ckpt-000003  shadow-v2  v2       20       2026-02-03T04:05:06Z  13 B  -");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void lsFiltersByLineageAndPrintsJson() throws Exception {
        GuardianCli.Result r = guardian("checkpoints", "ls", dd(), "--lineage", "shadow-v2", "--json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.OK);
        JsonNode list = MAPPER.readTree(r.stdout());
        assertThat(list.size()).isEqualTo(1);
        assertThat(list.get(0).path("id").asText()).isEqualTo("ckpt-000003");
        assertThat(list.get(0).path("lineage").asText()).isEqualTo("shadow-v2");
        assertThat(list.get(0).path("parent").asText()).isEqualTo("ckpt-000002");
        assertThat(list.get(0).path("checksum").asText()).startsWith("crc32c:");
    }

    @Test
    void showPrintsMetadataAndPrettyPrintedMemory() {
        GuardianCli.Result r = guardian("checkpoints", "show", "ckpt-2", dd());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.OK);
        assertThat(r.stdout())
                .contains("id:       ckpt-000002\n")
                .contains("lineage:  primary\n")
                .contains("wal seq:  20\n")
                .contains("tags:     known-good\n")
                .contains("parent:   ckpt-000001\n")
                .containsPattern("checksum: crc32c:[0-9a-f]{8} \\(verified\\)")
                .contains("memory:\n{\n  \"counts\" : {\n    \"apple\" : 2,\n    \"pear\" : 1\n  },\n  \"total\" : 4\n}\n");
    }

    @Test
    void showRawPrintsTheExactMemoryBytes() {
        GuardianCli.Result r = guardian("checkpoints", "show", "--raw", "ckpt-000002", dd());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.OK);
        assertThat(r.stdout()).isEqualTo(M2);
    }

    @Test
    void diffPrintsAddedRemovedAndChangedJsonPaths() {
        GuardianCli.Result r = guardian("checkpoints", "diff", "ckpt-000001", "ckpt-000002", dd());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.OK);
        assertThat(r.stdout()).isEqualTo("+ /counts/pear 1\n- /old\n~ /total 3 -> 4\n");
    }

    @Test
    void verifyPassesWhenAllAreValidAndNamesEachCorruptOne() {
        GuardianCli.Result ok = guardian("checkpoints", "verify", dd());
        assertThat(ok.exitCode()).as(ok.toString()).isEqualTo(ExitCodes.OK);
        assertThat(ok.stdout()).endsWith("3 checkpoint(s) verified, all valid\n");

        try (Vault v = Vault.open(data.resolve("vault"), VaultConfig.ofDefaults())) {
            VaultTestHooks.corruptStoredBytes(v, CheckpointId.of(2));
        }
        GuardianCli.Result r = guardian("checkpoints", "verify", "--all", dd());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("ckpt-000001  primary    ok");
        assertThat(lines.get(1)).startsWith("ckpt-000002  primary    CORRUPT: checksum mismatch: stored crc32c:");
        assertThat(lines.get(3)).isEqualTo("3 checkpoint(s) verified, 1 corrupt: ckpt-000002");

        GuardianCli.Result one = guardian("checkpoints", "verify", "ckpt-000001", dd());
        assertThat(one.exitCode()).as(one.toString()).isEqualTo(ExitCodes.OK);

        GuardianCli.Result show = guardian("checkpoints", "show", "ckpt-000002", dd());
        assertThat(show.exitCode()).as(show.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(show.stderr()).startsWith("guardian: checkpoint ckpt-000002 is corrupt: checksum mismatch");
    }

    @Test
    void exportThenImportIntoAnotherDataDirRoundTrips() throws Exception {
        Path file = tmp.resolve("ckpt-2.json");
        GuardianCli.Result ex = guardian("checkpoints", "export", "ckpt-000002", file.toString(), dd());
        assertThat(ex.exitCode()).as(ex.toString()).isEqualTo(ExitCodes.OK);
        assertThat(ex.stdout()).isEqualTo("exported ckpt-000002 to " + file + "\n");
        JsonNode doc = MAPPER.readTree(file.toFile());
        assertThat(doc.path("format").asText()).isEqualTo("guardian-checkpoint");
        assertThat(doc.path("formatVersion").asInt()).isEqualTo(1);
        assertThat(doc.path("memory").path("counts").path("pear").asInt()).isEqualTo(1);

        Path other = Files.createDirectories(tmp.resolve("other"));
        GuardianCli.Result im = guardian("checkpoints", "import", file.toString(), "--data-dir", other.toString());
        assertThat(im.exitCode()).as(im.toString()).isEqualTo(ExitCodes.OK);
        assertThat(im.stdout()).startsWith("imported " + file + " as ckpt-000001 (lineage primary, version v1, wal seq 20, crc32c:");

        GuardianCli.Result raw = guardian("checkpoints", "show", "--raw", "ckpt-000001", "--data-dir", other.toString());
        assertThat(raw.stdout()).isEqualTo(M2);
        GuardianCli.Result ls = guardian("checkpoints", "ls", "--json", "--data-dir", other.toString());
        JsonNode imported = MAPPER.readTree(ls.stdout()).get(0);
        assertThat(imported.path("checksum").asText()).isEqualTo(doc.path("checkpoint").path("checksum").asText());
        assertThat(imported.path("tags").get(0).asText()).isEqualTo("known-good");
    }

    @Test
    void importRefusesATamperedFile() throws Exception {
        Path file = tmp.resolve("ckpt-1.json");
        assertThat(guardian("checkpoints", "export", "ckpt-000001", file.toString(), dd()).exitCode()).isZero();
        ObjectNode doc = (ObjectNode) MAPPER.readTree(file.toFile());
        ((ObjectNode) doc.path("memory")).put("total", 300);
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), doc);

        GuardianCli.Result r = guardian("checkpoints", "import", file.toString(), dd());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.stderr()).startsWith("guardian: refusing to import " + file + ": checksum mismatch: the file says crc32c:")
                .endsWith("(the file was modified or damaged)\n");
        assertThat(r.stderr().lines()).hasSize(1);
        assertThat(guardian("checkpoints", "ls", dd()).stdout().lines()).hasSize(4);

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        GuardianCli.Result none = guardian("checkpoints", "import", file.toString(), "--data-dir", empty.toString());
        assertThat(none.exitCode()).as(none.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(Files.exists(empty.resolve("vault"))).as("a refused import creates no vault").isFalse();
    }

    @Test
    void anImportThatCoversMoreThanTheLogHoldsIsRefusedUnlessTheOperatorSaysSo() throws Exception {
        Path file = tmp.resolve("ckpt-2-edited.json");
        assertThat(guardian("checkpoints", "export", "ckpt-000002", file.toString(), dd()).exitCode()).isEqualTo(ExitCodes.OK);
        ObjectNode doc = (ObjectNode) MAPPER.readTree(file.toFile());
        ((ObjectNode) doc.path("checkpoint")).put("walSeq", 1_000_000_000_000L);
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), doc);
        Path other = Files.createDirectories(tmp.resolve("with-log"));
        try (dev.guardian.wal.Wal wal = dev.guardian.wal.Wal.open(other.resolve("wal"), dev.guardian.wal.WalConfig.ofDefaults())) {
            for (int i = 0; i < 5; i++) {
                wal.append("request", "primary", "v1", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)).durable().join();
            }
        }

        GuardianCli.Result refused = guardian("checkpoints", "import", file.toString(), "--data-dir", other.toString());
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(refused.stderr()).contains("covers the log up to seq 1000000000000").contains("ends at seq 5")
                .contains("--beyond-log");
        assertThat(refused.stderr().lines()).hasSize(1);

        GuardianCli.Result forced = guardian("checkpoints", "import", file.toString(), "--beyond-log", "--data-dir", other.toString());
        assertThat(forced.exitCode()).as(forced.toString()).isEqualTo(ExitCodes.OK);
        assertThat(forced.stdout()).contains("wal seq 1000000000000");
    }

    @Test
    void pinAndUnpinShowInTheListing() {
        GuardianCli.Result pin = guardian("checkpoints", "pin", "ckpt-000001", dd());
        assertThat(pin.exitCode()).as(pin.toString()).isEqualTo(ExitCodes.OK);
        assertThat(pin.stdout()).isEqualTo("pinned ckpt-000001\n");
        assertThat(guardian("checkpoints", "ls", dd()).stdout()).contains("pinned,manual");

        GuardianCli.Result unpin = guardian("checkpoints", "unpin", "ckpt-000001", dd());
        assertThat(unpin.stdout()).isEqualTo("unpinned ckpt-000001\n");
        assertThat(guardian("checkpoints", "ls", dd()).stdout()).doesNotContain("pinned");
    }

    @Test
    void unknownIdIsOneNotFoundLine() {
        assertOneErrorLine(guardian("checkpoints", "show", "ckpt-9", dd()), ExitCodes.NOT_FOUND,
                "guardian: no checkpoint 'ckpt-000009' in " + data.resolve("vault"));
        assertOneErrorLine(guardian("checkpoints", "pin", "ckpt-9", dd()), ExitCodes.NOT_FOUND,
                "guardian: no checkpoint 'ckpt-000009' in " + data.resolve("vault"));
    }

    @Test
    void malformedIdIsAUsageError() {
        GuardianCli.Result r = guardian("checkpoints", "show", "banana", dd());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.stderr()).contains("'banana' is not a checkpoint id (expected ckpt-NNNNNN, e.g. ckpt-000042)");
    }

    @Test
    void missingDataDirOrVaultIsOneUnavailableLineAndCreatesNothing() throws Exception {
        Path missing = tmp.resolve("nope");
        assertOneErrorLine(guardian("checkpoints", "ls", "--data-dir", missing.toString()), ExitCodes.UNAVAILABLE,
                "guardian: data directory " + missing + " does not exist (use --data-dir DIR or set GUARDIAN_DATA_DIR)");
        assertThat(Files.exists(missing)).isFalse();

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertOneErrorLine(guardian("checkpoints", "verify", "--data-dir", empty.toString()), ExitCodes.UNAVAILABLE,
                "guardian: no vault in " + empty.resolve("vault") + " (" + empty.resolve("vault/vault.format") + " does not exist)");
        assertThat(Files.exists(empty.resolve("vault"))).isFalse();
    }

    @Test
    void lockedDataDirIsOneUnavailableLine() {
        try (Vault held = Vault.open(data.resolve("vault"), VaultConfig.ofDefaults())) {
            GuardianCli.Result r = guardian("checkpoints", "ls", dd());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
            assertThat(r.stderr()).startsWith("guardian: " + data.resolve("vault/vault.format")
                    + " is in use by another process (is a guardian daemon running");
            assertThat(r.stderr().lines()).hasSize(1);
            assertThat(held.list()).hasSize(3);
        }
    }

    private GuardianCli.Result runIn(Path cwd, String envDataDir, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(GuardianCli.command(args)).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(tmp.resolve("stderr.txt").toFile());
        pb.environment().remove(DataDirMixin.ENV);
        if (envDataDir != null) {
            pb.environment().put(DataDirMixin.ENV, envDataDir);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        return new GuardianCli.Result(p.exitValue(), out, Files.readString(tmp.resolve("stderr.txt")));
    }

    @Test
    void dataDirDefaultsToTheEnvironmentVariableThenToGuardianDataInTheWorkingDirectory() throws Exception {
        GuardianCli.Result env = runIn(tmp, data.toString(), "checkpoints", "ls", "--lineage", "shadow-v2");
        assertThat(env.exitCode()).as(env.toString()).isEqualTo(ExitCodes.OK);
        assertThat(env.stdout()).contains("ckpt-000003  shadow-v2");

        GuardianCli.Result cwd = runIn(tmp, null, "checkpoints", "ls");
        assertOneErrorLine(cwd, ExitCodes.UNAVAILABLE, "guardian: data directory " + tmp.toRealPath().resolve("guardian-data")
                + " does not exist (use --data-dir DIR or set GUARDIAN_DATA_DIR)");
    }
}
