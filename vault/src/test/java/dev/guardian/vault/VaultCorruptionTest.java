package dev.guardian.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guardian.vault.event.VaultEvent;
import dev.guardian.vault.internal.VaultTestHooks;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultCorruptionTest {
    @TempDir
    Path tmp;

    private final List<VaultEvent> events = new CopyOnWriteArrayList<>();

    private Vault open() {
        return Vault.open(tmp.resolve("vault"), VaultConfig.ofDefaults(), TestClock.at("2026-01-01T00:00:00Z"), events::add);
    }

    @Test
    void verifyNamesTheCorruptCheckpoint() {
        try (Vault v = open()) {
            Checkpoint a = v.save(NewCheckpoint.of("primary", "v1", 1, Memories.utf8("{\"n\":1}")));
            Checkpoint b = v.save(NewCheckpoint.of("primary", "v1", 2, Memories.utf8("{\"n\":2}")));
            VaultTestHooks.corruptStoredBytes(v, b.id());

            assertThat(v.verify(a.id()).valid()).isTrue();
            VerifyResult bad = v.verify(b.id());
            assertThat(bad.valid()).isFalse();
            assertThat(bad.id()).isEqualTo(b.id());
            assertThat(bad.problem()).startsWith("checksum mismatch: stored " + b.checksum());
            assertThat(v.verifyAll()).extracting(VerifyResult::valid).containsExactly(true, false);
        }
    }

    @Test
    void latestValidFallsBackWhenNewestIsCorrupt() {
        try (Vault v = open()) {
            Checkpoint a = v.save(NewCheckpoint.of("primary", "v1", 1, Memories.utf8("{\"n\":1}")));
            Checkpoint b = v.save(NewCheckpoint.of("primary", "v1", 2, Memories.utf8("{\"n\":2}")));
            VaultTestHooks.corruptStoredBytes(v, b.id());

            CheckpointData latest = v.latestValid("primary").orElseThrow();
            assertThat(latest.id()).isEqualTo(a.id());
            assertThat(latest.memoryAsString()).isEqualTo("{\"n\":1}");
            assertThat(events).singleElement().isInstanceOfSatisfying(VaultEvent.CorruptCheckpoint.class, e -> {
                assertThat(e.id()).isEqualTo(b.id());
                assertThat(e.lineage()).isEqualTo("primary");
                assertThat(e.problem()).contains("checksum mismatch");
            });
        }
    }

    @Test
    void corruptionOfCompressedChunkedMemoryIsDetected() {
        try (Vault v = Vault.open(tmp.resolve("vault"), VaultConfig.ofDefaults().withChunkSize(64 * 1024),
                TestClock.at("2026-01-01T00:00:00Z"), events::add)) {
            Checkpoint a = v.save(NewCheckpoint.of("primary", "v1", 1, Memories.json(2_000_000, 1)));
            Checkpoint b = v.save(NewCheckpoint.of("primary", "v1", 2, Memories.json(2_000_000, 2)));
            assertThat(b.compression()).isEqualTo("lz4");
            VaultTestHooks.corruptStoredBytes(v, b.id());

            assertThat(v.verify(b.id()).valid()).isFalse();
            assertThat(v.latestValid("primary")).get().extracting(CheckpointData::id).isEqualTo(a.id());
        }
    }

    @Test
    void corruptionIsStillDetectedAfterReopening() {
        Checkpoint b;
        try (Vault v = open()) {
            v.save(NewCheckpoint.of("primary", "v1", 1, Memories.utf8("{\"n\":1}")));
            b = v.save(NewCheckpoint.of("primary", "v1", 2, Memories.utf8("{\"n\":2}")));
            VaultTestHooks.corruptStoredBytes(v, b.id());
        }
        try (Vault v = open()) {
            assertThatThrownBy(() -> v.read(b.id()))
                    .isInstanceOf(VaultException.class)
                    .hasMessageStartingWith("checkpoint ckpt-000002 is corrupt: checksum mismatch")
                    .extracting(e -> ((VaultException) e).reason()).isEqualTo(VaultException.Reason.CORRUPT);
        }
    }

    @Test
    void latestValidIsEmptyWhenEveryCheckpointIsCorrupt() {
        try (Vault v = open()) {
            Checkpoint a = v.save(NewCheckpoint.of("primary", "v1", 1, Memories.utf8("{\"n\":1}")));
            VaultTestHooks.corruptStoredBytes(v, a.id());
            assertThat(v.latestValid("primary")).isEmpty();
            assertThat(events).hasSize(1);
        }
    }

    @Test
    void corruptionInOneLineageDoesNotAffectAnother() {
        try (Vault v = open()) {
            Checkpoint primary = v.save(NewCheckpoint.of("primary", "v1", 1, Memories.utf8("{\"p\":1}")));
            Checkpoint shadow = v.save(NewCheckpoint.of("shadow", "v2", 1, Memories.utf8("{\"s\":1}")));
            VaultTestHooks.corruptStoredBytes(v, shadow.id());
            assertThat(v.latestValid("primary")).get().extracting(CheckpointData::id).isEqualTo(primary.id());
            assertThat(events).isEmpty();
        }
    }

    @Test
    void unreadableMetadataIsReportedAsCorruptAndSkipped() {
        Checkpoint a;
        Checkpoint b;
        try (Vault v = open()) {
            a = v.save(NewCheckpoint.of("primary", "v1", 1, Memories.utf8("{\"n\":1}")));
            b = v.save(NewCheckpoint.of("primary", "v1", 2, Memories.utf8("{\"n\":2}")));
            VaultTestHooks.corruptStoredMetadata(v, b.id());
        }
        try (Vault v = open()) {
            assertThat(v.list()).containsExactly(a);
            assertThat(v.latestValid("primary")).get().extracting(CheckpointData::id).isEqualTo(a.id());
            List<VerifyResult> all = v.verifyAll();
            assertThat(all).extracting(VerifyResult::valid).containsExactly(true, false);
            assertThat(all.get(1).id()).isEqualTo(b.id());
            assertThat(all.get(1).problem()).startsWith("metadata is unreadable");
            Checkpoint c = v.save(NewCheckpoint.of("primary", "v1", 3, Memories.utf8("{\"n\":3}")));
            assertThat(c.id()).isEqualTo(CheckpointId.of(3));
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "a one-bit flip in the header's {0} makes the checkpoint corrupt")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"walSeq", "lineage", "versionId", "parent"})
    void aOneBitFlipInAnyHeaderFieldIsCaught(String field) throws Exception {
        Checkpoint a;
        Checkpoint b;
        try (Vault v = open()) {
            a = v.save(NewCheckpoint.of("primary", "v1", 399, Memories.utf8("{\"n\":1}")));
            b = v.save(NewCheckpoint.of("primary", "v1", 399, Memories.utf8("{\"n\":2}")).withParent(a.id()));
        }
        Path file;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(tmp.resolve("vault"))) {
            file = files.filter(p -> p.getFileName().toString().equals(b.id() + ".ckpt")).findFirst().orElseThrow();
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"" + field + "\":") + field.length() + 3;
        // The first character of the value that is not a quote: one bit of it flipped (399 -> 799 for walSeq).
        while (bytes[at] == '"') {
            at++;
        }
        bytes[at] ^= 0x04;
        java.nio.file.Files.write(file, bytes);
        try (Vault v = open()) {
            assertThat(v.list()).as("the garbled checkpoint is not listed as valid").containsExactly(a);
            assertThat(v.latestValid("primary")).get().extracting(CheckpointData::id).isEqualTo(a.id());
            assertThat(v.verifyAll()).extracting(VerifyResult::valid).containsExactly(true, false);
            assertThat(v.verifyAll().get(1).problem()).contains("fails its checksum");
        }
    }
}
