package dev.guardian.vault.bench;

import dev.guardian.vault.Checkpoint;
import dev.guardian.vault.CheckpointId;
import dev.guardian.vault.Memories;
import dev.guardian.vault.NewCheckpoint;
import dev.guardian.vault.Vault;
import dev.guardian.vault.VaultConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Checkpoint write+commit (durable: save returns after the file's fsync, rename and directory fsync) and read (verified:
 * checksum + LZ4 decompression) latency for 1 KB, 1 MB and 64 MB memories. Prints a Markdown table.
 * Run with {@code bench/vault.sh}; arguments: a scratch directory, optionally "quick".
 */
public final class VaultBench {

    private record Case(String name, int size, boolean random, int warmup, int iterations, int variants) {
    }

    private VaultBench() {
    }

    public static void main(String[] args) throws IOException {
        Path scratch = Path.of(args.length > 0 ? args[0] : "bench-results/vault-scratch");
        boolean quick = args.length > 1 && args[1].equals("quick");
        int f = quick ? 10 : 1;
        List<Case> cases = List.of(
                new Case("1 KB JSON", 1024, false, 500 / f, 3000 / f, 16),
                new Case("1 MB JSON", 1024 * 1024, false, 30 / f, 300 / f, 8),
                new Case("1 MB random (incompressible)", 1024 * 1024, true, 30 / f, 300 / f, 8),
                new Case("64 MB JSON", 64 * 1024 * 1024, false, 1, quick ? 2 : 6, 2));
        System.out.println("| memory | stored (compression) | n | write+commit p50 | write+commit p99 | read+verify p50 | read+verify p99 |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        for (Case c : cases) {
            run(scratch.resolve(c.name().replaceAll("[^A-Za-z0-9]+", "-")), c);
        }
        // What the disk itself costs in the same run: the floor under any durable write.
        fsyncBaseline(scratch, "1 KB", 1024, 300 / f);
        fsyncBaseline(scratch, "1 MB", 1024 * 1024, 100 / f);
    }

    private static void fsyncBaseline(Path scratch, String name, int size, int n) throws IOException {
        Files.createDirectories(scratch);
        Path file = scratch.resolve("fsync-baseline");
        byte[] data = Memories.random(size, 1);
        Histogram h = new Histogram(3_600_000_000L, 3);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < n + n / 10; i++) {
                long t0 = System.nanoTime();
                ch.write(ByteBuffer.wrap(data));
                ch.force(false);
                long t1 = System.nanoTime();
                if (i >= n / 10) {
                    h.recordValue((t1 - t0) / 1000);
                }
            }
        }
        Files.delete(file);
        System.out.printf(Locale.ROOT, "| baseline: append %s to a file + fsync (no vault) | - | %d | %s | %s | - | - |%n",
                name, h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)));
    }

    private static void run(Path dir, Case c) throws IOException {
        deleteRecursively(dir);
        List<byte[]> memories = new ArrayList<>();
        for (int i = 0; i < c.variants(); i++) {
            memories.add(c.random() ? Memories.random(c.size(), i) : Memories.json(c.size(), i));
        }
        Histogram write = new Histogram(3_600_000_000L, 3);
        Histogram read = new Histogram(3_600_000_000L, 3);
        Random random = new Random(42);
        Checkpoint last = null;
        List<CheckpointId> recent = new ArrayList<>();
        // Default config: retention keeps the last 10, so pruning is part of the steady-state commit.
        try (Vault vault = Vault.open(dir, VaultConfig.ofDefaults())) {
            for (int i = 0; i < c.warmup() + c.iterations(); i++) {
                byte[] memory = memories.get(i % memories.size());
                long t0 = System.nanoTime();
                last = vault.save(NewCheckpoint.of("primary", "v1", i, memory));
                long t1 = System.nanoTime();
                recent.add(last.id());
                if (recent.size() > 10) {
                    recent.remove(0);
                }
                CheckpointId id = recent.get(random.nextInt(recent.size()));
                long t2 = System.nanoTime();
                byte[] back = vault.read(id).memory();
                long t3 = System.nanoTime();
                if (back.length != c.size() && !c.random() && Math.abs(back.length - c.size()) > 256) {
                    throw new IllegalStateException("read " + back.length + " bytes");
                }
                if (i >= c.warmup()) {
                    write.recordValue((t1 - t0) / 1000);
                    read.recordValue((t3 - t2) / 1000);
                }
            }
        }
        long actual = memories.get(0).length;
        System.out.printf(Locale.ROOT, "| %s (%s B) | %s B (%s) | %d | %s | %s | %s | %s |%n",
                c.name(), actual, last.storedSize(), last.compression(), write.getTotalCount(),
                ms(write.getValueAtPercentile(50)), ms(write.getValueAtPercentile(99)),
                ms(read.getValueAtPercentile(50)), ms(read.getValueAtPercentile(99)));
        deleteRecursively(dir);
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
