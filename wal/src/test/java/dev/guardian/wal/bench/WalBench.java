package dev.guardian.wal.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.guardian.wal.AppendTicket;
import dev.guardian.wal.Durability;
import dev.guardian.wal.Wal;
import dev.guardian.wal.WalConfig;
import dev.guardian.wal.WalCursor;
import dev.guardian.wal.WalMetrics;
import dev.guardian.wal.WalReader;
import dev.guardian.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * WAL benchmark: append latency and throughput for async, sync and group commit, and replay rate.
 * Run with {@code bench/wal.sh}; prints a Markdown table. Args: [work dir] (default: a temp dir).
 *
 * <p>Latency is measured around each {@code append} call (and, for group, from the call until the
 * ticket completes: the "durable" latency a client waits). Payload: 128 bytes of JSON-like text.
 */
public final class WalBench {
    private static final byte[] PAYLOAD = ("{\"id\":\"req-000000\",\"method\":\"chat\",\"params\":{\"text\":\""
            + "x".repeat(80) + "\"}}").substring(0, 128).getBytes(UTF_8);
    private static final List<String[]> rows = new ArrayList<>();
    /** {@code -Dwal.bench.scale=0.1} for a quick smoke run; figures for BENCHMARKS.md use 1. */
    private static final double SCALE = Double.parseDouble(System.getProperty("wal.bench.scale", "1"));

    /** Offered rates of the open-loop group cases, records/s ({@code -Dwal.bench.rates=50000,75000}). */
    private static final String RATES = System.getProperty("wal.bench.rates", "50000,75000");
    /**
     * Group configurations of the open-loop cases, {@code forcers:maxDelayMicros[:maxBatch]} separated by commas
     * ({@code -Dwal.bench.groupConfigs=1:0,4:200}); empty: the defaults only.
     */
    private static final String GROUP_CONFIGS = System.getProperty("wal.bench.groupConfigs", "");
    private static final List<String> summary = new ArrayList<>();

    private WalBench() {
    }

    public static void main(String[] args) throws Exception {
        Path base = args.length > 0 ? Files.createDirectories(Path.of(args[0])) : Files.createTempDirectory("walbench");
        long started = System.nanoTime();
        if ("open".equals(System.getProperty("wal.bench.only"))) {
            // The open-loop cases only, bracketed by a 1-thread sync run before and after (the baseline of "added p99").
            try {
                openLoopSuite(base);
                printRows();
                printSummary();
            } finally {
                delete(base);
            }
            return;
        }
        String window = System.getProperty("wal.bench.groupWindow");
        if (window != null) {
            // One case only: group commit (defaults, sync 1-thread as the reference) with N in flight per thread.
            try {
                sync(base.resolve("sync1"), 1, scaled(4));
                groupPipelined(base.resolve("groupPipe"), config(Durability.GROUP), 4, Integer.parseInt(window), scaled(6));
                printRows();
            } finally {
                delete(base);
            }
            return;
        }
        try {
            long written = async(base.resolve("async"));
            replay(base.resolve("async"), written);
            double sync1 = sync(base.resolve("sync1"), 1, scaled(4));
            long sync1p99 = lastP99;
            double sync16 = sync(base.resolve("sync16"), 16, scaled(4));
            double groupBlocking = groupBlocking(base.resolve("group16"), 16, scaled(5));
            double groupPipelined = groupPipelined(base.resolve("groupPipe"), config(Durability.GROUP), 4, 64, scaled(6));
            long groupP99 = lastP99;
            groupPipelined(base.resolve("groupPipe0"), config(Durability.GROUP).withGroup(256, Duration.ZERO), 4, 64, scaled(6));
            openLoopSuite(base);
            printRows();
            printSummary();
            System.out.println();
            WalConfig d = WalConfig.ofDefaults();
            System.out.printf(Locale.ROOT, "Group commit with defaults (maxBatch %d, maxDelay %d µs, %d forcers), 4 threads x 64 in flight: "
                    + "%s durable records/s, append→durable p99 %s µs, i.e. %s µs above the p99 of one sync append (%s µs) in this run.%n",
                    d.groupMaxBatch(), d.groupMaxDelay().toNanos() / 1000, d.groupForcers(), fmt(groupPipelined), us(groupP99),
                    us(groupP99 - sync1p99), us(sync1p99));
            System.out.printf(Locale.ROOT, "Group/sync throughput ratio (same run): pipelined group vs 1-thread sync %.0fx; "
                    + "vs 16-thread sync %.1fx; with 16 blocking threads, group vs sync %.1fx.%n",
                    groupPipelined / sync1, groupPipelined / sync16, groupBlocking / sync16);
            System.out.printf(Locale.ROOT, "benchmark wall time: %.0f s%n", (System.nanoTime() - started) / 1e9);
        } finally {
            delete(base);
        }
    }

    /** 1-thread sync (the baseline), the open-loop group cases, 1-thread sync again: all in one run. */
    private static void openLoopSuite(Path base) throws InterruptedException {
        SyncRun before = syncWithForces(base.resolve("syncOpenA"), scaled(4));
        List<WalConfig> configs = new ArrayList<>();
        if (GROUP_CONFIGS.isBlank()) {
            configs.add(config(Durability.GROUP));
        } else {
            for (String c : GROUP_CONFIGS.split(",")) {
                if (c.trim().equals("async")) {
                    // The same open loop with no force at all: the producer's own scheduling jitter on this machine.
                    configs.add(config(Durability.ASYNC));
                    continue;
                }
                String[] f = c.trim().split(":");
                WalConfig cfg = config(Durability.GROUP).withGroupForcers(Integer.parseInt(f[0]));
                int batch = f.length > 2 ? Integer.parseInt(f[2]) : cfg.groupMaxBatch();
                configs.add(cfg.withGroup(batch, Duration.ofNanos(Long.parseLong(f[1]) * 1_000)));
            }
        }
        List<OpenRun> runs = new ArrayList<>();
        int k = 0;
        for (String r : RATES.split(",")) {
            for (WalConfig cfg : configs) {
                runs.add(openLoop(base.resolve("open" + k++), cfg, Integer.parseInt(r.trim()), scaled(6)));
            }
        }
        SyncRun after = syncWithForces(base.resolve("syncOpenB"), scaled(4));
        long baseP99 = Math.max(before.p99, after.p99);
        summary.add(String.format(Locale.ROOT, "Baseline, 1-thread sync append in this run: p99 %s µs before the open-loop cases, %s µs after "
                + "(%s /s, %s /s); \"added p99\" below is over the larger, %s µs.", us(before.p99), us(after.p99), fmt(before.rate),
                fmt(after.rate), us(baseP99)));
        double syncRate = Math.max(before.rate, after.rate);
        for (OpenRun o : runs) {
            if (o.label.startsWith("(async")) {
                summary.add(String.format(Locale.ROOT, "Open loop %s offered %s /s: p99 from scheduled start to append return %s µs "
                        + "(nothing waits for the disk: this is the producer's scheduling jitter on this machine); CPU steal %s",
                        o.label, fmt(o.offered), us(o.p99), steal(o.stealShare)));
                continue;
            }
            boolean met = o.achieved >= 50_000 && o.p99 - baseP99 <= 2_000_000;
            summary.add(String.format(Locale.ROOT, "Open loop %s offered %s /s: %s durable/s (%.0fx the better 1-thread sync rate), "
                    + "p99 %s µs = %s µs added; forces %s /s of %.1f records, force p50/p99 %s/%s µs, queued p99 %s µs; CPU steal %s -> %s",
                    o.label, fmt(o.offered), fmt(o.achieved), o.achieved / syncRate, us(o.p99), us(o.p99 - baseP99),
                    fmt(o.forcesPerSecond), o.recordsPerForce, us(o.forceP50), us(o.forceP99), us(o.queuedP99),
                    steal(o.stealShare), met ? "TARGET MET" : "target not met"));
        }
    }

    private static String steal(double share) {
        return share < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f %% of the 2 vCPUs' time (the host pausing the VM)", 100 * share);
    }

    private record SyncRun(double rate, long p99) {
    }

    /** 1-thread closed-loop sync appends, plus the distribution of the forces (fdatasync) they made. */
    private static SyncRun syncWithForces(Path dir, Duration d) throws InterruptedException {
        Recorder forces = new Recorder(3);
        Recorder rec = new Recorder(3);
        WalMetrics m = (mode, records, queued, force, complete) -> forces.recordValue(force);
        long n = 0;
        long t0;
        long t1;
        try (Wal wal = Wal.open(dir, config(Durability.SYNC), Clock.systemUTC(), m)) {
            for (int i = 0; i < 200; i++) {
                wal.append("request", "inst-1", "v1", PAYLOAD);
            }
            forces.reset();
            t0 = System.nanoTime();
            long end = t0 + d.toNanos();
            long s = t0;
            while (s < end) {
                wal.append("request", "inst-1", "v1", PAYLOAD);
                long e = System.nanoTime();
                rec.recordValue(e - s);
                n++;
                s = e;
            }
            t1 = System.nanoTime();
        }
        double rate = n / ((t1 - t0) / 1e9);
        Histogram h = rec.getIntervalHistogram();
        row("sync append (durable on return), baseline for the open-loop cases", "1", h, rate);
        row("… its forces (fdatasync of the cycle file)", "1", forces.getIntervalHistogram(), Double.NaN);
        return new SyncRun(rate, h.getValueAtPercentile(99));
    }

    private record OpenRun(String label, double offered, double achieved, long p99, long forceP50, long forceP99, long queuedP99,
                           double forcesPerSecond, double recordsPerForce, double stealShare) {
    }

    /**
     * The machine's CPU steal time so far, in ms (/proc/stat, all CPUs; USER_HZ 100), or -1 where there is no
     * such file. On this microVM the host pauses every vCPU when the VM's CPU quota for the period is spent,
     * flushes included (bench/vm_stalls.py); the guest counts that as steal, so each case reports its share.
     */
    private static long stealMillis() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return f.length > 8 ? Long.parseLong(f[8]) * 10 : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Open loop: one producer offers {@code rate} appends/s on a fixed schedule whatever the log does; each
     * record's latency runs from its scheduled start (not from when the producer got round to it) to the
     * completion of its ticket, so a stall counts for every record scheduled during it (no coordinated omission).
     * The producer parks until the next scheduled start and then appends every record that is due.
     */
    private static OpenRun openLoop(Path dir, WalConfig cfg, int rate, Duration d) throws InterruptedException {
        Recorder durable = new Recorder(3);
        Recorder forces = new Recorder(3);
        Recorder queued = new Recorder(3);
        Recorder completing = new Recorder(3);
        Histogram call = new Histogram(3);
        Histogram late = new Histogram(3);
        AtomicLong forceCount = new AtomicLong();
        AtomicLong forcedRecords = new AtomicLong();
        AtomicLong completed = new AtomicLong();
        AtomicLong lastDone = new AtomicLong(Long.MIN_VALUE);
        AtomicBoolean measuring = new AtomicBoolean();
        WalMetrics m = (mode, records, q, force, complete) -> {
            if (measuring.get()) {
                forces.recordValue(force);
                queued.recordValue(q);
                completing.recordValue(complete);
                forceCount.incrementAndGet();
                forcedRecords.addAndGet(records);
            }
        };
        long warm = 1_000_000_000L;
        long interval = 1_000_000_000L / rate;
        long total = (warm + d.toNanos()) / interval;
        long measuredFrom = warm / interval;
        long[] window = new long[2];
        long stealAtStart = -1;
        long stealAtEnd = -1;
        try (Wal wal = Wal.open(dir, cfg, Clock.systemUTC(), m)) {
            long start = System.nanoTime() + 1_000_000;
            long i = 0;
            while (i < total) {
                long now = System.nanoTime();
                long due = start + i * interval;
                if (due > now) {
                    LockSupport.parkNanos(due - now);
                    continue;
                }
                if (i == measuredFrom) {
                    stealAtStart = stealMillis();
                    call.reset();
                    late.reset();
                    durable.reset();
                    forces.reset();
                    queued.reset();
                    completing.reset();
                    measuring.set(true);
                    window[0] = due;
                }
                boolean measured = i >= measuredFrom;
                AppendTicket t = wal.append("request", "inst-1", "v1", PAYLOAD);
                if (measured) {
                    long end = System.nanoTime();
                    call.recordValue(end - now);
                    late.recordValue(now - due);
                }
                t.durable().thenRun(() -> {
                    if (measured) {
                        long done = System.nanoTime();
                        durable.recordValue(done - due);
                        lastDone.accumulateAndGet(done, Math::max);
                        completed.incrementAndGet();
                    }
                });
                i++;
            }
            window[1] = start + total * interval;
            measuring.set(false);
            stealAtEnd = stealMillis();
            while (completed.get() < total - measuredFrom) {
                LockSupport.parkNanos(100_000);
            }
        }
        // Every measured record was offered within the window; the durable rate counts until the last one was durable
        // (if the producer or the log fell behind, that is later than the end of the window).
        double achieved = completed.get() / ((Math.max(lastDone.get(), window[1]) - window[0]) / 1e9);
        double seconds = (window[1] - window[0]) / 1e9;
        Histogram h = durable.getIntervalHistogram();
        Histogram f = forces.getIntervalHistogram();
        Histogram q = queued.getIntervalHistogram();
        String label = cfg.durability() == Durability.ASYNC ? "(async: no force, the producer's own jitter)"
                : String.format(Locale.ROOT, "(%d forcers, maxDelay %d µs, maxBatch %d)", cfg.groupForcers(),
                        cfg.groupMaxDelay().toNanos() / 1_000, cfg.groupMaxBatch());
        String name = (cfg.durability() == Durability.ASYNC ? "async" : "group") + " open loop " + label + ", " + fmt(rate)
                + "/s offered: ";
        row(name + "scheduled start→durable", "1", h, achieved);
        row(name + "producer behind schedule when it called append", "", late, Double.NaN);
        row(name + "append call", "", call, Double.NaN);
        row(name + "forces", "", f, forceCount.get() / seconds);
        row(name + "oldest record's wait before its force", "", q, Double.NaN);
        row(name + "completing a batch's tickets", "", completing.getIntervalHistogram(), Double.NaN);
        return new OpenRun(label, rate, achieved, h.getValueAtPercentile(99), f.getValueAtPercentile(50), f.getValueAtPercentile(99),
                q.getValueAtPercentile(99), forceCount.get() / seconds,
                forceCount.get() == 0 ? 0 : (double) forcedRecords.get() / forceCount.get(),
                stealAtStart < 0 || stealAtEnd < 0 ? -1 : (stealAtEnd - stealAtStart) / (seconds * 1000 * Runtime.getRuntime().availableProcessors()));
    }

    private static void printSummary() {
        System.out.println();
        for (String s : summary) {
            System.out.println("- " + s);
        }
    }

    private static void printRows() {
        System.out.println();
        System.out.println("| case | threads | p50 µs | p99 µs | p99.9 µs | max µs | records/s |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String[] r : rows) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
    }

    private static Duration scaled(int seconds) {
        return Duration.ofMillis((long) (seconds * 1000 * SCALE));
    }

    private static WalConfig config(Durability d) {
        return WalConfig.ofDefaults().withDurability(d);
    }

    private static long async(Path dir) {
        int warm = (int) (200_000 * SCALE);
        int n = (int) (1_000_000 * SCALE);
        Histogram h = new Histogram(3);
        long t0;
        long t1;
        try (Wal wal = Wal.open(dir, config(Durability.ASYNC))) {
            for (int i = 0; i < warm; i++) {
                wal.append("request", "inst-1", "v1", PAYLOAD);
            }
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long s = System.nanoTime();
                wal.append("request", "inst-1", "v1", PAYLOAD);
                h.recordValue(System.nanoTime() - s);
            }
            t1 = System.nanoTime();
        }
        row("async append", "1", h, n / ((t1 - t0) / 1e9));
        return warm + n;
    }

    private static void replay(Path dir, long expected) {
        double best = 0;
        List<Double> rates = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            try (WalReader r = Wal.openReadOnly(dir); WalCursor c = r.read(1)) {
                long t0 = System.nanoTime();
                long count = 0;
                long sum = 0;
                for (WalRecord rec = c.next(); rec != null; rec = c.next()) {
                    count++;
                    sum += rec.payload().length;
                }
                long t1 = System.nanoTime();
                if (count != expected || sum == 0) {
                    throw new IllegalStateException("replay read " + count + " records, expected " + expected);
                }
                double rate = count / ((t1 - t0) / 1e9);
                rates.add(rate);
                best = Math.max(best, rate);
            }
        }
        rates.sort(Comparator.naturalOrder());
        rows.add(new String[] {"replay from seq 1 (" + expected + " records, checksums verified; median of 3)", "1", "", "", "", "",
                fmt(rates.get(1))});
    }

    private static double sync(Path dir, int threads, Duration d) throws InterruptedException {
        Recorder rec = new Recorder(3);
        AtomicLong count = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        long t0;
        long t1;
        try (Wal wal = Wal.open(dir, config(Durability.SYNC))) {
            for (int i = 0; i < 200; i++) {
                wal.append("request", "inst-1", "v1", PAYLOAD);
            }
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ts.add(new Thread(() -> {
                    while (!stop.get()) {
                        long s = System.nanoTime();
                        wal.append("request", "inst-1", "v1", PAYLOAD);
                        rec.recordValue(System.nanoTime() - s);
                        count.incrementAndGet();
                    }
                }));
            }
            t0 = System.nanoTime();
            ts.forEach(Thread::start);
            Thread.sleep(d.toMillis());
            stop.set(true);
            for (Thread t : ts) {
                t.join();
            }
            t1 = System.nanoTime();
        }
        double rate = count.get() / ((t1 - t0) / 1e9);
        row("sync append (durable on return)", Integer.toString(threads), rec.getIntervalHistogram(), rate);
        return rate;
    }

    private static double groupBlocking(Path dir, int threads, Duration d) throws InterruptedException {
        Recorder rec = new Recorder(3);
        AtomicLong count = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        long t0;
        long t1;
        try (Wal wal = Wal.open(dir, config(Durability.GROUP))) {
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ts.add(new Thread(() -> {
                    while (!stop.get()) {
                        long s = System.nanoTime();
                        wal.append("request", "inst-1", "v1", PAYLOAD).await();
                        rec.recordValue(System.nanoTime() - s);
                        count.incrementAndGet();
                    }
                }));
            }
            t0 = System.nanoTime();
            ts.forEach(Thread::start);
            Thread.sleep(d.toMillis());
            stop.set(true);
            for (Thread t : ts) {
                t.join();
            }
            t1 = System.nanoTime();
        }
        double rate = count.get() / ((t1 - t0) / 1e9);
        row("group, each thread waits for its ticket (append→durable)", Integer.toString(threads), rec.getIntervalHistogram(), rate);
        return rate;
    }

    /** Each thread keeps {@code window} appends in flight, like a server answering many clients as tickets complete. */
    private static double groupPipelined(Path dir, WalConfig cfg, int threads, int window, Duration d) throws InterruptedException {
        Recorder durable = new Recorder(3);
        Recorder call = new Recorder(3);
        AtomicLong count = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean measuring = new AtomicBoolean();
        long t0;
        long t1;
        long c0;
        try (Wal wal = Wal.open(dir, cfg)) {
            List<Thread> ts = new ArrayList<>();
            List<Semaphore> windows = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Semaphore inFlight = new Semaphore(window);
                windows.add(inFlight);
                ts.add(new Thread(() -> {
                    while (!stop.get()) {
                        inFlight.acquireUninterruptibly();
                        long s = System.nanoTime();
                        AppendTicket ticket = wal.append("request", "inst-1", "v1", PAYLOAD);
                        long e = System.nanoTime();
                        boolean m = measuring.get();
                        if (m) {
                            call.recordValue(e - s);
                        }
                        ticket.durable().thenRun(() -> {
                            if (m) {
                                durable.recordValue(System.nanoTime() - s);
                                count.incrementAndGet();
                            }
                            inFlight.release();
                        });
                    }
                }));
            }
            ts.forEach(Thread::start);
            Thread.sleep(1000); // warm-up, not measured
            durable.reset();
            call.reset();
            measuring.set(true);
            c0 = count.get();
            t0 = System.nanoTime();
            Thread.sleep(d.toMillis());
            measuring.set(false);
            t1 = System.nanoTime();
            stop.set(true);
            for (Thread t : ts) {
                t.join();
            }
            for (Semaphore w : windows) {
                w.acquireUninterruptibly(window);
            }
        }
        double rate = (count.get() - c0) / ((t1 - t0) / 1e9);
        String name = "group (maxBatch " + cfg.groupMaxBatch() + ", maxDelay " + cfg.groupMaxDelay().toNanos() / 1_000 + " µs), "
                + window + " in flight per thread: ";
        row(name + "append call", Integer.toString(threads), call.getIntervalHistogram(), Double.NaN);
        row(name + "append→durable", Integer.toString(threads), durable.getIntervalHistogram(), rate);
        return rate;
    }

    private static long lastP99;

    private static void row(String name, String threads, Histogram h, double rate) {
        lastP99 = h.getValueAtPercentile(99);
        rows.add(new String[] {name, threads, us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(99)),
                us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()), Double.isNaN(rate) ? "" : fmt(rate)});
        System.err.printf(Locale.ROOT, "done: %s (%s threads)%n", name, threads);
    }

    private static String us(long nanos) {
        if (nanos < 0) {
            return "-" + us(-nanos);
        }
        return nanos >= 100_000 ? String.format(Locale.ROOT, "%.0f", nanos / 1e3) : String.format(Locale.ROOT, "%.1f", nanos / 1e3);
    }

    private static String fmt(double rate) {
        return String.format(Locale.ROOT, "%,.0f", rate).replace(',', ' ');
    }

    private static void delete(Path base) throws IOException {
        if (!Files.exists(base)) {
            return;
        }
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

}
