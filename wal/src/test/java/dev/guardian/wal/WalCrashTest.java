package dev.guardian.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGKILL a writer at random moments, then check the log: every acknowledged record is there,
 * intact and in order; nothing torn is ever returned; sequences continue after each crash.
 *
 * <p>For ASYNC an acknowledgement only means "in the OS page cache", which a process kill cannot
 * lose, so the same check applies; what ASYNC cannot promise (an OS crash or power loss) is not
 * something this test can produce.
 */
class WalCrashTest {
    private static final Logger log = LoggerFactory.getLogger(WalCrashTest.class);
    private static final int KILLS_PER_MODE = 8;

    @TempDir
    Path tmp;

    /** What the child said it had acknowledged: seq → (thread, counter). */
    private final Map<Long, long[]> acked = new ConcurrentHashMap<>();

    @ParameterizedTest
    @EnumSource(Durability.class)
    void everyAcknowledgedRecordSurvivesSigkill(Durability mode) throws Exception {
        long seed = Long.getLong("wal.crash.seed", System.nanoTime());
        log.info("crash test {}: seed {} (rerun with -Dwal.crash.seed={})", mode, seed, seed);
        Random random = new Random(seed);
        Path dir = tmp.resolve("wal");
        long expectedLast = 0;
        for (int kill = 1; kill <= KILLS_PER_MODE; kill++) {
            int threads = mode == Durability.GROUP ? 4 : 1 + random.nextInt(2);
            int killAfter = 1 + random.nextInt(mode == Durability.SYNC ? 400 : 3000);
            RunResult run = runAndKill(dir, mode, threads, killAfter, kill);
            assertThat(run.readySeq).as("child %d reopened at the last complete record", kill).isEqualTo(expectedLast);
            expectedLast = verify(dir, mode, kill);
            log.info("{} kill {}: {} threads, killed after {} acks in this run; log holds 1..{}, {} acked in total",
                    mode, kill, threads, run.ackedThisRun, expectedLast, acked.size());
        }
    }

    @org.junit.jupiter.api.Test
    void aHalfWrittenRecordIsNeverReturnedAndAppendsContinueAfterIt() throws Exception {
        Path dir = tmp.resolve("wal");
        try (Wal wal = Wal.open(dir, WalConfig.ofDefaults().withDurability(Durability.SYNC))) {
            for (int i = 0; i < 3; i++) {
                wal.append("request", "t0", "", CrashChild.payload(0, i));
            }
        }
        List<String> cmd = javaCommand(TornWriteChild.class.getName(), dir.toString());
        Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("torn.err").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(Files.readString(tmp.resolve("torn.err"))).contains("HALF-WRITTEN");

        try (WalReader r = Wal.openReadOnly(dir); WalCursor c = r.read(1)) {
            assertThat(c.next().sequence()).isEqualTo(1);
            assertThat(c.next().sequence()).isEqualTo(2);
            assertThat(c.next().sequence()).isEqualTo(3);
            assertThat(c.next()).as("the half-written document is invisible").isNull();
        }
        long t0 = System.nanoTime();
        try (Wal wal = Wal.open(dir, WalConfig.ofDefaults().withDurability(Durability.SYNC))) {
            assertThat(wal.lastSequence()).isEqualTo(3);
            assertThat(wal.append("request", "t0", "", CrashChild.payload(0, 3)).sequence()).isEqualTo(4);
        }
        log.info("reopen + first append after a half-written document took {} ms", (System.nanoTime() - t0) / 1_000_000);
        try (WalReader r = Wal.openReadOnly(dir); WalCursor c = r.read(1)) {
            for (long i = 1; i <= 4; i++) {
                WalRecord rec = c.next();
                assertThat(rec.sequence()).isEqualTo(i);
                assertThat(rec.payload()).isEqualTo(CrashChild.payload(0, i - 1));
            }
            assertThat(c.next()).isNull();
            assertThat(c.corruptSkipped()).isZero();
        }
    }

    private List<String> javaCommand(String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("chronicle.jvm.flags", "").trim().split("\\s+")));
        cmd.add("-Xmx128m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Djava.io.tmpdir=" + Files.createDirectories(tmp.resolve("child-tmp")));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    private record RunResult(long readySeq, long ackedThisRun) {
    }

    private RunResult runAndKill(Path dir, Durability mode, int threads, int killAfter, int kill) throws Exception {
        List<String> cmd = javaCommand(CrashChild.class.getName(), dir.toString(), mode.name(), Integer.toString(threads));
        Path err = tmp.resolve("child-" + mode + "-" + kill + ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        AtomicLong ready = new AtomicLong(-1);
        AtomicLong count = new AtomicLong();
        Thread reader = new Thread(() -> readLines(p.getInputStream(), ready, count), "crash-child-reader");
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                    .failFast("child exited early: " + err, () -> !p.isAlive())
                    .until(() -> count.get() >= killAfter);
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(30));
        }
        return new RunResult(ready.get(), count.get());
    }

    /** Only complete lines count: a line the kill cut short was never a full acknowledgement. */
    private void readLines(InputStream in, AtomicLong ready, AtomicLong count) {
        StringBuilder line = new StringBuilder();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    char ch = (char) buf[i];
                    if (ch != '\n') {
                        line.append(ch);
                        continue;
                    }
                    String[] f = line.toString().split(" ");
                    line.setLength(0);
                    if (f[0].equals("READY")) {
                        ready.set(Long.parseLong(f[1]));
                    } else if (f[0].equals("A")) {
                        acked.put(Long.parseLong(f[1]), new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
                        count.incrementAndGet();
                    }
                }
            }
        } catch (IOException e) {
            // the child died: the pipe is gone
        }
    }

    /** Returns the last sequence in the log. */
    private long verify(Path dir, Durability mode, int kill) {
        Map<Long, WalRecord> bySeq = new HashMap<>();
        long expected = 1;
        try (WalReader r = Wal.openReadOnly(dir); WalCursor c = r.read(1)) {
            for (WalRecord rec = c.next(); rec != null; rec = c.next()) {
                assertThat(rec.sequence()).as("%s kill %d: records are gapless and in order", mode, kill).isEqualTo(expected);
                // every record present is well-formed and matches its writer's deterministic payload
                String p = new String(rec.payload(), StandardCharsets.UTF_8);
                int thread = Integer.parseInt(p.substring(1, p.indexOf('-')));
                long counter = Long.parseLong(p.substring(p.indexOf("-c") + 2, p.indexOf('-', p.indexOf("-c") + 2)));
                assertThat(rec.payload()).isEqualTo(CrashChild.payload(thread, counter));
                assertThat(rec.instance()).isEqualTo("t" + thread);
                bySeq.put(rec.sequence(), rec);
                expected++;
            }
            assertThat(c.corruptSkipped()).as("no torn or corrupt record was met").isZero();
        }
        for (Map.Entry<Long, long[]> a : acked.entrySet()) {
            WalRecord rec = bySeq.get(a.getKey());
            assertThat(rec).as("%s kill %d: acknowledged record %d is in the log", mode, kill, a.getKey()).isNotNull();
            assertThat(rec.payload()).isEqualTo(CrashChild.payload((int) a.getValue()[0], a.getValue()[1]));
        }
        return expected - 1;
    }
}
