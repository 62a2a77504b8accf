package dev.guardian.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A read-only view beside a writer that holds the vault: the CLI's view of a running daemon's vault. */
class VaultReadOnlyTest {

    @TempDir
    Path dir;

    @Test
    void readsWhatTheWriterCommittedBesideItAndChangesNothing() throws Exception {
        try (Vault writer = Vault.open(dir, VaultConfig.ofDefaults())) {
            Checkpoint a = writer.save(NewCheckpoint.of("primary", "v1", 10, "{\"n\":1}".getBytes(StandardCharsets.UTF_8)));
            writer.save(NewCheckpoint.of("primary", "v1", 20, "{\"n\":2}".getBytes(StandardCharsets.UTF_8)));
            Path leftover = dir.resolve("checkpoints").resolve(".tmp-ckpt-000099.ckpt-abc");
            Files.writeString(leftover, "half a write");

            try (Vault reader = Vault.openReadOnly(dir, VaultConfig.ofDefaults())) {
                assertThat(reader.list("primary")).extracting(Checkpoint::walSeq).containsExactly(10L, 20L);
                assertThat(reader.latestValid("primary").orElseThrow().memoryAsString()).isEqualTo("{\"n\":2}");
                assertThat(reader.read(a.id()).memoryAsString()).isEqualTo("{\"n\":1}");
                assertThatThrownBy(() -> reader.setPinned(a.id(), true)).isInstanceOf(VaultException.class)
                        .hasMessageContaining("is open read-only");
                assertThatThrownBy(() -> reader.save(NewCheckpoint.of("primary", "v1", 30, new byte[] {1})))
                        .hasMessageContaining("is open read-only");
                assertThatThrownBy(() -> reader.prune()).hasMessageContaining("is open read-only");
            }
            assertThat(leftover).as("a reader deletes nothing, not even a writer's temp file").exists();
            // The writer is unaffected by the reader coming and going.
            assertThat(writer.setPinned(a.id(), true).pinned()).isTrue();
        }
    }

    /**
     * The race of a reader beside a daemon that prunes: the reader lists {@code ckpt-N.ckpt}, the
     * writer deletes it, the reader opens it. A dangling link stands for that file: listed, and gone
     * when opened, every time.
     */
    @Test
    void aCheckpointPrunedBetweenListingAndReadingIsGoneNotUnreadable() throws Exception {
        try (Vault writer = Vault.open(dir, VaultConfig.ofDefaults())) {
            writer.save(NewCheckpoint.of("primary", "v1", 10, "{\"n\":1}".getBytes(StandardCharsets.UTF_8)));
            writer.save(NewCheckpoint.of("primary", "v1", 20, "{\"n\":2}".getBytes(StandardCharsets.UTF_8)));
            Path checkpoints = dir.resolve("checkpoints");
            Files.createSymbolicLink(checkpoints.resolve("ckpt-000009.ckpt"), checkpoints.resolve("pruned-meanwhile"));
            Files.createSymbolicLink(checkpoints.resolve("ckpt-000009.meta.json"), checkpoints.resolve("pruned-meanwhile-too"));

            try (Vault reader = Vault.openReadOnly(dir, VaultConfig.ofDefaults())) {
                assertThat(reader.list("primary")).extracting(Checkpoint::walSeq).containsExactly(10L, 20L);
                assertThat(reader.verifyAll()).as("nothing unreadable (what the warning counts)")
                        .allSatisfy(r -> assertThat(r.valid()).isTrue()).hasSize(2);
                assertThatThrownBy(() -> reader.read(CheckpointId.of(9))).isInstanceOf(VaultException.class)
                        .satisfies(e -> assertThat(((VaultException) e).reason()).isEqualTo(VaultException.Reason.NOT_FOUND));
            }
        }
    }

    @Test
    void aSidecarMissingBesideItsCheckpointIsStillReportedToAReader() throws Exception {
        try (Vault writer = Vault.open(dir, VaultConfig.ofDefaults())) {
            Checkpoint a = writer.save(NewCheckpoint.of("primary", "v1", 10, "{\"n\":1}".getBytes(StandardCharsets.UTF_8)));
            Path checkpoints = dir.resolve("checkpoints");
            Files.createSymbolicLink(checkpoints.resolve(a.id() + ".meta.json"), checkpoints.resolve("nowhere"));

            try (Vault reader = Vault.openReadOnly(dir, VaultConfig.ofDefaults())) {
                assertThat(reader.verifyAll()).singleElement().satisfies(r -> {
                    assertThat(r.valid()).isFalse();
                    assertThat(r.problem()).contains("sidecar");
                });
            }
        }
    }

    @Test
    void aDirectoryWithoutAVaultIsRefusedAndLeftAlone() {
        assertThatThrownBy(() -> Vault.openReadOnly(dir.resolve("nothing"), VaultConfig.ofDefaults()))
                .isInstanceOf(VaultException.class).hasMessageContaining("no vault in");
        assertThat(dir.resolve("nothing")).doesNotExist();
    }
}
