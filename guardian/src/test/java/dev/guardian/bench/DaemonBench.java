package dev.guardian.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.protocol.Codec;
import dev.guardian.protocol.Frame;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolReader;
import dev.guardian.protocol.ProtocolWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * The three daemon benchmarks of issue 5 (run by bench/daemon.sh): {@code recovery}, {@code overhead}, {@code wrap}.
 * Each prints a Markdown table on stdout; progress goes to stderr. Settings come from environment variables
 * (see bench/daemon.sh). Every comparison is against a baseline measured in the same run, interleaved.
 */
public final class DaemonBench {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Codec CODEC = Codec.ofDefaults();
    static final Path ROOT = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
    static final Path WORK = ROOT.resolve("guardian/target/daemon-bench");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    public static void main(String[] args) throws Exception {
        Files.createDirectories(WORK);
        switch (args.length == 0 ? "" : args[0]) {
            case "recovery" -> recovery();
            case "overhead" -> overhead();
            case "wrap" -> wrap();
            default -> {
                System.err.println("usage: DaemonBench recovery|overhead|wrap");
                System.exit(2);
            }
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------------------------------- agents

    static List<String> agentCommand(String agent) {
        return switch (agent) {
            case "python" -> List.of("python3", ROOT.resolve("examples/python/learner_agent.py").toString());
            case "java" -> List.of("java", "-jar", ROOT.resolve("examples/target/example-agent.jar").toString());
            default -> throw new IllegalArgumentException("agent: python or java, not " + agent);
        };
    }

    static List<String> agents() {
        return List.of(env("AGENTS", "python java").trim().split("\\s+"));
    }

    static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    static int envInt(String name, int dflt) {
        return Integer.parseInt(env(name, "" + dflt));
    }

    static void log(String s) {
        System.err.println("[" + java.time.LocalTime.now().withNano(0) + "] " + s);
    }

    /** An agent spawned directly (no Guardian), spoken to with the project's codec. */
    static final class Direct implements AutoCloseable {
        final Process process;
        final ProtocolWriter writer;
        final ProtocolReader reader;

        Direct(List<String> command) throws IOException {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            writer = CODEC.writer(process.getOutputStream());
            reader = CODEC.reader(process.getInputStream());
        }

        <T extends Message> T expect(Class<T> type) {
            return PlainPipeServer.expect(reader, type);
        }

        @Override
        public void close() throws Exception {
            try {
                writer.close();
            } catch (IOException ignored) {
                // already gone
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** A real `guardian run` (bin/guardian, the packaged jar) on a fresh data directory. */
    static final class Daemon implements AutoCloseable {
        final Process process;
        final Path dir;
        final String front;
        final String admin;
        final String token;

        Daemon(Path dir, List<String> args) throws Exception {
            this.dir = dir;
            List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/guardian").toString(), "run"));
            cmd.addAll(args);
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolveSibling(dir.getFileName() + ".log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Path info = dir.resolve("daemon.json");
            String f = null;
            String a = null;
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("guardian run exited " + process.exitValue() + ", see "
                            + dir.resolveSibling(dir.getFileName() + ".log"));
                }
                if (Files.exists(info)) {
                    try {
                        JsonNode n = JSON.readTree(info.toFile());
                        f = "http://" + n.path("front_door").asText();
                        a = "http://" + n.path("admin").asText();
                        if (get(f + "/v1/health") == 200) {
                            break;
                        }
                    } catch (IOException e) {
                        // not yet
                    }
                }
                Thread.sleep(50);
            }
            front = f;
            admin = a;
            token = Files.readString(dir.resolve("admin.token")).trim();
        }

        JsonNode status() throws Exception {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(admin + "/admin/status"))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        }

        JsonNode checkpoint() throws Exception {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(admin + "/admin/checkpoint"))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("checkpoint: " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        }

        long agentPid() throws Exception {
            String where = status().path("instance").path("where").asText("");
            Matcher m = Pattern.compile("pid (\\d+)").matcher(where);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    static int get(String url) throws Exception {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    static HttpResponse<String> invoke(String front, String payload, Duration timeout) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(front + "/v1/invoke")).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":" + payload + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Guardian's data directories; DATA_ROOT=/dev/shm/... (tmpfs, where a force costs microseconds)
     * separates Guardian's own overhead from the disk's fsync latency (a diagnostic, not the product's setup).
     */
    static Path freshDir(String name) throws IOException {
        Path root = System.getenv("DATA_ROOT") == null || System.getenv("DATA_ROOT").isBlank() ? WORK
                : Path.of(System.getenv("DATA_ROOT"));
        Path d = root.resolve(name + "-" + System.nanoTime());
        Files.createDirectories(d);
        return d;
    }

    // -------------------------------------------------------------------------------------- recovery

    static String key(int i) {
        return String.format("key-%05d-%s", i, "p".repeat(34));
    }

    /** One daemon of the recovery bench, restarting its agent cold or from a booted standby. */
    private static final class RecoveryTarget {
        final String mode;
        final Daemon daemon;
        final Histogram kills = new Histogram(3_600_000_000L, 3);
        final List<Long> pairedMicros = new ArrayList<>();
        final Map<String, Integer> failures = new LinkedHashMap<>();
        int attempts;

        RecoveryTarget(String mode, Daemon daemon) {
            this.mode = mode;
            this.daemon = daemon;
        }
    }

    /**
     * RESTART_MODES (default "cold standby"): one daemon per mode on the same agent, killed in turn
     * each round beside the round's cold start. "standby" sets {@code restart.standby}: the kill
     * comes only once the spare has said ready, as it would for a crash that is not back to back.
     */
    static void recovery() throws Exception {
        int keys = envInt("KEYS", 20_000);
        int kills = envInt("KILLS", 25);
        List<String> modes = List.of(env("RESTART_MODES", "cold standby").trim().split("\\s+"));
        List<String[]> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        // The memory the learner would checkpoint after learning `keys` distinct keys once each.
        ObjectNode memory = JSON.createObjectNode();
        ObjectNode counts = memory.putObject("counts");
        for (int i = 0; i < keys; i++) {
            counts.put(key(i), 1);
        }
        memory.put("total", keys).put("seq", keys);
        int memoryBytes = JSON.writeValueAsBytes(memory).length;
        String ask = "{\"op\":\"ask\",\"key\":\"" + key(0) + "\"}";
        for (String agent : agents()) {
            List<String> cmd = agentCommand(agent);
            Histogram base = new Histogram(3_600_000_000L, 3);
            List<RecoveryTarget> targets = new ArrayList<>();
            try {
                for (String mode : modes) {
                    Path dir = freshDir("recovery-" + agent + "-" + mode);
                    Path cfg = dir.resolveSibling(dir.getFileName() + ".yaml");
                    Files.writeString(cfg, "agent:\n  command: " + JSON.writeValueAsString(cmd) + "\n"
                            + "data_dir: " + dir + "\n"
                            + "checkpoint: {every_requests: 0, every: 0s}\n"
                            + "restart:\n  backoff: {initial: 0ms}\n  intensity: {max_restarts: 1000, window: 60s}\n"
                            + "  standby: " + mode.equals("standby") + "\n"
                            + "front_door: 127.0.0.1:0\nadmin: 127.0.0.1:0\n");
                    RecoveryTarget t = new RecoveryTarget(mode, new Daemon(dir, List.of("--config", cfg.toString())));
                    targets.add(t);
                    log(agent + " (" + mode + "): daemon up at " + t.daemon.front + "; learning " + keys + " keys");
                    learn(t.daemon.front, keys);
                    log(agent + " (" + mode + "): checkpoint " + t.daemon.checkpoint());
                    long cpSize = t.daemon.status().path("last_checkpoint").path("size").asLong(-1);
                    notes.add(agent + " (" + mode + "): checkpoint size " + cpSize + " bytes (status.last_checkpoint.size); "
                            + "baseline init memory " + memoryBytes + " bytes of JSON");
                }
                // Warm-up kills and cold starts, not recorded: Guardian is a long-running daemon, and its JIT
                // was still compiling recovery's paths (C2 busy beside the booting agent) after a single one.
                int warmup = envInt("WARMUP_KILLS", 5);
                for (int round = -warmup; round < kills; round++) {
                    // baseline: the agent's own cold start with the same memory
                    long b = coldStart(cmd, memory, keys, ask);
                    StringBuilder line = new StringBuilder(String.format("%s round %d: cold start %.1f ms", agent, round, b / 1e6));
                    for (RecoveryTarget t : targets) {
                        long[] g = killToAnswer(agent, t, keys, ask);
                        if (round >= 0) {
                            t.kills.recordValue(g[0] / 1000);
                            t.pairedMicros.add((g[0] - b) / 1000);
                            t.attempts += (int) g[1];
                        }
                        line.append(String.format(", %s kill->200 %.1f ms (%d attempts)", t.mode, g[0] / 1e6, g[1]));
                    }
                    if (round >= 0) {
                        base.recordValue(b / 1000);
                    }
                    log(line + ", load " + loadAverage());
                }
                for (RecoveryTarget t : targets) {
                    JsonNode end = t.daemon.status();
                    notes.add(agent + " (" + t.mode + "): restarts counted by Guardian " + end.path("restarts").asText()
                            + ", phase " + end.path("phase").asText() + "; requests sent while recovering: "
                            + t.attempts + " for " + kills + " kills; non-200 before the first 200: "
                            + (t.failures.isEmpty() ? "none" : t.failures));
                }
            } finally {
                for (RecoveryTarget t : targets) {
                    t.daemon.close();
                }
            }
            rows.add(new String[] {agent, "baseline: agent cold start alone (spawn → ready → init with the same " + memoryBytes / 1000 + " kB memory → 1 request → response)",
                    "" + base.getTotalCount(), ms(base, 50), ms(base, 95), String.format("%.1f", base.getMaxValue() / 1000.0), ""});
            for (RecoveryTarget t : targets) {
                Histogram guard = t.kills;
                rows.add(new String[] {agent, "Guardian (" + (t.mode.equals("standby") ? "`restart.standby: true`" : "cold restart, the default")
                        + "): SIGKILL of the agent → first 200 on POST /v1/invoke",
                        "" + guard.getTotalCount(), ms(guard, 50), ms(guard, 95), String.format("%.1f", guard.getMaxValue() / 1000.0),
                        String.format("%+.1f ms at p50 (%+.1f at p95); paired: %s",
                                (guard.getValueAtPercentile(50) - base.getValueAtPercentile(50)) / 1000.0,
                                (guard.getValueAtPercentile(95) - base.getValueAtPercentile(95)) / 1000.0,
                                pairedMedian(t.pairedMicros))});
            }
        }
        System.out.println("| agent | case | n | p50 ms | p95 ms | max ms | Guardian adds |");
        System.out.println("|---|---|---:|---:|---:|---:|---|");
        for (String[] r : rows) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
        System.out.println();
        for (String n : notes) {
            System.out.println("- " + n);
        }
        System.out.println("- load average at the end: " + loadAverage());
    }

    /**
     * Checkpoints, SIGKILLs the daemon's agent and asks until a 200 comes back, which must show the
     * restored memory from a new process; returns {nanoseconds from the kill to that 200, requests sent}.
     */
    private static long[] killToAnswer(String agent, RecoveryTarget t, int keys, String ask) throws Exception {
        Daemon d = t.daemon;
        d.checkpoint();
        Thread.sleep(200);
        if (t.mode.equals("standby")) {
            awaitReadyStandby(d);
        }
        long pid = d.agentPid();
        long t0 = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no agent pid " + pid)).destroyForcibly();
        int attempts = 0;
        HttpResponse<String> ok = null;
        while (ok == null) {
            attempts++;
            try {
                HttpResponse<String> r = invoke(d.front, ask, Duration.ofSeconds(1));
                if (r.statusCode() == 200) {
                    ok = r;
                } else {
                    t.failures.merge("HTTP " + r.statusCode(), 1, Integer::sum);
                }
            } catch (java.net.http.HttpTimeoutException e) {
                t.failures.merge("client timeout (1 s)", 1, Integer::sum);
            } catch (IOException e) {
                t.failures.merge(e.getClass().getSimpleName(), 1, Integer::sum);
            }
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(60)) {
                throw new IllegalStateException(agent + ": no 200 within 60 s after SIGKILL");
            }
        }
        long g = System.nanoTime() - t0;
        JsonNode p = JSON.readTree(ok.body()).path("payload");
        if (p.path("count").asInt() != 1 || p.path("total").asInt() != keys) {
            throw new IllegalStateException(agent + ": wrong answer after recovery: " + ok.body());
        }
        if (d.agentPid() == pid) {
            throw new IllegalStateException(agent + ": agent pid unchanged after SIGKILL: " + pid);
        }
        Thread.sleep(300);
        return new long[] {g, attempts};
    }

    private static void awaitReadyStandby(Daemon d) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            for (JsonNode i : d.status().path("instances")) {
                if ("standby".equals(i.path("role").asText()) && i.path("ready").asBoolean()) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no ready standby within 30 s: " + d.status());
            }
            Thread.sleep(20);
        }
    }

    /**
     * The median of the round-by-round differences (Guardian's kill->200 minus the same round's cold
     * start: neighbours in time, so a drift of the machine's speed cancels) with its distribution-free
     * 95 % confidence interval from the order statistics (sign test: Binomial(n, 1/2)).
     */
    static String pairedMedian(List<Long> micros) {
        int n = micros.size();
        if (n < 6) {
            return "median difference " + (n == 0 ? "–" : String.format("%+.1f ms", medianOf(micros) / 1000.0)) + " (too few rounds for an interval)";
        }
        List<Long> d = new ArrayList<>(micros);
        Collections.sort(d);
        org.apache.commons.math3.distribution.BinomialDistribution b = new org.apache.commons.math3.distribution.BinomialDistribution(n, 0.5);
        // The largest k with P(B < k) <= 2.5 %: [d(k), d(n-k+1)] covers the median with >= 95 %.
        int k = 1;
        while (k < n / 2 && b.cumulativeProbability(k) <= 0.025) {
            k++;
        }
        return String.format("median difference %+.1f ms, 95 %% CI [%+.1f, %+.1f] (n %d)", medianOf(d) / 1000.0,
                d.get(k - 1) / 1000.0, d.get(n - k) / 1000.0, n);
    }

    private static double medianOf(List<Long> values) {
        List<Long> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2.0;
    }

    /**
     * CPU steal so far in ms (/proc/stat, all CPUs, USER_HZ 100), -1 if unknown. On this microVM the host
     * pauses the whole VM when its CPU quota for a 100 ms period is spent, flushes included
     * (bench/vm_stalls.py, BENCHMARKS.md "WAL"); the guest counts the pause as steal.
     */
    public static long stealMillis() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return f.length > 8 ? Long.parseLong(f[8]) * 10 : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Steal between two {@link #stealMillis()} readings as a share of all CPUs' time over {@code seconds}. */
    static String stealShare(long before, long after, int seconds) {
        if (before < 0 || after < 0) {
            return "?";
        }
        return String.format(java.util.Locale.ROOT, "%.1f %%", 100.0 * (after - before) / (seconds * 1000.0 * Runtime.getRuntime().availableProcessors()));
    }

    static String ms(Histogram h, double pct) {
        return String.format("%.1f", h.getValueAtPercentile(pct) / 1000.0);
    }

    static long coldStart(List<String> cmd, ObjectNode memory, int seq, String askPayload) throws Exception {
        JsonNode payload = JSON.readTree(askPayload);
        long t0 = System.nanoTime();
        long t;
        try (Direct a = new Direct(cmd)) {
            a.expect(Message.Ready.class);
            a.writer.write(new Message.Init(1, "cold-1", Message.Role.PRIMARY, null, memory, seq));
            a.expect(Message.Initialized.class);
            a.writer.write(new Message.Request("r-1", seq + 1, payload, false));
            Message.Response r = a.expect(Message.Response.class);
            t = System.nanoTime() - t0;
            if (!r.ok() || r.payload().path("total").asInt() != seq) {
                throw new IllegalStateException("cold start: wrong answer " + r);
            }
        }
        return t;
    }

    static void learn(String front, int keys) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            fs.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < keys) {
                    HttpResponse<String> r = invoke(front, "{\"op\":\"learn\",\"key\":\"" + key(i) + "\"}", Duration.ofSeconds(30));
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("learn " + i + ": " + r.statusCode() + " " + r.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
    }

    // -------------------------------------------------------------------------------------- overhead

    record Wrk(double rps, double p50us, double p99us, long requests, long non2xx, long errors) {
    }

    static void overhead() throws Exception {
        int rounds = envInt("ROUNDS", 2);
        int conns = envInt("CONNS", 16);
        int duration = envInt("DURATION", 15);
        int warm = envInt("WARMUP", 5);
        Path lua = ROOT.resolve("bench/daemon-post.lua");
        String cp = System.getProperty("java.class.path");
        List<String> out = new ArrayList<>();
        out.add("| agent | server | rounds | req/s (median) | p50 µs | p99 µs | req/s vs baseline | p99 vs baseline | non-2xx / socket errors | per-round req/s | per-round p99 µs | per-round CPU steal | server / agent CPU µs per request (per round) |");
        out.add("|---|---|---:|---:|---:|---:|---:|---:|---|---|---|---|---|");
        List<String> verdicts = new ArrayList<>();
        for (String agent : agents()) {
            List<String> cmd = agentCommand(agent);
            Map<String, List<Wrk>> results = new LinkedHashMap<>();
            Map<String, List<String>> steal = new LinkedHashMap<>();
            Map<String, List<String>> cpu = new LinkedHashMap<>();
            for (String server : env("SERVERS", "baseline guardian").trim().split("\\s+")) {
                results.put(server, new ArrayList<>()); // baseline, guardian (WAL group), guardian-async (WAL async)
                steal.put(server, new ArrayList<>());
                cpu.put(server, new ArrayList<>());
            }
            for (int round = 1; round <= rounds; round++) {
                for (String server : results.keySet()) {
                    String url;
                    AutoCloseable stop;
                    ProcessHandle serverProcess;
                    if (server.equals("baseline")) {
                        List<String> pc = new ArrayList<>(List.of("java", "-cp", cp, PlainPipeServer.class.getName(), "0"));
                        pc.addAll(cmd);
                        Process p = new ProcessBuilder(pc).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                        String line = r.readLine();
                        url = "http://127.0.0.1:" + line.substring(5);
                        serverProcess = p.toHandle();
                        stop = () -> {
                            p.destroy();
                            p.waitFor(20, TimeUnit.SECONDS);
                        };
                    } else {
                        Path dir = freshDir("overhead-" + agent);
                        List<String> args;
                        if (server.startsWith("guardian-f")) {
                            // guardian-fN: WAL group mode with wal.group_forcers N (the default is the WAL's 4)
                            Path cfg = dir.resolveSibling(dir.getFileName() + ".yaml");
                            Files.writeString(cfg, "agent:\n  command: " + JSON.writeValueAsString(cmd) + "\n"
                                    + "data_dir: " + dir + "\nwal: {group_forcers: " + server.substring("guardian-f".length()) + "}\n"
                                    + "front_door: 127.0.0.1:0\nadmin: 127.0.0.1:0\n");
                            args = List.of("--config", cfg.toString());
                        } else {
                            args = new ArrayList<>(List.of("--data-dir", dir.toString(), "--front-door", "127.0.0.1:0",
                                    "--admin", "127.0.0.1:0", "--"));
                            if (server.equals("guardian-async")) {
                                args.addAll(0, List.of("--durability", "async"));
                            }
                            args.addAll(cmd);
                        }
                        Daemon d = new Daemon(dir, args);
                        url = d.front;
                        serverProcess = d.process.toHandle();
                        stop = d;
                    }
                    try {
                        if (invoke(url, "{\"op\":\"learn\",\"key\":\"k42\"}", Duration.ofSeconds(30)).statusCode() != 200) {
                            throw new IllegalStateException(server + ": first request failed");
                        }
                        // guardian-keyed: the default server, each request with an idempotency key of its own
                        Path script = server.equals("guardian-keyed") ? ROOT.resolve("bench/daemon-post-keyed.lua") : lua;
                        wrk(url, script, conns, warm);
                        String load = loadAverage();
                        long stealBefore = stealMillis();
                        long serverBefore = cpuNanos(serverProcess);
                        long agentBefore = descendantsCpuNanos(serverProcess);
                        Wrk w = wrk(url, script, conns, duration);
                        String stolen = stealShare(stealBefore, stealMillis(), duration);
                        String perRequest = String.format("%.0f / %.0f",
                                (cpuNanos(serverProcess) - serverBefore) / 1000.0 / Math.max(1, w.requests),
                                (descendantsCpuNanos(serverProcess) - agentBefore) / 1000.0 / Math.max(1, w.requests));
                        results.get(server).add(w);
                        steal.get(server).add(stolen);
                        cpu.get(server).add(perRequest);
                        log(String.format("%s %s round %d: %.0f req/s p50 %.0f µs p99 %.0f µs non2xx %d errors %d; CPU steal %s; "
                                + "server/agent CPU µs per request %s; load %s",
                                agent, server, round, w.rps, w.p50us, w.p99us, w.non2xx, w.errors, stolen, perRequest, load));
                    } finally {
                        stop.close();
                    }
                }
            }
            Wrk b = median(results.get("baseline"));
            for (Map.Entry<String, List<Wrk>> e : results.entrySet()) {
                Wrk m = median(e.getValue());
                long bad = e.getValue().stream().mapToLong(w -> w.non2xx + w.errors).sum();
                out.add(String.format("| %s | %s | %d | %,.0f | %,.0f | %,.0f | %.2f | %.2f | %d | %s | %s | %s | %s |", agent,
                        switch (e.getKey()) {
                            case "baseline" -> "baseline: JDK HttpServer → pipe, no WAL, no supervision";
                            case "guardian" -> "Guardian `run` (WAL group, default)";
                            case "guardian-async" -> "Guardian `run --durability async` (diagnostic)";
                            case "guardian-keyed" -> "Guardian `run` (WAL group), every request with its own idempotency key";
                            default -> "Guardian `run`, WAL group with `group_forcers: " + e.getKey().substring("guardian-f".length()) + "`";
                        }, e.getValue().size(), m.rps, m.p50us, m.p99us,
                        m.rps / b.rps, m.p99us / b.p99us, bad,
                        e.getValue().stream().map(w -> String.format("%,.0f", w.rps)).toList(),
                        e.getValue().stream().map(w -> String.format("%,.0f", w.p99us)).toList(), steal.get(e.getKey()),
                        cpu.get(e.getKey())));
                if (e.getKey().startsWith("guardian")) {
                    verdicts.add(String.format("%s " + e.getKey() + ": throughput %.2f of baseline (goal ≥ 0.95: %s); p99 %.2f × baseline (goal ≤ 1.10: %s)",
                            agent, m.rps / b.rps, m.rps / b.rps >= 0.95 ? "met" : "NOT met", m.p99us / b.p99us,
                            m.p99us / b.p99us <= 1.10 ? "met" : "NOT met"));
                }
            }
        }
        out.forEach(System.out::println);
        System.out.println();
        verdicts.forEach(v -> System.out.println("- " + v));
        System.out.println("- load average at the end: " + loadAverage());
    }

    /** CPU time of a process (all its threads) so far, in ns; 0 when unknown. */
    static long cpuNanos(ProcessHandle p) {
        return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** CPU time so far of a process's live descendants (the agent, behind any shim), in ns. */
    static long descendantsCpuNanos(ProcessHandle p) {
        return p.descendants().mapToLong(DaemonBench::cpuNanos).sum();
    }

    static Wrk median(List<Wrk> ws) {
        List<Double> rps = new ArrayList<>(ws.stream().map(Wrk::rps).toList());
        List<Double> p50 = new ArrayList<>(ws.stream().map(Wrk::p50us).toList());
        List<Double> p99 = new ArrayList<>(ws.stream().map(Wrk::p99us).toList());
        return new Wrk(med(rps), med(p50), med(p99), 0, 0, 0);
    }

    static double med(List<Double> xs) {
        Collections.sort(xs);
        int n = xs.size();
        return n % 2 == 1 ? xs.get(n / 2) : (xs.get(n / 2 - 1) + xs.get(n / 2)) / 2;
    }

    static Wrk wrk(String base, Path lua, int conns, int seconds) throws Exception {
        List<String> cmd = List.of("wrk", "-t2", "-c" + conns, "-d" + seconds + "s", "--latency", "-s", lua.toString(),
                base + "/v1/invoke");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        double rps = Double.parseDouble(find(text, "Requests/sec:\\s+([0-9.]+)", "0"));
        double p50 = micros(find(text, "\\s50%\\s+([0-9.]+\\w+)", "0us"));
        double p99 = micros(find(text, "\\s99%\\s+([0-9.]+\\w+)", "0us"));
        long requests = Long.parseLong(find(text, "(\\d+) requests in", "0"));
        long non2xx = Long.parseLong(find(text, "Non-2xx or 3xx responses:\\s+(\\d+)", "0"));
        Matcher m = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(text);
        long errors = 0;
        if (m.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(m.group(i));
            }
        }
        if (rps == 0) {
            throw new IllegalStateException("wrk output not understood:\n" + text);
        }
        return new Wrk(rps, p50, p99, requests, non2xx, errors);
    }

    static String find(String text, String regex, String dflt) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : dflt;
    }

    static double micros(String v) {
        Matcher m = Pattern.compile("([0-9.]+)(us|ms|s|m)").matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(v);
        }
        double x = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> x;
            case "ms" -> x * 1e3;
            case "s" -> x * 1e6;
            default -> x * 60e6;
        };
    }

    // ------------------------------------------------------------------------------------------ wrap

    record Pipelined(double seconds, int ok, int notOk) {
    }

    static void wrap() throws Exception {
        int n = envInt("N", 20_000);
        int rounds = envInt("ROUNDS", 3);
        List<String> out = new ArrayList<>();
        out.add("| agent | path | rounds | N | req/s (median) | vs direct | per-round req/s | responses not ok |");
        out.add("|---|---|---:|---:|---:|---:|---|---:|");
        for (String agent : agents()) {
            List<String> cmd = agentCommand(agent);
            Map<String, List<Pipelined>> res = new LinkedHashMap<>();
            for (String path : env("PATHS", "direct wrap").trim().split("\\s+")) {
                res.put(path, new ArrayList<>()); // direct, wrap (WAL group), wrap-async (WAL async)
            }
            for (int round = 0; round <= rounds; round++) { // round 0: warm-up, not recorded
                for (String path : res.keySet()) {
                    List<String> c = cmd;
                    if (path.startsWith("wrap")) {
                        Path dir = freshDir("wrap-" + agent);
                        c = new ArrayList<>(List.of(ROOT.resolve("bin/guardian").toString(), "wrap", "--data-dir",
                                dir.toString(), "--admin", "127.0.0.1:0"));
                        if (path.equals("wrap-async")) {
                            c.addAll(List.of("--durability", "async"));
                        }
                        c.add("--");
                        c.addAll(cmd);
                    }
                    Pipelined p = pipelined(c, round == 0 ? Math.min(n, 2000) : n);
                    log(String.format("%s %s round %d: %.0f req/s (%d ok, %d not ok); load %s", agent, path, round,
                            (p.ok + p.notOk) / p.seconds, p.ok, p.notOk, loadAverage()));
                    if (round > 0) {
                        res.get(path).add(p);
                    }
                }
            }
            double direct = med(new ArrayList<>(res.get("direct").stream().map(p -> (p.ok + p.notOk) / p.seconds).toList()));
            for (Map.Entry<String, List<Pipelined>> e : res.entrySet()) {
                double m = med(new ArrayList<>(e.getValue().stream().map(p -> (p.ok + p.notOk) / p.seconds).toList()));
                out.add(String.format("| %s | %s | %d | %,d | %,.0f | %.2f | %s | %d |", agent,
                        switch (e.getKey()) {
                            case "direct" -> "direct pipe to the agent";
                            case "wrap" -> "`guardian wrap -- AGENT` (WAL group, default)";
                            default -> "`guardian wrap --durability async -- AGENT` (diagnostic)";
                        },
                        e.getValue().size(), n, m, m / direct,
                        e.getValue().stream().map(p -> String.format("%,.0f", (p.ok + p.notOk) / p.seconds)).toList(),
                        e.getValue().stream().mapToInt(Pipelined::notOk).sum()));
            }
        }
        out.forEach(System.out::println);
        System.out.println();
        System.out.println("- load average at the end: " + loadAverage());
    }

    /** Spawns cmd, handshakes, writes n requests as fast as the pipe takes them while another thread reads the answers. */
    static Pipelined pipelined(List<String> cmd, int n) throws Exception {
        Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ProtocolWriter writer = CODEC.writer(proc.getOutputStream());
        ProtocolReader reader = CODEC.reader(proc.getInputStream());
        try {
            PlainPipeServer.expect(reader, Message.Ready.class);
            writer.write(new Message.Init(1, "bench-1", Message.Role.PRIMARY, null, null, 0));
            PlainPipeServer.expect(reader, Message.Initialized.class);
            List<JsonNode> payloads = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                payloads.add(JSON.readTree("{\"op\":\"learn\",\"key\":\"k" + i + "\"}"));
            }
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger bad = new AtomicInteger();
            String[] firstError = new String[1];
            long t0 = System.nanoTime();
            Thread readerThread = new Thread(() -> {
                int got = 0;
                while (got < n) {
                    Frame f = reader.next();
                    if (f instanceof Frame.Closed c) {
                        throw new IllegalStateException("closed after " + got + " responses: " + c.reason());
                    }
                    if (f instanceof Frame.Received r && r.message() instanceof Message.Response resp) {
                        got++;
                        (resp.ok() ? ok : bad).incrementAndGet();
                        if (!resp.ok() && firstError[0] == null) {
                            firstError[0] = resp.error().code() + ": " + resp.error().message();
                        }
                    }
                }
            });
            readerThread.start();
            for (int i = 0; i < n; i++) {
                writer.writeBuffered(new Message.Request("r-" + i, i + 1, payloads.get(i % 1000), false));
                if ((i & 63) == 63) {
                    writer.flush();
                }
            }
            writer.flush();
            readerThread.join(TimeUnit.MINUTES.toMillis(5));
            if (readerThread.isAlive()) {
                throw new IllegalStateException(cmd + ": not all " + n + " responses within 5 min (" + ok + " ok, " + bad + " not ok)");
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (firstError[0] != null) {
                log("first response not ok: " + firstError[0]);
            }
            return new Pipelined(s, ok.get(), bad.get());
        } finally {
            try {
                writer.write(new Message.Shutdown(2000));
                writer.close();
            } catch (IOException ignored) {
                // gone
            }
            if (!proc.waitFor(20, TimeUnit.SECONDS)) {
                proc.destroyForcibly().waitFor();
            }
        }
    }
}
