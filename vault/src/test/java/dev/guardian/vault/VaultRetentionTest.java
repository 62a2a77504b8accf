package dev.guardian.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guardian.vault.event.VaultEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultRetentionTest {
    @TempDir
    Path tmp;

    private final List<VaultEvent> events = new CopyOnWriteArrayList<>();

    private Vault open(VaultConfig config) {
        return Vault.open(tmp.resolve("vault"), config, TestClock.at("2026-01-01T00:00:00Z"), events::add);
    }

    private static List<Long> seqs(List<Checkpoint> cs) {
        return cs.stream().map(c -> c.id().seq()).toList();
    }

    @Test
    void keepsTheLastNPerLineageOnSave() {
        try (Vault v = open(VaultConfig.ofDefaults().withKeepLast(3))) {
            for (int i = 1; i <= 6; i++) {
                v.save(NewCheckpoint.of("primary", "v1", i, new byte[] {(byte) i}));
            }
            assertThat(seqs(v.list("primary"))).containsExactly(4L, 5L, 6L);
            assertThat(events).filteredOn(e -> e instanceof VaultEvent.CheckpointPruned).hasSize(3);
        }
    }

    @Test
    void retentionKeepsPinnedAndKnownGood() {
        try (Vault v = open(VaultConfig.ofDefaults().withKeepLast(2))) {
            Checkpoint knownGood = v.save(NewCheckpoint.of("primary", "v1", 1, new byte[] {1}).withTags(Tag.KNOWN_GOOD));
            Checkpoint pinned = v.save(NewCheckpoint.of("primary", "v1", 2, new byte[] {2}));
            v.setPinned(pinned.id(), true);
            v.save(NewCheckpoint.of("primary", "v1", 3, new byte[] {3}).withTags(Tag.PRE_DEPLOY));
            for (int i = 4; i <= 8; i++) {
                v.save(NewCheckpoint.of("primary", "v1", i, new byte[] {(byte) i}));
            }
            assertThat(seqs(v.list("primary"))).containsExactly(1L, 2L, 7L, 8L);
            assertThat(v.read(knownGood.id()).memory()).containsExactly(1);
            assertThat(v.read(pinned.id()).memory()).containsExactly(2);
        }
    }

    @Test
    void eachLineageIsRetainedSeparately() {
        try (Vault v = open(VaultConfig.ofDefaults().withKeepLast(2))) {
            List<Checkpoint> primary = new ArrayList<>();
            primary.add(v.save(NewCheckpoint.of("primary", "v1", 1, new byte[] {1})));
            primary.add(v.save(NewCheckpoint.of("primary", "v1", 2, new byte[] {2})));
            for (int i = 0; i < 5; i++) {
                v.save(NewCheckpoint.of("shadow-v2", "v2", i, new byte[] {9}));
            }
            assertThat(v.list("primary")).containsExactlyElementsOf(primary);
            assertThat(v.list("shadow-v2")).hasSize(2);
        }
    }

    @Test
    void explicitPruneAppliesRetentionWhenSavesDoNot() {
        try (Vault v = open(VaultConfig.ofDefaults().withKeepLast(2).withPruneOnSave(false))) {
            for (int i = 1; i <= 5; i++) {
                v.save(NewCheckpoint.of("primary", "v1", i, Memories.json(200_000, i)));
            }
            v.addTag(CheckpointId.of(1), Tag.KNOWN_GOOD);
            assertThat(v.list()).hasSize(5);
            assertThat(v.prune()).extracting(CheckpointId::seq).containsExactly(2L, 3L);
            assertThat(seqs(v.list())).containsExactly(1L, 4L, 5L);
            assertThat(v.verifyAll()).allMatch(VerifyResult::valid);
        }
    }
}
