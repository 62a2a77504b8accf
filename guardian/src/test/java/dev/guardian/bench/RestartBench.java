package dev.guardian.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Guardian's own restart (issue 15, item 12; run by bench/restart.sh): SIGKILL of the Guardian JVM, exec of
 * {@code bin/guardian run} on the same data directory with the default config, and the time from that exec to
 * the first 200 of a keyed {@code POST /v1/invoke} retried at once (a new connection per try). Measured with 0 and
 * with N requests in the retained log, beside the JVM's bare start ({@code java -version}) and the CLI's start
 * ({@code guardian --version}), all interleaved in one run in a shuffled order per round. Prints a Markdown table
 * on stdout, progress on stderr.
 *
 * <p>Variants (env VARIANTS, default "cds nocds"; see {@link #parseVariant}): {@code cds} is {@code bin/guardian} as
 * shipped (it uses guardian/target/guardian.jsa when that is newer than the jar), {@code nocds} the same with
 * {@code GUARDIAN_CDS=off}, {@code NAME=OPTS} adds JVM options, {@code NAME@DIR} is another built checkout (a "before").
 * A further baseline is the agent's own start ({@code agent start}: spawn → its {@code ready} line).
 */
public final class RestartBench {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path ROOT = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** How a variant runs the guardian command. */
    record Variant(String name, Path bin, Map<String, String> env) {
    }

    /** One data directory with a given number of requests logged before the rounds. */
    static final class Target {
        final int requests;
        final Path dir;
        final int front;
        final int admin;
        final Path log;

        Target(int requests, Path dir) throws IOException {
            this.requests = requests;
            this.dir = dir;
            this.front = freePort();
            this.admin = freePort();
            this.log = dir.resolveSibling(dir.getFileName() + ".log");
        }
    }

    /** One timed exec. */
    record Sample(long totalNanos, long listenNanos, int tries, String notOk) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("scan")) {
            scan();
            return;
        }
        boolean phases = args.length > 0 && args[0].equals("phases");
        int reps = envInt("REPS", 15);
        int warmup = envInt("WARMUP", 2);
        long settleMs = envInt("SETTLE_MS", 500);
        long holdMs = envInt("HOLD_MS", 300);
        long retryPauseNanos = envInt("RETRY_PAUSE_US", 1000) * 1000L;
        Path dataRoot = Path.of(env("DATA_ROOT", "/tmp/guardian-restart-bench")).resolve("run-" + System.currentTimeMillis());
        Files.createDirectories(dataRoot);
        List<Variant> variants = new ArrayList<>();
        for (String v : env("VARIANTS", "cds nocds").trim().split("\\s+")) {
            variants.add(parseVariant(v));
        }
        String baseVariant = env("BASE_VARIANT", variants.stream().anyMatch(v -> v.name.equals("nocds")) ? "nocds" : variants.get(0).name);
        List<Target> targets = new ArrayList<>();
        for (String n : env("RECORDS", "0 100000").trim().split("\\s+")) {
            Target t = new Target(Integer.parseInt(n), dataRoot.resolve("d" + n));
            fill(t, parseVariant("cds"), envInt("FILL_CONNS", 16));
            targets.add(t);
        }

        // The cases of one round: each restart (target x variant) and each baseline, in a shuffled order.
        Map<String, List<Sample>> results = new LinkedHashMap<>();
        Map<String, List<double[]>> marks = new LinkedHashMap<>();
        List<String> cases = new ArrayList<>();
        cases.add("java -version");
        cases.add("agent start");
        for (Variant v : variants) {
            cases.add("guardian --version/" + v.name);
        }
        for (Target t : targets) {
            for (Variant v : variants) {
                cases.add("restart " + t.requests + "/" + v.name);
            }
        }
        if (phases) {
            cases.removeIf(c -> !c.startsWith("restart"));
        }
        cases.forEach(c -> results.put(c, new ArrayList<>()));
        log("load average before the rounds: " + loadAverage() + "; " + cases.size() + " cases, " + reps + " rounds + "
                + warmup + " warm-up");
        long stealBefore = DaemonBench.stealMillis();
        long runStart = System.nanoTime();
        for (int round = -warmup; round < reps; round++) {
            List<String> order = new ArrayList<>(cases);
            Collections.shuffle(order, new Random(round + 1000));
            StringBuilder line = new StringBuilder("round " + round + ":");
            for (String c : order) {
                Sample s;
                if (c.equals("java -version")) {
                    s = timeExit(List.of("java", "-version"), Map.of());
                } else if (c.equals("agent start")) {
                    s = agentStart();
                } else if (c.startsWith("guardian --version/")) {
                    Variant v = variant(variants, c.substring(c.indexOf('/') + 1));
                    s = timeExit(List.of(v.bin.toString(), "--version"), v.env);
                } else {
                    String[] p = c.substring("restart ".length()).split("/");
                    Target t = targets.stream().filter(x -> x.requests == Integer.parseInt(p[0])).findFirst().orElseThrow();
                    Variant v = variant(variants, p[1]);
                    Path classLog = null;
                    if (phases) {
                        classLog = dataRoot.resolve("classload-" + t.requests + "-" + v.name + "-" + round + ".txt");
                        Map<String, String> env = new LinkedHashMap<>(v.env);
                        env.merge("GUARDIAN_JAVA_OPTS", "-Dguardian.log.level=INFO -Xlog:class+load:file=" + classLog + ":uptime",
                                (a, b) -> a + " " + b);
                        v = new Variant(v.name, v.bin, env);
                    }
                    long logFrom = Files.exists(t.log) ? Files.size(t.log) : 0;
                    s = restart(t, v, "r" + round + "-" + p[1], retryPauseNanos, holdMs);
                    if (phases && round >= 0) {
                        marks.computeIfAbsent(c, k -> new ArrayList<>()).add(marks(classLog, s, t.log, logFrom));
                    }
                }
                if (round >= 0) {
                    results.get(c).add(s);
                }
                line.append(String.format(Locale.ROOT, " %s %.0f ms%s;", c, s.totalNanos / 1e6,
                        s.listenNanos > 0 ? String.format(Locale.ROOT, " (listening %.0f, %d tries%s)", s.listenNanos / 1e6,
                                s.tries, s.notOk.isEmpty() ? "" : ", " + s.notOk) : ""));
                Thread.sleep(settleMs);
            }
            log(line + " load " + loadAverage());
        }
        int seconds = (int) Math.max(1, (System.nanoTime() - runStart) / 1_000_000_000L);
        String steal = DaemonBench.stealShare(stealBefore, DaemonBench.stealMillis(), seconds);

        if (phases) {
            printPhases(cases, marks, targets);
            if (!env("KEEP_DATA", "0").equals("1")) {
                deleteTree(dataRoot);
            }
            System.exit(0);
        }
        double javaMedian = median(results.get("java -version"));
        System.out.println("| case | n | median ms | p90 ms | min ms | max ms | median × `java -version` | median × same case `" + baseVariant
                + "` | exec → port accepts, median ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String c : cases) {
            List<Sample> s = results.get(c);
            String without = "";
            if (c.contains("/") && !c.endsWith("/" + baseVariant)) {
                List<Sample> base = results.get(c.substring(0, c.indexOf('/') + 1) + baseVariant);
                if (base != null) {
                    without = String.format(Locale.ROOT, "%.2f", median(s) / median(base));
                }
            }
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %.1f | %s | %s |%n", describe(c, targets), s.size(),
                    median(s), pct(s, 90), pct(s, 0), pct(s, 100), median(s) / javaMedian, without,
                    c.startsWith("restart") ? String.format(Locale.ROOT, "%.0f", medianOf(s.stream().map(x -> x.listenNanos / 1e6).toList())) : "");
        }
        System.out.println();
        for (Target t : targets) {
            System.out.println("- data dir with " + t.requests + " requests logged before the rounds (" + t.dir + "), at the end: "
                    + walStats(t) + "; vault: " + checkpoints(t) + "; keys journal (keys/): " + dirBytes(t.dir.resolve("keys")));
            Map<String, Integer> bad = new TreeMap<>();
            for (String c : cases) {
                if (c.startsWith("restart " + t.requests + "/")) {
                    for (Sample s : results.get(c)) {
                        if (!s.notOk.isEmpty()) {
                            bad.merge(c + ": " + s.notOk, 1, Integer::sum);
                        }
                    }
                }
            }
            System.out.println("- answers other than 200 before the first 200 (" + t.requests + "): " + (bad.isEmpty() ? "none" : bad));
        }
        System.out.println("- settings: REPS " + reps + ", WARMUP " + warmup + ", SETTLE_MS " + settleMs + ", HOLD_MS " + holdMs
                + ", RETRY_PAUSE_US " + retryPauseNanos / 1000 + ", agent " + agent() + " (" + which(agent().get(0)) + ")");
        for (Variant v : variants) {
            System.out.println("- variant `" + v.name + "`: " + v.bin + " " + v.env);
        }
        System.out.println("- CPU steal during the rounds: " + steal + "; load average at the end: " + loadAverage());
        if (!env("KEEP_DATA", "0").equals("1")) {
            deleteTree(dataRoot);
        }
        System.exit(0);
    }

    /**
     * {@code cds}: this checkout's bin/guardian (it uses guardian/target/guardian.jsa when that is newer than the jar);
     * {@code nocds}: the same with GUARDIAN_CDS=off; {@code NAME=OPTS}: this checkout with the archive and
     * GUARDIAN_JAVA_OPTS=OPTS (commas stand for spaces); {@code NAME@DIR}: the bin/guardian of another built checkout as
     * it is (a "before" build, measured in the same run).
     */
    static Variant parseVariant(String v) {
        if (v.equals("cds")) {
            return new Variant("cds", ROOT.resolve("bin/guardian"), Map.of("GUARDIAN_CDS", "on"));
        }
        if (v.equals("nocds")) {
            return new Variant("nocds", ROOT.resolve("bin/guardian"), Map.of("GUARDIAN_CDS", "off"));
        }
        int at = v.indexOf('@');
        if (at > 0) {
            Path dir = Path.of(v.substring(at + 1)).toAbsolutePath().normalize();
            if (!Files.isRegularFile(dir.resolve("guardian/target/guardian.jar"))) {
                throw new IllegalArgumentException(v + ": no guardian/target/guardian.jar in " + dir + " (build it first)");
            }
            return new Variant(v.substring(0, at), dir.resolve("bin/guardian"), Map.of());
        }
        int eq = v.indexOf('=');
        if (eq > 0) {
            return new Variant(v.substring(0, eq), ROOT.resolve("bin/guardian"),
                    Map.of("GUARDIAN_CDS", "on", "GUARDIAN_JAVA_OPTS", v.substring(eq + 1).replace(',', ' ')));
        }
        throw new IllegalArgumentException("variant: cds, nocds, NAME=JAVA_OPTS or NAME@CHECKOUT_DIR, not " + v);
    }

    /**
     * {@code bench/restart.sh scan}: the log read for idempotency keys alone, in fresh JVMs ({@link LogScanProbe}, one
     * mode per JVM, the modes shuffled in each round), on a data directory filled as for the restarts (RECORDS, default
     * 100000 requests).
     */
    static void scan() throws Exception {
        int reps = envInt("REPS", 10);
        int n = Integer.parseInt(env("RECORDS", "100000").trim().split("\\s+")[0]);
        Path dataRoot = Path.of(env("DATA_ROOT", "/tmp/guardian-restart-bench")).resolve("scan-" + System.currentTimeMillis());
        Target t = new Target(n, dataRoot.resolve("d" + n));
        fill(t, parseVariant("cds"), envInt("FILL_CONNS", 16));
        String cp = System.getProperty("java.class.path");
        List<String> modes = List.of("iterate", "tree", "rebuild");
        Map<String, List<double[]>> res = new LinkedHashMap<>();
        modes.forEach(m -> res.put(m, new ArrayList<>()));
        String line = "";
        for (int round = 0; round < reps; round++) {
            List<String> order = new ArrayList<>(modes);
            Collections.shuffle(order, new Random(round));
            for (String m : order) {
                List<String> cmd = new ArrayList<>(List.of("java"));
                cmd.addAll(CHRONICLE_FLAGS);
                cmd.addAll(List.of("-cp", cp, LogScanProbe.class.getName(), m, t.dir.resolve("wal").toString()));
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("LogScanProbe " + m + " failed: " + line);
                }
                double total = (System.nanoTime() - t0) / 1e6;
                String[] f = line.split("\\s+");
                res.get(m).add(new double[] {Double.parseDouble(f[8]), Double.parseDouble(f[10]), total});
                Thread.sleep(200);
            }
            log("scan round " + round + ": " + res.entrySet().stream().map(e -> e.getKey() + " "
                    + String.format(Locale.ROOT, "%.0f", e.getValue().get(e.getValue().size() - 1)[1]) + " ms").toList()
                    + "; load " + loadAverage());
        }
        System.out.println("| mode (fresh JVM each) | n | open ms (median) | scan ms (median) | scan ms min–max | JVM exec → exit ms (median) |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (String m : modes) {
            List<double[]> v = res.get(m);
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f–%.0f | %.0f |%n", switch (m) {
                case "iterate" -> "`iterate`: every record read (Chronicle + record codec)";
                case "tree" -> "`tree`: + each payload parsed into a Jackson tree";
                default -> "`rebuild`: + what rebuildFromLog does with them (key map, answers)";
            }, v.size(), medianOf(v.stream().map(x -> x[0]).toList()), medianOf(v.stream().map(x -> x[1]).toList()),
                    v.stream().mapToDouble(x -> x[1]).min().orElse(0), v.stream().mapToDouble(x -> x[1]).max().orElse(0),
                    medianOf(v.stream().map(x -> x[2]).toList()));
        }
        System.out.println();
        System.out.println("- last probe line: " + line);
        System.out.println("- data dir (" + t.dir + "): " + walStats(t) + "; vault: " + checkpoints(t));
        System.out.println("- load average at the end: " + loadAverage());
        if (!env("KEEP_DATA", "0").equals("1")) {
            deleteTree(dataRoot);
        }
        System.exit(0);
    }

    /**
     * Where a start is, by the first class each step loads ({@code -Xlog:class+load}, JVM uptime): a class missing from
     * the log (another build) gives NaN. Each pair: the class, and what ends when it loads.
     */
    static final String[][] MARKS = {
            {"dev.guardian.cli.GuardianMain", "JVM start (launcher, VM, archive mapping) → main()"},
            {"picocli.CommandLine$ParseResult", "picocli: command model built"},
            {"dev.guardian.daemon.Daemon", "arguments parsed, config built (defaults + command line)"},
            {"dev.guardian.daemon.DataDirectory", "logging initialised (logback), Daemon's statics"},
            {"dev.guardian.wal.internal.ChronicleWal", "data dir locked, orphans reaped"},
            {"dev.guardian.vault.VaultConfig", "WAL open (Chronicle's statics, POSIX/affinity bindings, queue, end check)"},
            {"dev.guardian.daemon.PrimarySupervisor", "vault open, versions registered"},
            {"dev.guardian.http.NettyHttpServer", "supervisor started, rollouts and metrics built"},
            {"dev.guardian.daemon.idempotency.IdempotencyIndex", "front door and admin API listening; supervisor started (the keys load begins, on its own thread)"},
            {"dev.guardian.process.internal.LocalAgentProcess", "agent spawned (control thread, beside the keys load)"},
    };

    /** Durations the daemon logs at INFO (ms): the keys load, and recovery's open, spawn and ready+init. */
    static final String[][] LOGGED = {
            {"idempotency keys ready in (\\d+) ms", "logged: keys load (journal + the log after its mark), its own thread"},
            {"open in (\\d+) ms \\(spawn", "logged: recovery, spawn → open (control thread)"},
            {"ready\\+init (\\d+) ms", "logged: of which the agent's boot → ready → init"},
    };

    static double[] marks(Path classLog, Sample s, Path daemonLog, long logFrom) throws IOException {
        double[] m = new double[MARKS.length + LOGGED.length + 2];
        java.util.Arrays.fill(m, Double.NaN);
        List<String> lines = Files.readAllLines(classLog);
        for (int i = 0; i < MARKS.length; i++) {
            String needle = "] " + MARKS[i][0] + " source:";
            for (String l : lines) {
                if (l.contains(needle)) {
                    m[i] = Double.parseDouble(l.substring(1, l.indexOf("s]"))) * 1000;
                    break;
                }
            }
        }
        byte[] all = Files.readAllBytes(daemonLog);
        String logged = new String(all, (int) Math.min(logFrom, all.length), (int) Math.max(0, all.length - logFrom), StandardCharsets.UTF_8);
        for (int i = 0; i < LOGGED.length; i++) {
            java.util.regex.Matcher x = java.util.regex.Pattern.compile(LOGGED[i][0]).matcher(logged);
            if (x.find()) {
                m[MARKS.length + i] = Double.parseDouble(x.group(1));
            }
        }
        m[MARKS.length + LOGGED.length] = s.listenNanos / 1e6;
        m[MARKS.length + LOGGED.length + 1] = s.totalNanos / 1e6;
        Files.deleteIfExists(classLog);
        return m;
    }

    static void printPhases(List<String> cases, Map<String, List<double[]>> marks, List<Target> targets) {
        StringBuilder head = new StringBuilder("| step ends (first class it loads) |");
        StringBuilder sep = new StringBuilder("|---|");
        for (String c : cases) {
            head.append(' ').append(c.substring("restart ".length())).append(" |");
            sep.append("---:|");
        }
        System.out.println("Median JVM uptime in ms at which each step ends (and its duration), over the rounds; the `logged:` rows"
                + " are durations from the daemon's INFO lines; the last two rows are client-side, from exec.");
        System.out.println();
        System.out.println(head);
        System.out.println(sep);
        int n = MARKS.length + LOGGED.length + 2;
        for (int i = 0; i < n; i++) {
            String label = i < MARKS.length ? MARKS[i][1] + " (`" + MARKS[i][0].substring(MARKS[i][0].lastIndexOf('.') + 1) + "`)"
                    : i < MARKS.length + LOGGED.length ? LOGGED[i - MARKS.length][1] + " — a duration, not a time"
                    : i == n - 2 ? "client: exec → port accepts" : "client: exec → first 200";
            StringBuilder row = new StringBuilder("| " + label + " |");
            for (String c : cases) {
                List<double[]> ms = marks.getOrDefault(c, List.of());
                int k = i;
                double at = medianOf(ms.stream().map(x -> x[k]).filter(x -> !x.isNaN()).toList());
                String d = "";
                if (i > 0 && i < MARKS.length) {
                    double dur = medianOf(ms.stream().map(x -> x[k] - x[k - 1]).filter(x -> !x.isNaN()).toList());
                    d = String.format(Locale.ROOT, " (+%.0f)", dur);
                }
                row.append(String.format(Locale.ROOT, " %.0f%s |", at, d));
            }
            System.out.println(row);
        }
        System.out.println();
        System.out.println("- rounds per case: " + marks.values().stream().mapToInt(List::size).min().orElse(0)
                + "; -Xlog:class+load itself adds a few ms; load average at the end: " + loadAverage());
    }

    /** What bin/guardian passes to the JVM for Chronicle Queue on JDK 17 (shared/STACK.md). */
    static final List<String> CHRONICLE_FLAGS = List.of(
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "-Dchronicle.analytics.disable=true", "-Dchronicle.announcer.disable=true",
            "-Djnr.ffi.asm.enabled=false");

    static String describe(String c, List<Target> targets) {
        if (c.equals("java -version")) {
            return "`java -version` (the bare JVM start)";
        }
        if (c.equals("agent start")) {
            return "the agent alone: `" + String.join(" ", agent()) + "` spawned → its `ready` line";
        }
        String v = c.substring(c.indexOf('/') + 1);
        String how = switch (v) {
            case "cds" -> "`cds` (this checkout, with its AppCDS archive)";
            case "nocds" -> "`nocds` (this checkout, `GUARDIAN_CDS=off`)";
            default -> "`" + v + "`";
        };
        if (c.startsWith("guardian --version")) {
            return "`guardian --version`, " + how;
        }
        return "SIGKILL → exec → first 200, " + c.substring("restart ".length(), c.indexOf('/')) + " requests logged, " + how;
    }

    static Variant variant(List<Variant> vs, String name) {
        return vs.stream().filter(v -> v.name.equals(name)).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------------------------------ fill

    /**
     * Logs {@code t.requests} keyed learn requests (1 000 distinct learned keys, so the agent's memory stays small and
     * the log is what grows), with checkpoints only where this puts them: one after the first request and one at the
     * end. So the oldest retained checkpoint is at the start of the log (the WAL keeps everything after it, and a
     * restart reads every logged request for its idempotency keys), and the newest at its end (the agent is restored
     * from it, with nothing to replay). The rounds then run with the default config.
     */
    static void fill(Target t, Variant v, int conns) throws Exception {
        Files.createDirectories(t.dir);
        if (t.requests == 0) {
            return;
        }
        Path cfg = t.dir.resolveSibling(t.dir.getFileName() + "-fill.yaml");
        Files.writeString(cfg, "agent:\n  command: " + JSON.writeValueAsString(agent()) + "\n"
                + "data_dir: " + t.dir + "\n"
                + "checkpoint: {every_requests: 0, every: 0s}\n"
                + "front_door: 127.0.0.1:" + t.front + "\nadmin: 127.0.0.1:" + t.admin + "\n");
        Process p = start(List.of(v.bin.toString(), "run", "--config", cfg.toString()), v.env, t.log);
        try {
            String front = "http://127.0.0.1:" + t.front;
            String admin = "http://127.0.0.1:" + t.admin;
            awaitHealth(p, front, t);
            String token = Files.readString(t.dir.resolve("admin.token")).trim();
            post(front + "/v1/invoke", learn(0), "fill-0", null);
            post(admin + "/admin/checkpoint", "", null, token);
            long t0 = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(conns);
            AtomicInteger next = new AtomicInteger(1);
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < conns; c++) {
                fs.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < t.requests) {
                        post(front + "/v1/invoke", learn(i), "fill-" + i, null);
                        if (i % 20_000 == 0) {
                            log("fill " + t.requests + ": " + i + " requests");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
            double s = (System.nanoTime() - t0) / 1e9;
            post(admin + "/admin/checkpoint", "", null, token);
            log(String.format(Locale.ROOT, "fill %d: %d requests in %.1f s (%.0f/s); %s", t.requests, t.requests, s,
                    t.requests / s, walStats(t)));
        } finally {
            p.toHandle().destroyForcibly();
            p.waitFor();
        }
    }

    static String learn(int i) {
        return "{\"payload\":{\"op\":\"learn\",\"key\":\"k" + (i % 1000) + "\"}}";
    }

    static String post(String url, String body, String key, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static void awaitHealth(Process p, String front, Target t) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("guardian run exited " + p.exitValue() + ", see " + t.log);
            }
            if (DaemonBench.get(front + "/v1/health") == 200) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no health within 60 s, see " + t.log);
    }

    // ------------------------------------------------------------------------------------ measurement

    /** The Python learner; PYTHON=/path/to/python3 runs it with that interpreter (default: python3 from PATH). */
    static List<String> agent() {
        return List.of(env("PYTHON", "python3"), ROOT.resolve("examples/python/learner_agent.py").toString());
    }

    static String which(String cmd) {
        try {
            Process p = new ProcessBuilder("bash", "-c", "command -v " + cmd + " && head -c 200 \"$(command -v " + cmd
                    + ")\" | head -1 | grep -q '^#!' && echo '(a script)' || true").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().replace("\n", " ");
            p.waitFor();
            return out;
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    /** The agent's own start: spawn → its first line ({@code ready}); then stdin is closed and it exits. */
    static Sample agentStart() throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(agent()).directory(ROOT.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        InputStream in = p.getInputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            // the ready line
        }
        long t = System.nanoTime() - t0;
        p.getOutputStream().close();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        if (b == -1) {
            throw new IllegalStateException("the agent printed no line");
        }
        return new Sample(t, 0, 0, "");
    }

    static Process start(List<String> cmd, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** exec → exit of a command whose output is discarded. */
    static Sample timeExit(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        int rc = p.waitFor();
        long t = System.nanoTime() - t0;
        if (rc != 0) {
            throw new IllegalStateException(cmd + " exited " + rc);
        }
        return new Sample(t, 0, 0, "");
    }

    /**
     * exec of {@code guardian run} on t's data directory (the default config: only the data directory, the ports and the
     * agent on the command line) → the first 200 of a keyed POST /v1/invoke, tried again at once (after
     * {@code retryPauseNanos}) on a refused connection or a non-200 answer. Then, after {@code holdMs}, SIGKILL of the JVM
     * (bin/guardian execs java, so the process is the JVM), waited for.
     */
    static Sample restart(Target t, Variant v, String key, long retryPauseNanos, long holdMs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(v.bin.toString(), "run", "--data-dir", t.dir.toString(),
                "--front-door", "127.0.0.1:" + t.front, "--admin", "127.0.0.1:" + t.admin, "--"));
        cmd.addAll(agent());
        byte[] body = "{\"payload\":{\"op\":\"learn\",\"key\":\"restart\"}}".getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST /v1/invoke HTTP/1.1\r\nHost: 127.0.0.1:" + t.front + "\r\nIdempotency-Key: " + key + "-" + t.requests
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] req = new byte[head.length + body.length];
        System.arraycopy(head, 0, req, 0, head.length);
        System.arraycopy(body, 0, req, head.length, body.length);
        InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), t.front);
        Map<String, Integer> notOk = new TreeMap<>();
        long listen = -1;
        int tries = 0;
        long t0 = System.nanoTime();
        Process p = start(cmd, v.env, t.log);
        try {
            while (true) {
                long now = System.nanoTime();
                if (now - t0 > TimeUnit.SECONDS.toNanos(60)) {
                    throw new IllegalStateException("no 200 within 60 s of exec, see " + t.log);
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException("guardian run exited " + p.exitValue() + ", see " + t.log);
                }
                tries++;
                String status;
                try (Socket s = new Socket()) {
                    s.setTcpNoDelay(true);
                    s.connect(addr, 1000);
                    if (listen < 0) {
                        listen = System.nanoTime() - t0;
                    }
                    s.setSoTimeout(30_000);
                    OutputStream out = s.getOutputStream();
                    out.write(req);
                    out.flush();
                    InputStream in = s.getInputStream();
                    byte[] resp = in.readAllBytes();
                    String text = new String(resp, StandardCharsets.UTF_8);
                    status = text.length() >= 12 ? text.substring(9, 12) : "short answer";
                    if (status.equals("200")) {
                        long done = System.nanoTime() - t0;
                        String json = text.substring(text.indexOf("\r\n\r\n") + 4);
                        JsonNode n = JSON.readTree(json);
                        if (!n.path("ok").asBoolean()) {
                            throw new IllegalStateException("200 without ok: " + json);
                        }
                        StringBuilder bad = new StringBuilder();
                        notOk.forEach((k, c) -> bad.append(bad.length() == 0 ? "" : " ").append(k).append(" x").append(c));
                        return new Sample(done, listen, tries, bad.toString());
                    }
                } catch (ConnectException e) {
                    status = null; // not listening yet
                } catch (IOException e) {
                    status = e.getClass().getSimpleName();
                }
                if (status != null) {
                    notOk.merge(status, 1, Integer::sum);
                }
                if (retryPauseNanos > 0) {
                    LockSupport.parkNanos(retryPauseNanos);
                }
            }
        } finally {
            if (holdMs > 0 && p.isAlive()) {
                Thread.sleep(holdMs);
            }
            p.toHandle().destroyForcibly(); // SIGKILL
            p.waitFor();
        }
    }

    // ---------------------------------------------------------------------------------------- helpers

    static String walStats(Target t) {
        try {
            Process p = new ProcessBuilder(ROOT.resolve("bin/guardian").toString(), "wal", "stats", t.dir.resolve("wal").toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            StringBuilder b = new StringBuilder("`guardian wal stats`:");
            for (String field : List.of("records", "first sequence", "last sequence", "record bytes", "cycle files")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + field + "\\s+(.*)$").matcher(out);
                b.append(' ').append(field).append(' ').append(m.find() ? m.group(1).trim() : "?").append(',');
            }
            return b.substring(0, b.length() - 1);
        } catch (IOException | InterruptedException e) {
            return "wal stats: " + e;
        }
    }

    static String checkpoints(Target t) {
        try {
            Process p = new ProcessBuilder(ROOT.resolve("bin/guardian").toString(), "checkpoints", "ls", "--data-dir", t.dir.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            List<String> rows = out.lines().filter(l -> l.startsWith("ckpt-")).toList();
            if (rows.isEmpty()) {
                return "no checkpoints";
            }
            return rows.size() + " checkpoint(s), WAL seq of the oldest " + rows.get(0).split("\\s+")[3] + ", of the newest "
                    + rows.get(rows.size() - 1).split("\\s+")[3];
        } catch (IOException | InterruptedException e) {
            return "checkpoints ls: " + e;
        }
    }

    /** Files and bytes under a directory ("none" if it is missing: a build before the keys journal). */
    static String dirBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "none";
        }
        try (var s = Files.walk(dir)) {
            List<Path> files = s.filter(Files::isRegularFile).toList();
            long bytes = 0;
            for (Path f : files) {
                bytes += Files.size(f);
            }
            return String.format(Locale.ROOT, "%d file(s), %,d bytes", files.size(), bytes);
        } catch (IOException e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static double median(List<Sample> s) {
        return medianOf(s.stream().map(x -> x.totalNanos / 1e6).toList());
    }

    static double medianOf(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /** Nearest-rank percentile in ms (0: min, 100: max). */
    static double pct(List<Sample> s, double p) {
        List<Double> v = new ArrayList<>(s.stream().map(x -> x.totalNanos / 1e6).toList());
        Collections.sort(v);
        if (v.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * v.size());
        return v.get(Math.max(0, Math.min(v.size() - 1, rank - 1)));
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    static int envInt(String name, int dflt) {
        return Integer.parseInt(env(name, "" + dflt));
    }

    static String loadAverage() {
        return DaemonBench.loadAverage();
    }

    static void log(String s) {
        System.err.println("[" + Instant.now().toString().substring(11, 19) + "] " + s);
    }
}
