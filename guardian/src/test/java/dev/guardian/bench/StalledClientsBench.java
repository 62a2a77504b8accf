package dev.guardian.bench;

import dev.guardian.testsupport.DaemonProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * A normal client's latency through {@code guardian run} (learner agent, POST /v1/invoke, one request at
 * a time on one keep-alive connection) with no other client, and while 500 connections stall (250 per
 * port: half a request head, half a body, or nothing), in alternating phases of one run (issue 16, item
 * 7: p99 within 2x of the idle run), the order alternating by round. Run by {@code bench/stalled.sh}; prints a Markdown table.
 *
 * <p>env: ROUNDS=5 REQUESTS=2000 (per phase) STALLED=500 PYTHON=python3
 */
public final class StalledClientsBench {

    private static final String[] HEADS = {
        "POST /v1/invoke HTTP/1.1\r\nHost: guardian\r\nContent-",
        "POST /v1/invoke HTTP/1.1\r\nHost: guardian\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"payload\"",
        "",
    };

    private StalledClientsBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(System.getenv().getOrDefault("ROUNDS", "5"));
        int requests = Integer.parseInt(System.getenv().getOrDefault("REQUESTS", "2000"));
        int stalled = Integer.parseInt(System.getenv().getOrDefault("STALLED", "500"));
        String python = System.getenv().getOrDefault("PYTHON", "python3");
        Path root = Path.of(System.getProperty("bench.root", "."));
        Path tmp = Files.createTempDirectory("guardian-stalled-bench");
        Path config = Files.writeString(tmp.resolve("guardian.yaml"), "agent:\n  command: [" + python + ", "
                + root.resolve("examples/python/learner_agent.py") + "]\n"
                // Longer than a phase: every stalled connection is held throughout it.
                + "http: {read_timeout: 10m, idle_timeout: 10m}\n");
        Path data = tmp.resolve("data");
        try (DaemonProcess daemon = DaemonProcess.start(data, "--config", config.toString()).awaitOpen(Duration.ofSeconds(60))) {
            String info = Files.readString(data.resolve("daemon.json"));
            InetSocketAddress front = address(info, "front_door");
            InetSocketAddress admin = address(info, "admin");
            HttpClient http = HttpClient.newHttpClient();
            URI invoke = URI.create("http://" + front.getHostString() + ":" + front.getPort() + "/v1/invoke");
            phase(http, invoke, 2 * requests, new Histogram(3)); // warm-up (the JIT: later phases are faster)
            System.out.println("| round | phase | requests | p50 ms | p99 ms | p99.9 ms | max ms | p99 vs idle |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            List<Double> ratios = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                // ABBA: what is still warming up favours neither phase.
                boolean idleFirst = round % 2 == 1;
                Histogram idle = new Histogram(3);
                Histogram busy = new Histogram(3);
                if (idleFirst) {
                    phase(http, invoke, requests, idle);
                }
                List<Socket> held = stall(stalled, front, admin);
                phase(http, invoke, requests, busy);
                for (Socket s : held) {
                    s.close();
                }
                if (!idleFirst) {
                    phase(http, invoke, requests, idle);
                }
                row(round, "idle", idle, idle);
                row(round, stalled + " stalled" + (idleFirst ? " (second)" : " (first)"), busy, idle);
                ratios.add((double) busy.getValueAtPercentile(99) / idle.getValueAtPercentile(99));
                System.err.printf("round %d done%n", round);
            }
            ratios.sort(Double::compare);
            System.out.printf("%nmedian p99 ratio (stalled / idle) over %d rounds: %.2fx (min %.2fx, max %.2fx)%n", rounds,
                    ratios.get(ratios.size() / 2), ratios.get(0), ratios.get(ratios.size() - 1));
        }
    }

    private static void phase(HttpClient http, URI invoke, int requests, Histogram into) throws Exception {
        for (int i = 0; i < requests; i++) {
            HttpRequest r = HttpRequest.newBuilder(invoke).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"payload\":{\"op\":\"learn\",\"key\":\"k" + (i % 13) + "\"}}")).build();
            long t0 = System.nanoTime();
            HttpResponse<Void> response = http.send(r, HttpResponse.BodyHandlers.discarding());
            into.recordValue((System.nanoTime() - t0) / 1_000);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("request " + i + " answered " + response.statusCode());
            }
        }
    }

    private static List<Socket> stall(int n, InetSocketAddress front, InetSocketAddress admin) throws IOException {
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.connect(i % 2 == 0 ? front : admin, 5_000);
            byte[] head = HEADS[i % HEADS.length].getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(head);
            s.getOutputStream().flush();
            held.add(s);
        }
        return held;
    }

    private static void row(int round, String phase, Histogram h, Histogram idle) {
        System.out.printf("| %d | %s | %d | %.3f | %.3f | %.3f | %.3f | %.2fx |%n", round, phase, h.getTotalCount(),
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
                h.getMaxValue() / 1000.0, (double) h.getValueAtPercentile(99) / idle.getValueAtPercentile(99));
    }

    private static InetSocketAddress address(String daemonJson, String field) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + field + "\"\\s*:\\s*\"([^\"]+):(\\d+)\"").matcher(daemonJson);
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in daemon.json: " + daemonJson);
        }
        return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }
}
