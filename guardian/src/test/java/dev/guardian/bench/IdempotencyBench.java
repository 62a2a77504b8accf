package dev.guardian.bench;

import dev.guardian.daemon.idempotency.IdempotencyIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What {@code idempotency.window} costs: heap per key in memory, bytes per key in the journal, and
 * the time to load the journal at a start, for 100 000 and 1 000 000 keys (UUID keys, a 60-byte
 * answer each, as a small JSON API gives). The baseline, measured in the same run: a plain
 * {@code HashMap<String, Long>} of the same keys (the least any key → sequence map holds).
 *
 * <p>Run: {@code bench/idempotency.sh} (prints a Markdown table).
 */
public final class IdempotencyBench {

    private static final byte[] ANSWER = "{\"seq\":123456,\"id\":\"k\",\"ok\":true,\"payload\":{\"key\":\"apple\",\"count\":2}}"
            .getBytes(StandardCharsets.UTF_8);

    public static void main(String[] args) throws Exception {
        Path scratch = Path.of(args.length > 0 ? args[0] : "/tmp/idempotency-bench");
        System.out.println("| keys | heap per key, written | heap per key, loaded at a start | HashMap<String,Long> baseline | loaded / baseline | journal bytes per key | load at start | load per key |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int n : new int[] {100_000, 1_000_000}) {
            String[] keys = new String[n];
            for (int i = 0; i < n; i++) {
                keys[i] = UUID.randomUUID().toString();
            }
            long baseline = baselineBytes(keys);
            Path dir = Files.createDirectories(scratch.resolve("keys-" + n));
            long now = System.currentTimeMillis();
            IdempotencyIndex.Window window = new IdempotencyIndex.Window(Duration.ofHours(24), n);
            long before = usedHeap();
            String[] own = copies(keys); // the index's own key strings, as a daemon's come from requests
            IdempotencyIndex index = IdempotencyIndex.open(dir, window, now);
            for (int i = 0; i < n; i++) {
                long seq = 2L * i + 1;
                index.logged(own[i], seq, i + 1, now, null);
                index.answered(own[i], seq, seq + 1, ANSWER, null);
                if (i % 50_000 == 49_999) {
                    long covered = seq + 1;
                    index.flush(() -> covered, now);
                }
            }
            index.flush(() -> 2L * n, now);
            long heap = usedHeap() - before;
            long journal = index.journalBytes();
            index.close();
            own = null;
            long beforeLoad = usedHeap();
            long t0 = System.nanoTime();
            IdempotencyIndex reopened = IdempotencyIndex.open(dir, window, now);
            long loadNanos = System.nanoTime() - t0;
            long loadedHeap = usedHeap() - beforeLoad; // what a restarted daemon holds: keys and entries, no answers
            if (reopened.size() != n) {
                throw new AssertionError("reloaded " + reopened.size() + " keys, not " + n);
            }
            reopened.close();
            System.out.printf("| %,d | %d B | %d B | %d B | %.2f | %d B | %d ms | %.2f µs |%n", n, heap / n, loadedHeap / n,
                    baseline / n, (double) loadedHeap / baseline, journal / n, loadNanos / 1_000_000, loadNanos / 1000.0 / n);
            deleteTree(dir);
        }
    }

    private static long baselineBytes(String[] keys) {
        long before = usedHeap();
        Map<String, Long> map = new HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            map.put(new String(keys[i].toCharArray()), (long) i + 1_000_000);
        }
        long used = usedHeap() - before;
        if (map.size() != keys.length) {
            throw new AssertionError();
        }
        return used;
    }

    private static String[] copies(String[] keys) {
        String[] out = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = new String(keys[i].toCharArray());
        }
        return out;
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
