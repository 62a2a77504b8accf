package dev.guardian.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Crash-only: a writer killed with SIGKILL at any moment loses nothing it had committed. */
class VaultCrashTest {
    private static final Logger LOG = LoggerFactory.getLogger(VaultCrashTest.class);
    private static final int KILLS = 22;

    @TempDir
    Path tmp;

    private record Committed(String checksum, long size) {
    }

    @Test
    void everyCommittedCheckpointSurvivesKillMinus9AtRandomMoments() throws Exception {
        long seed = Long.getLong("vault.crash.seed", System.nanoTime());
        LOG.info("VaultCrashTest seed {} (rerun with -Dvault.crash.seed={})", seed, seed);
        Random random = new Random(seed);
        Path dir = tmp.resolve("vault");
        Map<String, Committed> committed = new HashMap<>();
        int killedMidWrite = 0;

        for (int round = 0; round < KILLS; round++) {
            ChildJvm child = ChildJvm.start(tmp.resolve("child-tmp-" + round), CrashWriterMain.class,
                    dir.toString(), Long.toString(random.nextLong()));
            await("child ready (round " + round + ", seed " + seed + ")").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> child.count("READY") > 0 || !child.process.isAlive());
            assertThat(child.process.isAlive()).as("child alive, see %s", tmp.resolve("child-tmp-" + round)).isTrue();
            // The kill moment: after a random number of commits, plus a random jitter of up to 8 ms,
            // so that kills land before the first commit, inside compression, inside file writes, fsyncs and renames.
            int afterCommits = random.nextInt(12);
            await("child commits (seed " + seed + ")").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                    .until(() -> child.count("COMMITTED") >= afterCommits || !child.process.isAlive());
            TimeUnit.MICROSECONDS.sleep(random.nextInt(8000)); // jitter, not a wait for a condition
            child.process.destroyForcibly();
            child.awaitEnd();
            assertThat(child.process.exitValue()).as("killed by SIGKILL").isEqualTo(137);

            int before = committed.size();
            for (String line : child.lines) {
                String[] f = line.split(" ");
                if (f.length == 4 && f[0].equals("COMMITTED")) {
                    committed.put(f[1], new Committed(f[2], Long.parseLong(f[3])));
                }
            }
            killedMidWrite += committed.size() > before ? 1 : 0;
            LOG.info("round {}: killed after {} reported commits (+ jitter), {} committed in all",
                    round, afterCommits, committed.size());

            try (Vault vault = reopen(dir, round, seed)) {
                for (Map.Entry<String, Committed> e : committed.entrySet()) {
                    CheckpointData d = vault.read(CheckpointId.parse(e.getKey()));
                    assertThat(d.checkpoint().checksum()).as("%s after round %d, seed %d", e.getKey(), round, seed)
                            .isEqualTo(e.getValue().checksum());
                    assertThat(d.memory()).hasSize((int) e.getValue().size());
                }
                // A save that committed but was killed before printing may be there too; nothing is corrupt.
                assertThat(vault.verifyAll()).as("seed %d", seed).allMatch(VerifyResult::valid);
                assertThat(vault.list().size()).isBetween(committed.size(), committed.size() + round + 1);
            }
        }
        LOG.info("VaultCrashTest: {} kills, {} committed checkpoints verified, {} rounds committed something",
                KILLS, committed.size(), killedMidWrite);
        assertThat(committed.size()).as("seed %d", seed).isGreaterThan(KILLS);
    }

    private static Vault reopen(Path dir, int round, long seed) {
        try {
            return Vault.open(dir, VaultConfig.ofDefaults().withKeepLast(1_000_000));
        } catch (VaultException e) {
            throw new AssertionError("vault unreadable after kill -9 in round " + round + " (seed " + seed + "): "
                    + e.getMessage(), e);
        }
    }

    @Test
    void aVaultHeldByAnotherProcessIsUnavailableUntilItExits() throws Exception {
        Path dir = tmp.resolve("vault");
        try (Vault v = Vault.open(dir, VaultConfig.ofDefaults())) {
            v.save(NewCheckpoint.of("primary", "v1", 1, new byte[] {1}));
        }
        ChildJvm holder = ChildJvm.start(tmp.resolve("holder-tmp"), LockHolderMain.class, dir.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> holder.count("READY 1") > 0 || !holder.process.isAlive());
        assertThat(holder.process.isAlive()).isTrue();

        assertThatThrownBy(() -> Vault.openExisting(dir, VaultConfig.ofDefaults()))
                .isInstanceOf(VaultException.class)
                .hasMessageContaining(Vault.file(dir) + " is in use by another process (is a guardian daemon running")
                .extracting(e -> ((VaultException) e).reason()).isEqualTo(VaultException.Reason.UNAVAILABLE);

        holder.process.getOutputStream().close();
        holder.awaitEnd();
        assertThat(holder.process.exitValue()).isZero();
        try (Vault v = Vault.openExisting(dir, VaultConfig.ofDefaults())) {
            assertThat(v.list()).hasSize(1);
        }
    }
}
