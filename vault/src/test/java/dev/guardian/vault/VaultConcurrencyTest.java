package dev.guardian.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers of several lineages and readers at once: every read is a verified, committed checkpoint. */
class VaultConcurrencyTest {
    @TempDir
    Path tmp;

    @Test
    void concurrentSavesAndReadsOfSeveralLineagesStayConsistent() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (Vault v = Vault.open(tmp.resolve("vault"), VaultConfig.ofDefaults().withKeepLast(5))) {
            ConcurrentHashMap<CheckpointId, String> saved = new ConcurrentHashMap<>();
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                String lineage = "lineage-" + w;
                int seed = w;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        byte[] memory = Memories.json(i % 5 == 0 ? 150_000 : 2_000, seed * 1000L + i);
                        Checkpoint c = v.save(NewCheckpoint.of(lineage, "v1", i, memory));
                        saved.put(c.id(), c.checksum());
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 3; r++) {
                String lineage = "lineage-" + r;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 60; i++) {
                        v.latestValid(lineage).ifPresent(d ->
                                assertThat(d.checkpoint().lineage()).isEqualTo(lineage));
                        for (Checkpoint c : v.list(lineage)) {
                            try {
                                assertThat(v.read(c.id()).checkpoint().checksum()).isEqualTo(c.checksum());
                            } catch (VaultException e) {
                                // pruned between list and read: the only acceptable failure
                                assertThat(e.reason()).isEqualTo(VaultException.Reason.NOT_FOUND);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
            assertThat(saved).hasSize(120);
            assertThat(v.list()).hasSize(15);
            assertThat(v.verifyAll()).allMatch(VerifyResult::valid);
            for (Checkpoint c : v.list()) {
                assertThat(c.checksum()).isEqualTo(saved.get(c.id()));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
