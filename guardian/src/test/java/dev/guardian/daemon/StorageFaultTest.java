package dev.guardian.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage faults never make Guardian acknowledge what it does not apply: a log that lost its end is
 * numbered on above what the vault and the keys journal say it reached, and the loss is reported; a
 * full disk refuses requests (not logged, so not applied) and Guardian serves again by itself once
 * there is room. Real agent processes, a real WAL, vault and keys journal; the full disk is a real
 * small tmpfs (needs root, as CI has; skipped elsewhere).
 */
class StorageFaultTest {

    private static final String AGENT = "agent: {command: [python3, " + SupervisorFixture.FAULTY + "]}\n";

    @TempDir
    Path tmp;

    private SupervisorFixture fixture;
    private Path mounted;

    @AfterEach
    void tearDown() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
        if (mounted != null) {
            new ProcessBuilder("umount", "-l", mounted.toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDeletedLogIsNumberedOnAboveWhatTheMemoryCoversAndItsLossIsReported() throws Exception {
        Path data = tmp.resolve("data");
        String config = AGENT + "checkpoint: {every_requests: 20}\n";
        fixture = SupervisorFixture.open(data, config);
        for (int i = 0; i < 50; i++) {
            fixture.submit(learn("k"), "key-" + i);
        }
        // Stored on the control thread after their answers: wait until the newest is in.
        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.vault.list(PrimarySupervisor.LINEAGE).stream()
                .mapToLong(c -> c.walSeq()).max().orElse(0) >= 70); // the 40th request (seqs: a request and its answer each)
        long checkpointSeq = fixture.vault.list(PrimarySupervisor.LINEAGE).stream().mapToLong(c -> c.walSeq()).max().orElseThrow();
        fixture.close();
        deleteTree(data.resolve("wal"));

        fixture = SupervisorFixture.open(data, config);
        Outcome fresh = fixture.submit(learn("fresh"), "fresh-1");
        assertThat(fresh).isInstanceOf(Outcome.Answered.class);
        assertThat(((Outcome.Answered) fresh).seq()).as("numbered above every sequence the memory covers")
                .isGreaterThan(checkpointSeq);
        assertThat(((Outcome.Answered) fresh).payload().get("count").asInt()).as("applied, not taken for a duplicate").isEqualTo(1);
        assertThat(fixture.count("fresh")).isEqualTo(1);
        assertThat(fixture.supervisor.logLosses()).singleElement().satisfies(loss -> {
            assertThat(loss.from()).isEqualTo(1);
            assertThat(loss.to()).isGreaterThanOrEqualTo(checkpointSeq);
            assertThat(loss.what()).contains("the log ends at seq 0");
        });
        // Acknowledged requests after the newest checkpoint are gone from the memory, and the report says so.
        assertThat(fixture.count("k")).isLessThanOrEqualTo(50);
        if (fixture.count("k") < 50) {
            assertThat(fixture.supervisor.logLosses().get(0).what()).contains("are not in the agent's memory");
        }
        fixture.close();

        // The gap is in the log: the next start numbers on from it, and still reports the loss.
        fixture = SupervisorFixture.open(data, config);
        assertThat(((Outcome.Answered) fixture.submit(learn("fresh"), "fresh-2")).seq())
                .isGreaterThan(((Outcome.Answered) fresh).seq());
        assertThat(fixture.count("fresh")).isEqualTo(2);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "cut at {0} of its written bytes")
    @org.junit.jupiter.params.provider.ValueSource(doubles = {0.35, 0.5, 0.8, 0.97, 0.9999})
    void aLogCutInsideItsRecordsKeepsWhatIsReadableAndLosesNothingAcknowledgedAfterwards(double fraction) throws Exception {
        Path data = tmp.resolve("data");
        String config = AGENT + "checkpoint: {every_requests: 40}\n";
        fixture = SupervisorFixture.open(data, config);
        for (int i = 0; i < 100; i++) {
            fixture.submit(learn("k"), "key-" + i);
        }
        // The checkpoint after the 80th request is in the vault before the log is cut (stored after its answer).
        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.vault.list(PrimarySupervisor.LINEAGE).stream()
                .mapToLong(c -> c.walSeq()).max().orElse(0) >= 150); // the 80th request
        fixture.close();
        Path cycle;
        try (Stream<Path> files = Files.list(data.resolve("wal"))) {
            cycle = files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        long written = lastNonZeroByte(cycle) + 1;
        try (FileChannel ch = FileChannel.open(cycle, StandardOpenOption.WRITE)) {
            ch.truncate((long) (written * fraction));
        }

        fixture = SupervisorFixture.open(data, config);
        int before = fixture.count("k");
        assertThat(before).as("what the checkpoint and the readable log hold").isBetween(80, 100);
        if (before < 100) {
            assertThat(fixture.supervisor.logLosses()).as("a loss is never silent").isNotEmpty();
        }
        for (int i = 0; i < 10; i++) {
            Outcome o = fixture.submit(learn("after"), "after-" + i);
            assertThat(o).isInstanceOf(Outcome.Answered.class);
            assertThat(((Outcome.Answered) o).payload().get("count").asInt()).as("applied").isEqualTo(i + 1);
        }
        fixture.close();
        // Acknowledged after the damage: in the log for good, read back by the next start.
        fixture = SupervisorFixture.open(data, config);
        assertThat(fixture.count("after")).isEqualTo(10);
        assertThat(fixture.count("k")).isEqualTo(before);
    }

    @Test
    void aGarbledChronicleMetadataFileIsRebuiltAndNothingIsLost() throws Exception {
        Path data = tmp.resolve("data");
        fixture = SupervisorFixture.open(data, AGENT);
        for (int i = 0; i < 30; i++) {
            fixture.submit(learn("k"), "key-" + i);
        }
        fixture.close();
        Path metadata = data.resolve("wal/metadata.cq4t");
        byte[] bytes = Files.readAllBytes(metadata);
        for (int i = 0; i < Math.min(bytes.length, 600); i += 7) {
            bytes[i] ^= 0x5a;
        }
        Files.write(metadata, bytes);

        fixture = SupervisorFixture.open(data, AGENT);
        assertThat(fixture.count("k")).isEqualTo(30);
        assertThat(fixture.supervisor.logLosses()).isEmpty();
        try (Stream<Path> files = Files.list(data.resolve("wal"))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("metadata.cq4t.damaged-"));
        }
    }

    private static long lastNonZeroByte(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        for (int i = all.length - 1; i >= 0; i--) {
            if (all[i] != 0) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aFullDiskRefusesRequestsUnloggedAndGuardianServesAgainOnceThereIsRoom() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        mounted = Files.createDirectories(tmp.resolve("small-disk"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=160m", "tmpfs", mounted.toString())
                .inheritIO().start();
        Assumptions.assumeTrue(mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0, "tmpfs could not be mounted");
        Path data = mounted.resolve("data");
        fixture = SupervisorFixture.open(data, AGENT);
        for (int i = 0; i < 20; i++) {
            assertThat(fixture.submit(learn("k"), "before-" + i)).isInstanceOf(Outcome.Answered.class);
        }

        Path filler = mounted.resolve("filler");
        fill(filler, Files.getFileStore(mounted).getUsableSpace() - (16L << 20));
        int acknowledged = 20;
        int refused = 0;
        for (int i = 0; i < 50; i++) {
            Outcome o = fixture.submit(learn("k"), "during-" + i);
            if (o instanceof Outcome.Answered) {
                acknowledged++;
            } else {
                assertThat(o).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
                    assertThat(f.kind()).isEqualTo(Outcome.Kind.UNAVAILABLE);
                    assertThat(f.message()).contains("MB free");
                    assertThat(f.logged()).as("refused before it was logged").isFalse();
                });
                refused++;
            }
        }
        assertThat(refused).as("requests refused while the disk is full").isEqualTo(50);
        assertThat(fixture.supervisor.storageProblem()).contains("wal.minFreeBytes");

        Files.delete(filler);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.submit(learn("k"), "after-0") instanceof Outcome.Answered);
        acknowledged++;
        assertThat(fixture.supervisor.storageProblem()).isNull();
        for (int i = 1; i < 20; i++) {
            assertThat(fixture.submit(learn("k"), "after-" + i)).isInstanceOf(Outcome.Answered.class);
            acknowledged++;
        }
        assertThat(fixture.count("k")).as("every acknowledged request applied once, no refused one").isEqualTo(acknowledged);
        fixture.close();
        fixture = SupervisorFixture.open(data, AGENT);
        assertThat(fixture.count("k")).as("and so after a restart").isEqualTo(acknowledged);
    }

    private static void fill(Path file, long bytes) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long written = 0; written < bytes; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), bytes - written));
                written += ch.write(chunk);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String learn(String key) {
        return "{\"op\":\"learn\",\"key\":\"" + key + "\"}";
    }
}
