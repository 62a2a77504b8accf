package dev.guardian.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultCheckpointTest {
    @TempDir
    Path tmp;

    private final TestClock clock = TestClock.at("2026-01-02T03:04:05Z");

    private Vault open() {
        return open(VaultConfig.ofDefaults());
    }

    private Vault open(VaultConfig config) {
        return Vault.open(tmp.resolve("vault"), config, clock, event -> { });
    }

    @Test
    void savedCheckpointRoundTripsWithItsMetadata() {
        byte[] memory = Memories.utf8("{\"counts\":{\"pear\":1},\"total\":3}");
        try (Vault v = open()) {
            Checkpoint c = v.save(NewCheckpoint.of("primary", "v1", 41, memory).withTags(Tag.MANUAL));
            assertThat(c.id()).isEqualTo(CheckpointId.of(1));
            assertThat(c.id().toString()).isEqualTo("ckpt-000001");
            assertThat(c.lineage()).isEqualTo("primary");
            assertThat(c.versionId()).isEqualTo("v1");
            assertThat(c.walSeq()).isEqualTo(41);
            assertThat(c.createdAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
            assertThat(c.size()).isEqualTo(memory.length);
            assertThat(c.checksum()).startsWith("crc32c:");
            assertThat(c.tags()).containsExactly(Tag.MANUAL);
            assertThat(c.pinned()).isFalse();
            assertThat(c.parent()).isEmpty();

            CheckpointData d = v.read(c.id());
            assertThat(d.memory()).isEqualTo(memory);
            assertThat(d.checkpoint()).isEqualTo(c);
        }
    }

    @Test
    void checkpointsSurviveReopeningTheVault() {
        byte[] big = Memories.json(3 * 1024 * 1024, 7);
        byte[] random = Memories.random(300_000, 8);
        Checkpoint a;
        Checkpoint b;
        try (Vault v = open()) {
            a = v.save(NewCheckpoint.of("primary", "v1", 1, big));
            b = v.save(NewCheckpoint.of("primary", "v1", 2, random).withParent(a.id()));
        }
        try (Vault v = open()) {
            assertThat(v.list()).containsExactly(a, b);
            assertThat(v.read(a.id()).memory()).isEqualTo(big);
            assertThat(v.read(b.id()).memory()).isEqualTo(random);
            assertThat(v.get(b.id()).parent()).contains(a.id());
            Checkpoint c = v.save(NewCheckpoint.of("primary", "v1", 3, Memories.utf8("{}")));
            assertThat(c.id()).isEqualTo(CheckpointId.of(3));
        }
    }

    @Test
    void largeJsonMemoryIsCompressedAndChunked() {
        byte[] memory = Memories.json(5 * 1024 * 1024, 1);
        try (Vault v = open(VaultConfig.ofDefaults().withChunkSize(256 * 1024))) {
            Checkpoint c = v.save(NewCheckpoint.of("primary", "v1", 1, memory));
            assertThat(c.compression()).isEqualTo("lz4");
            assertThat(c.storedSize()).isLessThan(memory.length * 3L / 4);
            assertThat(v.read(c.id()).memory()).isEqualTo(memory);
        }
    }

    @Test
    void incompressibleAndSmallMemoriesAreStoredAsIs() {
        try (Vault v = open()) {
            Checkpoint random = v.save(NewCheckpoint.of("primary", "v1", 1, Memories.random(1024 * 1024, 3)));
            Checkpoint small = v.save(NewCheckpoint.of("primary", "v1", 2, Memories.utf8("{\"a\":1}")));
            Checkpoint empty = v.save(NewCheckpoint.of("primary", "v1", 3, new byte[0]));
            assertThat(random.compression()).isEqualTo("none");
            assertThat(small.compression()).isEqualTo("none");
            assertThat(v.read(random.id()).memory()).isEqualTo(Memories.random(1024 * 1024, 3));
            assertThat(v.read(empty.id()).memory()).isEmpty();
        }
    }

    @Test
    void sixtyFourMegabyteMemoryRoundTrips() {
        byte[] memory = Memories.json(64 * 1024 * 1024, 64);
        try (Vault v = open()) {
            Checkpoint c = v.save(NewCheckpoint.of("primary", "v1", 1, memory));
            assertThat(v.read(c.id()).memory()).isEqualTo(memory);
        }
        try (Vault v = open()) {
            assertThat(v.latestValid("primary")).get().extracting(CheckpointData::memory).isEqualTo(memory);
        }
    }

    @Test
    void eachLineageHasItsOwnLatestCheckpoint() {
        try (Vault v = open()) {
            Checkpoint primary = v.save(NewCheckpoint.of("primary", "v1", 10, Memories.utf8("{\"who\":\"primary\"}")));
            Checkpoint shadow = v.save(NewCheckpoint.of("shadow-v2", "v2", 11, Memories.utf8("{\"who\":\"shadow\"}"))
                    .withParent(primary.id()));
            assertThat(v.latestValid("primary")).get().extracting(CheckpointData::id).isEqualTo(primary.id());
            assertThat(v.latestValid("shadow-v2")).get().extracting(CheckpointData::id).isEqualTo(shadow.id());
            assertThat(v.list("primary")).containsExactly(primary);
            assertThat(v.lineages()).containsExactly("primary", "shadow-v2");
            assertThat(v.latestValid("nobody")).isEmpty();
        }
    }

    @Test
    void creationTimeComesFromTheInjectedClock() {
        try (Vault v = open()) {
            Checkpoint a = v.save(NewCheckpoint.of("primary", "v1", 1, new byte[] {1}));
            clock.advance(Duration.ofMinutes(5));
            Checkpoint b = v.save(NewCheckpoint.of("primary", "v1", 2, new byte[] {2}));
            assertThat(Duration.between(a.createdAt(), b.createdAt())).isEqualTo(Duration.ofMinutes(5));
        }
    }

    @Test
    void unknownIdIsNotFoundWithTheVaultInTheMessage() {
        try (Vault v = open()) {
            assertThat(v.find(CheckpointId.of(9))).isEmpty();
            assertThatThrownBy(() -> v.read(CheckpointId.of(9)))
                    .isInstanceOf(VaultException.class)
                    .hasMessage("no checkpoint 'ckpt-000009' in " + tmp.resolve("vault"))
                    .extracting(e -> ((VaultException) e).reason()).isEqualTo(VaultException.Reason.NOT_FOUND);
        }
    }

    @Test
    void pinningAndTaggingAreDurable() {
        CheckpointId id;
        try (Vault v = open()) {
            id = v.save(NewCheckpoint.of("primary", "v1", 1, new byte[] {1})).id();
            assertThat(v.setPinned(id, true).pinned()).isTrue();
            assertThat(v.addTag(id, Tag.KNOWN_GOOD).tags()).containsExactly(Tag.KNOWN_GOOD);
        }
        try (Vault v = open()) {
            assertThat(v.get(id).pinned()).isTrue();
            assertThat(v.get(id).tags()).isEqualTo(Set.of(Tag.KNOWN_GOOD));
            assertThat(v.setPinned(id, false).pinned()).isFalse();
        }
    }

    @Test
    void openExistingRefusesAMissingVaultAndCreatesNothing() {
        Path dir = tmp.resolve("nothing-here");
        assertThatThrownBy(() -> Vault.openExisting(dir, VaultConfig.ofDefaults()))
                .isInstanceOf(VaultException.class)
                .hasMessageContaining(dir.toString())
                .extracting(e -> ((VaultException) e).reason()).isEqualTo(VaultException.Reason.UNAVAILABLE);
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void tooLargeMemoryIsRefused() {
        try (Vault v = open(new VaultConfig(10, true, 65536, 65536, 1000, 3))) {
            assertThatThrownBy(() -> v.save(NewCheckpoint.of("primary", "v1", 1, new byte[1001])))
                    .isInstanceOf(VaultException.class).hasMessageContaining("vault.maxMemoryBytes 1000");
            assertThat(v.list()).isEmpty();
        }
    }

    @Test
    void badNamesAndIdsAreRefusedWithClearMessages() {
        assertThatThrownBy(() -> NewCheckpoint.of("bad lineage", "v1", 1, new byte[0]))
                .hasMessageContaining("checkpoint lineage must match").hasMessageContaining("'bad lineage'");
        assertThatThrownBy(() -> NewCheckpoint.of("primary", "v1", -1, new byte[0]))
                .hasMessage("checkpoint walSeq must be >= 0, but was -1");
        assertThatThrownBy(() -> CheckpointId.parse("foo"))
                .hasMessage("'foo' is not a checkpoint id (expected ckpt-NNNNNN, e.g. ckpt-000042)");
        assertThat(CheckpointId.parse("ckpt-42")).isEqualTo(CheckpointId.parse("ckpt-000042"));
        assertThat(Optional.of(Tag.parse("known-good"))).contains(Tag.KNOWN_GOOD);
    }

    @Test
    void configIsValidatedNamingTheFieldAndValue() {
        assertThatThrownBy(() -> VaultConfig.ofDefaults().withKeepLast(0))
                .hasMessage("vault.retention.keepLast must be >= 1, but was 0");
        assertThatThrownBy(() -> VaultConfig.ofDefaults().withChunkSize(10))
                .hasMessage("vault.chunkSize must be between 4096 and 16777216, but was 10");
        assertThatThrownBy(() -> VaultConfig.ofDefaults().withCompressThreshold(-1))
                .hasMessage("vault.compressThreshold must be >= 0, but was -1");
    }
}
