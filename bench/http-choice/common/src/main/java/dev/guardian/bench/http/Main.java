package dev.guardian.bench.http;

import org.HdrHistogram.Histogram;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code Main CANDIDATE [--port N] [--agent echo|learner] [--repo DIR]} starts one candidate server in
 * front of one shared agent. {@code Main none [--conns 1,16,64] [--duration S] [--warmup S]} drives the
 * same agent pipe and front-door logic from an in-process load loop (no HTTP) and prints one
 * {@code RESULT} line per concurrency.
 */
public final class Main {
    /** The body every client sends (run.sh's wrk script sends the same bytes). */
    public static final String BODY = "{\"payload\":{\"op\":\"learn\",\"key\":\"k42\"},\"idempotency_key\":\"bench-0001\"}";

    private static final Map<String, String> CANDIDATES = Map.of(
            "jdk", "JdkServer",
            "jdk-block", "JdkBlockingServer",
            "jetty", "JettyServer",
            "jetty-nb", "JettyNonBlockingServer",
            "netty", "NettyServer",
            "vertx", "VertxServer");

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        if (args.length < 1) usage();
        String candidate = args[0];
        int port = 18080;
        String agent = "echo";
        String repo = ".";
        String conns = "1,16,64";
        int duration = 15, warmup = 5;
        for (int i = 1; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) usage();
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(v);
                case "--agent" -> agent = v;
                case "--repo" -> repo = v;
                case "--conns" -> conns = v;
                case "--duration" -> duration = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                default -> usage();
            }
        }
        AgentPipe pipe = AgentPipe.start(agentCommand(agent, repo), new File(repo));
        Runtime.getRuntime().addShutdownHook(new Thread(pipe::close));
        FrontDoor door = new FrontDoor(pipe);
        if (candidate.equals("none")) {
            baseline(door, conns, duration, warmup);
            pipe.close();
            return;
        }
        String cls = CANDIDATES.get(candidate);
        if (cls == null) usage();
        HttpCandidate server = (HttpCandidate) Class.forName("dev.guardian.bench.http." + cls)
                .getDeclaredConstructor().newInstance();
        try {
            server.start(door, port);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1); // e.g. port in use: do not linger with live event-loop threads
        }
        System.out.printf("LISTENING %s on 127.0.0.1:%d (%s), agent %s, %d ms after main%n",
                candidate, port, server.describe(), agent, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        System.out.flush();
        Thread.currentThread().join(); // servers run until killed
    }

    static List<String> agentCommand(String agent, String repo) {
        return switch (agent) {
            case "echo" -> List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-XX:+UseSerialGC", "-cp", ownJar(),
                    EchoAgent.class.getName());
            case "learner" -> List.of("python3", new File(repo, "examples/python/learner_agent.py").getAbsolutePath());
            default -> throw new IllegalArgumentException("agent must be echo or learner: " + agent);
        };
    }

    /** The absolute path of the jar (or classes folder) holding EchoAgent: the echo agent needs nothing else. */
    static String ownJar() {
        try {
            return new File(EchoAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getAbsolutePath();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The no-HTTP baseline: {@code n} client threads, each with one request in flight, like wrk's connections. */
    static void baseline(FrontDoor door, String conns, int duration, int warmup) throws Exception {
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        runPhase(door, body, 16, warmup); // warm-up, discarded
        for (String c : conns.split(",")) {
            int n = Integer.parseInt(c.trim());
            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            long count = runPhase(door, body, n, duration, h);
            System.out.printf("RESULT conns=%d rps=%.0f p50_us=%.1f p99_us=%.1f rss_kb=%d%n", n,
                    count / (double) duration, h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0, rssKb());
            System.out.flush();
        }
    }

    private static long runPhase(FrontDoor door, byte[] body, int n, int seconds) throws Exception {
        return runPhase(door, body, n, seconds, new Histogram(TimeUnit.SECONDS.toNanos(10), 3));
    }

    private static long runPhase(FrontDoor door, byte[] body, int n, int seconds, Histogram total) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        List<Histogram> hs = new ArrayList<>();
        long[] counts = new long[n];
        for (int i = 0; i < n; i++) {
            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            hs.add(h);
            int idx = i;
            Thread t = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        long s = System.nanoTime();
                        FrontDoor.Reply r = door.invoke(body).get();
                        if (r.status() != 200) throw new IllegalStateException("status " + r.status());
                        h.recordValue(Math.min(System.nanoTime() - s, TimeUnit.SECONDS.toNanos(10)));
                        counts[idx]++;
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "client-" + i);
            threads.add(t);
            t.start();
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        stop.set(true);
        long sum = 0;
        for (int i = 0; i < n; i++) {
            threads.get(i).join();
            total.add(hs.get(i));
            sum += counts[i];
        }
        return sum;
    }

    static long rssKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", ""));
            }
        } catch (Exception ignored) {
        }
        return -1;
    }

    private static void usage() {
        System.err.println("usage: Main jdk|jdk-block|jetty|jetty-nb|netty|vertx [--port N] [--agent echo|learner] [--repo DIR]\n"
                + "       Main none [--agent echo|learner] [--repo DIR] [--conns 1,16,64] [--duration S] [--warmup S]");
        System.exit(2);
    }
}
