package dev.guardian.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.vault.event.VaultEvent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file storage itself: layout, damage the files can suffer, leftovers of a kill, the lock. */
class VaultFilesTest {
    @TempDir
    Path tmp;

    private final List<VaultEvent> events = new CopyOnWriteArrayList<>();

    private Path dir() {
        return tmp.resolve("vault");
    }

    private Path ckptFile(long seq) {
        return dir().resolve("checkpoints").resolve(CheckpointId.of(seq) + ".ckpt");
    }

    private Vault open(VaultConfig config) {
        return Vault.open(dir(), config, TestClock.at("2026-01-01T00:00:00Z"), events::add);
    }

    private Vault open() {
        return open(VaultConfig.ofDefaults());
    }

    private List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void layoutIsOneFilePerCheckpointAndRecordWithNoLeftovers() throws IOException {
        try (Vault v = open()) {
            v.save(NewCheckpoint.of("primary", "v1", 1, Memories.utf8("{\"n\":1}")));
            Checkpoint b = v.save(NewCheckpoint.of("primary", "v1", 2, Memories.json(300_000, 2)));
            v.setPinned(b.id(), true);
            v.registerVersion(new VersionRecord("v1/with spaces", 1, Instant.EPOCH, "primary", Optional.empty(), "seed",
                    new ObjectMapper().createObjectNode()));
            assertThat(names(dir())).containsExactly("checkpoints", "deployments", "proofs", "vault.format", "versions");
            assertThat(names(dir().resolve("checkpoints")))
                    .containsExactly("ckpt-000001.ckpt", "ckpt-000002.ckpt", "ckpt-000002.meta.json");
            assertThat(names(dir().resolve("versions"))).containsExactly("v1%2Fwith%20spaces.json");
            byte[] file = Files.readAllBytes(ckptFile(2));
            String head = new String(file, 0, 200, StandardCharsets.UTF_8);
            assertThat(head).startsWith("GUARDIAN-CKPT 1\n{\"schema\":1,\"id\":\"ckpt-000002\",\"lineage\":\"primary\"");
            assertThat(Files.readString(Vault.file(dir()))).isEqualTo("guardian-vault/2\n");
        }
        try (Vault v = open()) {
            assertThat(v.version("v1/with spaces")).isPresent();
            assertThat(v.get(CheckpointId.of(2)).pinned()).isTrue();
        }
    }

    @Test
    void longAndUnusualRecordIdsRoundTrip() {
        String longId = "x/".repeat(100);
        String dotted = ".hidden";
        try (Vault v = open()) {
            for (String id : List.of(longId, dotted, "ü-ß")) {
                v.putDeployment(new DeploymentRecord(id, 1, Instant.EPOCH, "primary", "v1", "v2", "canary",
                        new ObjectMapper().createObjectNode()));
            }
        }
        try (Vault v = open()) {
            assertThat(v.deployment(longId)).get().extracting(DeploymentRecord::id).isEqualTo(longId);
            assertThat(v.deployment(dotted)).isPresent();
            assertThat(v.deployments()).extracting(DeploymentRecord::id).containsExactly(dotted, longId, "ü-ß");
        }
    }

    @Test
    void tempFilesLeftByAKillAreDeletedAtOpenAndTheirIdsReused() throws IOException {
        try (Vault v = open()) {
            v.save(NewCheckpoint.of("primary", "v1", 1, Memories.utf8("{\"n\":1}")));
        }
        Path orphan = dir().resolve("checkpoints").resolve(".tmp-ckpt-000002.ckpt-1234");
        Files.write(orphan, "GUARDIAN-CKPT 1\n{\"schema\":1,\"id\":\"ckpt-0".getBytes(StandardCharsets.UTF_8));
        Path orphanRecord = dir().resolve("versions").resolve(".tmp-v1.json-99");
        Files.write(orphanRecord, new byte[] {'{'});
        try (Vault v = open()) {
            assertThat(orphan).doesNotExist();
            assertThat(orphanRecord).doesNotExist();
            assertThat(v.list()).hasSize(1);
            assertThat(v.versions()).isEmpty();
            assertThat(v.save(NewCheckpoint.of("primary", "v1", 2, new byte[] {2})).id()).isEqualTo(CheckpointId.of(2));
        }
    }

    @Test
    void aGarbledOrTruncatedHeaderIsReportedAsCorruptNeverAsAnException() throws IOException {
        try (Vault v = open()) {
            v.save(NewCheckpoint.of("primary", "v1", 1, Memories.utf8("{\"n\":1}")));
            v.save(NewCheckpoint.of("primary", "v1", 2, Memories.utf8("{\"n\":2}")));
            v.save(NewCheckpoint.of("primary", "v1", 3, Memories.utf8("{\"n\":3}")));
        }
        Files.write(ckptFile(2), "GUARDIAN-CK".getBytes(StandardCharsets.US_ASCII)); // truncated in the magic line
        Files.write(ckptFile(3), new byte[] {0, 1, 2, '\n', 3, '\n', 4}); // garbage
        try (Vault v = open()) {
            assertThat(v.list()).extracting(Checkpoint::id).containsExactly(CheckpointId.of(1));
            assertThat(v.latestValid("primary")).get().extracting(CheckpointData::id).isEqualTo(CheckpointId.of(1));
            List<VerifyResult> all = v.verifyAll();
            assertThat(all).extracting(VerifyResult::valid).containsExactly(true, false, false);
            assertThat(all.get(1).problem()).startsWith("metadata is unreadable: not a checkpoint file");
            assertThat(all.get(2).problem()).startsWith("metadata is unreadable");
            // ids of unreadable files are not handed out again
            assertThat(v.save(NewCheckpoint.of("primary", "v1", 4, new byte[] {4})).id()).isEqualTo(CheckpointId.of(4));
        }
    }

    @Test
    void damageWhileOpenIsFoundOnTheNextRead() throws IOException {
        try (Vault v = open()) {
            Checkpoint a = v.save(NewCheckpoint.of("primary", "v1", 1, Memories.json(200_000, 1)));
            Checkpoint b = v.save(NewCheckpoint.of("primary", "v1", 2, Memories.json(200_000, 2)));
            Checkpoint c = v.save(NewCheckpoint.of("primary", "v1", 3, Memories.json(200_000, 3)));
            try (FileChannel ch = FileChannel.open(ckptFile(3), StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() - 100);
            }
            try (FileChannel ch = FileChannel.open(ckptFile(2), StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap("XXXX".getBytes(StandardCharsets.US_ASCII)), 0);
            }
            assertThat(v.verify(c.id()).problem()).startsWith("stored size is " + (c.storedSize() - 100) + " bytes");
            assertThat(v.verify(b.id()).problem()).startsWith("metadata is unreadable");
            assertThat(v.latestValid("primary")).get().extracting(CheckpointData::id).isEqualTo(a.id());
            assertThat(events).filteredOn(e -> e instanceof VaultEvent.CorruptCheckpoint).hasSize(4);

            Files.delete(ckptFile(3));
            assertThat(v.verify(c.id()).problem()).startsWith("checkpoint file").endsWith("is missing");
        }
    }

    @Test
    void prunedIdsAreNeverHandedOutAgain() {
        try (Vault v = open(VaultConfig.ofDefaults().withKeepLast(1))) {
            for (int i = 1; i <= 4; i++) {
                v.save(NewCheckpoint.of(i % 2 == 0 ? "a" : "b", "v1", i, new byte[] {(byte) i}));
            }
            assertThat(v.list()).extracting(Checkpoint::id).containsExactly(CheckpointId.of(3), CheckpointId.of(4));
        }
        try (Vault v = open(VaultConfig.ofDefaults().withKeepLast(1))) {
            assertThat(v.save(NewCheckpoint.of("a", "v1", 5, new byte[] {5})).id()).isEqualTo(CheckpointId.of(5));
        }
    }

    @Test
    void pinLivesInASidecarAndAnOrphanSidecarIsRemoved() throws IOException {
        CheckpointId id;
        try (Vault v = open()) {
            id = v.save(NewCheckpoint.of("primary", "v1", 1, Memories.json(1_000_000, 1))).id();
            byte[] before = Files.readAllBytes(ckptFile(1));
            v.setPinned(id, true);
            assertThat(Files.readAllBytes(ckptFile(1))).isEqualTo(before);
        }
        Path orphan = dir().resolve("checkpoints").resolve("ckpt-000007.meta.json");
        Files.writeString(orphan, "{\"schema\":1,\"id\":\"ckpt-000007\",\"tags\":[],\"pinned\":true}");
        try (Vault v = open()) {
            assertThat(v.get(id).pinned()).isTrue();
            assertThat(orphan).doesNotExist();
        }
        Files.writeString(dir().resolve("checkpoints").resolve("ckpt-000001.meta.json"), "{garbage");
        try (Vault v = open()) {
            assertThat(v.list()).isEmpty();
            assertThat(v.verify(id).problem()).startsWith("metadata is unreadable: pin/tag sidecar");
        }
    }

    @Test
    void openExistingCreatesNothingAndASecondOpenerInThisJvmIsUnavailable() throws IOException {
        try (Vault v = open()) {
            v.save(NewCheckpoint.of("primary", "v1", 1, new byte[] {1}));
        }
        Files.delete(dir().resolve("proofs"));
        try (Vault v = Vault.openExisting(dir(), VaultConfig.ofDefaults())) {
            assertThat(v.list()).hasSize(1);
            assertThat(v.proofs()).isEmpty();
            assertThatThrownBy(() -> Vault.openExisting(dir(), VaultConfig.ofDefaults()))
                    .isInstanceOf(VaultException.class)
                    .hasMessageStartingWith(Vault.file(dir()) + " is in use by another process")
                    .extracting(e -> ((VaultException) e).reason()).isEqualTo(VaultException.Reason.UNAVAILABLE);
            assertThat(v.list()).hasSize(1); // the failed opener did not break this one
        }
        assertThat(dir().resolve("proofs")).doesNotExist();
    }

    @Test
    void aMapDbVaultOfAnEarlierReleaseIsRefusedNotShadowed() throws IOException {
        Files.createDirectories(dir());
        Files.write(dir().resolve("vault.db"), new byte[] {1, 2, 3});
        assertThatThrownBy(this::open)
                .isInstanceOf(VaultException.class)
                .hasMessageContaining("holds a MapDB vault")
                .extracting(e -> ((VaultException) e).reason()).isEqualTo(VaultException.Reason.UNAVAILABLE);
        assertThat(names(dir())).containsExactly("vault.db");
    }

    @Test
    void aNewerFormatIsRefused() throws IOException {
        try (Vault v = open()) {
            v.list();
        }
        Files.writeString(Vault.file(dir()), "guardian-vault/3\n");
        assertThatThrownBy(this::open).isInstanceOf(VaultException.class)
                .hasMessageContaining("has format 'guardian-vault/3', this release reads 'guardian-vault/2'");
    }
}
