package dev.guardian.vault;

import java.nio.file.Path;
import java.util.Random;

/**
 * Child process of {@link VaultCrashTest}: saves checkpoints in a loop and, only after each save
 * has returned (its commit is durable), prints {@code COMMITTED id checksum size}. It is killed
 * with SIGKILL at a random moment.
 */
public final class CrashWriterMain {
    private CrashWriterMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        VaultConfig config = VaultConfig.ofDefaults().withKeepLast(1_000_000).withChunkSize(64 * 1024)
                .withCompressThreshold(16 * 1024);
        try (Vault vault = Vault.open(dir, config)) {
            System.out.println("READY");
            System.out.flush();
            for (long i = 0; ; i++) {
                byte[] memory = switch (random.nextInt(3)) {
                    case 0 -> Memories.json(200 + random.nextInt(4000), random.nextLong());
                    case 1 -> Memories.json(50_000 + random.nextInt(250_000), random.nextLong());
                    default -> Memories.random(10_000 + random.nextInt(150_000), random.nextLong());
                };
                String lineage = random.nextBoolean() ? "primary" : "shadow-v2";
                Checkpoint c = vault.save(NewCheckpoint.of(lineage, "v1", i, memory));
                System.out.println("COMMITTED " + c.id() + " " + c.checksum() + " " + c.size());
                System.out.flush();
            }
        }
    }
}
