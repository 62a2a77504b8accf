package dev.guardian.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.testsupport.DaemonProcess;
import dev.guardian.testsupport.GuardianCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that stall, flood or misbehave, on raw sockets against a real {@code guardian run}, while a
 * normal client keeps being answered on both ports (issue 16, item 7; how fast it is answered meanwhile
 * is measured by {@code bench/stalled.sh}, not asserted here).
 */
class HostileClientIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LEARNER = GuardianCli.repo().resolve("examples/python/learner_agent.py").toString();
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeSockets() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** The ways a connection can hold a server, and what the server must answer before it closes it. */
    private enum Stall {
        /** Half a request line and headers, then nothing. */
        HALF_HEAD("POST /v1/invoke HTTP/1.1\r\nHost: guardian\r\nContent-"),
        /** Whole headers, a tenth of the body. */
        HALF_BODY("POST /v1/invoke HTTP/1.1\r\nHost: guardian\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"payload\""),
        /** Headers a byte at a time, each soon after the last: a deadline that restarted on every byte would never end. */
        DRIP("GET /v1/health HTTP/1.1\r\nHost: guardian\r\nX-Slow: " + "a".repeat(200)),
        /** Connects and sends nothing. */
        IDLE("");

        final byte[] bytes;

        Stall(String text) {
            bytes = text.getBytes(StandardCharsets.US_ASCII);
        }
    }

    @Test
    void fiveHundredStalledConnectionsOnBothPortsHoldNoThreadAndAreCutOffByTheirDeadlines() throws Exception {
        Path data = tmp.resolve("data");
        Path config = config("http: {read_timeout: 10s, idle_timeout: 20s}\n");
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try (DaemonProcess daemon = DaemonProcess.start(data, "--config", config.toString()).awaitOpen(STARTUP)) {
            InetSocketAddress front = address(data, "front_door");
            InetSocketAddress admin = address(data, "admin");
            List<Held> held = new ArrayList<>();
            for (InetSocketAddress port : List.of(front, admin)) {
                for (int i = 0; i < 250; i++) {
                    Stall stall = i < 100 ? Stall.HALF_HEAD : i < 200 ? Stall.HALF_BODY : i < 240 ? Stall.IDLE : Stall.DRIP;
                    Socket s = connect(port);
                    if (stall == Stall.DRIP) {
                        dripInto(drip, s, stall.bytes);
                    } else {
                        s.getOutputStream().write(stall.bytes);
                        s.getOutputStream().flush();
                    }
                    held.add(new Held(s, stall));
                }
            }

            // Meanwhile a normal client is answered on both ports.
            long t0 = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                DaemonProcess.Reply r = daemon.invoke("{\"op\":\"learn\",\"key\":\"k" + (i % 7) + "\"}", "normal-" + i);
                assertThat(r.status()).as("request %d while 500 connections stall", i).isEqualTo(200);
            }
            GuardianCli.Result status = GuardianCli.run("status", "--data-dir", data.toString(), "--json");
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(JSON.readTree(status.stdout()).path("phase").asText()).isEqualTo("OPEN");
            long normalMillis = (System.nanoTime() - t0) / 1_000_000;
            if (normalMillis < 9_000) {
                // Answered while every stalled connection was still held (none had reached its deadline).
                for (Held h : held) {
                    assertThat(stillOpen(h.socket())).as("a %s connection, %d ms in", h.stall(), normalMillis).isTrue();
                }
            }

            // Then each is cut off: those that had begun a request with 408, the idle ones closed silently.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> held.stream().allMatch(h -> h.closed() || h.readUntilClosed()));
            for (Held h : held) {
                String got = h.received();
                if (h.stall() == Stall.IDLE) {
                    assertThat(got).as("an idle connection is closed without a word").isEmpty();
                } else {
                    assertThat(got).as("a %s connection", h.stall()).startsWith("HTTP/1.1 408").contains("\"request_timeout\"");
                }
            }
            assertThat(daemon.invoke("{\"op\":\"learn\",\"key\":\"after\"}", "normal-after").status()).isEqualTo(200);
        } finally {
            drip.shutdownNow();
        }
    }

    @Test
    void floodsOfHeadersLongLinesGarbageAndPipelinedRequestsGetAnAnswerEachAndTheDaemonServesOn() throws Exception {
        Path data = tmp.resolve("data");
        try (DaemonProcess daemon = DaemonProcess.start(data, "--", "python3", LEARNER).awaitOpen(STARTUP)) {
            InetSocketAddress front = address(data, "front_door");
            InetSocketAddress admin = address(data, "admin");
            StringBuilder flood = new StringBuilder("GET /v1/health HTTP/1.1\r\nHost: guardian\r\n");
            for (int i = 0; i < 2000; i++) {
                flood.append("X-Flood-").append(i).append(": ").append("v".repeat(10)).append("\r\n");
            }
            flood.append("\r\n");
            for (InetSocketAddress port : List.of(front, admin)) {
                assertThat(exchange(port, flood.toString())).startsWith("HTTP/1.1 431").contains("\"headers_too_large\"");
                assertThat(exchange(port, "GET /" + "x".repeat(20_000) + " HTTP/1.1\r\nHost: g\r\n\r\n"))
                        .startsWith("HTTP/1.1 414").contains("\"uri_too_long\"");
                assertThat(exchange(port, "HELLO\r\n\r\n")).startsWith("HTTP/1.1 400").contains("\"bad_request\"");
            }

            // Two requests in one write: two answers, in order, on the one connection.
            String two = exchange(front, "GET /v1/health HTTP/1.1\r\nHost: g\r\n\r\n"
                    + invoke("{\"op\":\"learn\",\"key\":\"piped\"}", ""));
            assertThat(two.split("HTTP/1.1 200", -1)).as(two).hasSize(3);
            assertThat(two.indexOf("\"key\":\"piped\"")).as(two).isGreaterThan(two.indexOf("HTTP/1.1 200", 1));

            // An empty or blank Idempotency-Key header is refused, naming it; not taken as the key "".
            for (String key : List.of("", "   ")) {
                String r = exchange(front, invoke("{\"op\":\"learn\",\"key\":\"e\"}", "Idempotency-Key: " + key + "\r\n"));
                assertThat(r).as("key '%s'", key).startsWith("HTTP/1.1 400").containsIgnoringCase("idempotency");
            }
            assertThat(daemon.invoke("{\"op\":\"learn\",\"key\":\"after\"}", "after-1").status()).isEqualTo(200);
            assertThat(GuardianCli.run("status", "--data-dir", data.toString()).exitCode()).isZero();
        }
    }

    @Test
    void pastTheConnectionBoundANewConnectionGets503AndOnceOthersCloseItIsServed() throws Exception {
        Path data = tmp.resolve("data");
        Path config = config("http: {max_connections: 20}\n");
        try (DaemonProcess daemon = DaemonProcess.start(data, "--config", config.toString()).awaitOpen(STARTUP)) {
            InetSocketAddress front = address(data, "front_door");
            // awaitOpen's client may keep a connection for a while: fill up to the bound, whatever it holds.
            List<Socket> filling = new ArrayList<>();
            String answer = "";
            for (int i = 0; i < 25 && !answer.startsWith("HTTP/1.1 503"); i++) {
                Socket s = connect(front);
                filling.add(s);
                s.getOutputStream().write("GET /v1/health HTTP/1.1\r\nHost: g\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                answer = readReply(s);
            }
            assertThat(answer).startsWith("HTTP/1.1 503").contains("\"too_many_connections\"");
            assertThat(filling.size()).as("connections before the bound").isBetween(2, 21);
            for (Socket s : filling) {
                s.close();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> exchange(front, "GET /v1/health HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n")
                    .startsWith("HTTP/1.1 200"));
            assertThat(daemon.output()).contains("http.max_connections");
            String metrics = exchange(address(data, "admin"), "GET /metrics HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n");
            java.util.regex.Matcher refused = java.util.regex.Pattern
                    .compile("guardian_http_refused_connections_total\\{port=\"front_door\"[^}]*} ([0-9.]+)").matcher(metrics);
            assertThat(refused.find()).as(metrics).isTrue();
            assertThat(Double.parseDouble(refused.group(1))).isGreaterThanOrEqualTo(1.0);
        }
    }

    // ---- raw clients

    private record Held(Socket socket, Stall stall, ByteArrayOutputStream in) {
        Held(Socket socket, Stall stall) {
            this(socket, stall, new ByteArrayOutputStream());
        }

        boolean closed() {
            return socket.isClosed();
        }

        /** Reads what has come; true once the server closed the connection. */
        boolean readUntilClosed() {
            byte[] buf = new byte[4096];
            try {
                socket.setSoTimeout(10);
                InputStream s = socket.getInputStream();
                for (int n; (n = s.read(buf)) >= 0; ) {
                    in.write(buf, 0, n);
                }
                socket.close();
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                try {
                    socket.close(); // reset by the server: closed too
                } catch (IOException ignored) {
                    // closed
                }
                return true;
            }
        }

        String received() {
            return in.toString(StandardCharsets.US_ASCII);
        }
    }

    private static boolean stillOpen(Socket s) throws IOException {
        s.setSoTimeout(1);
        try {
            s.getInputStream().read(); // a byte or the end: either way the server did not hold it
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 5_000);
        sockets.add(s);
        return s;
    }

    private static void dripInto(ScheduledExecutorService drip, Socket s, byte[] bytes) {
        int[] next = {0};
        drip.scheduleWithFixedDelay(() -> {
            if (next[0] < bytes.length && !s.isClosed()) {
                try {
                    s.getOutputStream().write(bytes[next[0]++]);
                } catch (IOException ignored) {
                    next[0] = bytes.length; // the server closed it
                }
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
    }

    /** A whole POST /v1/invoke that closes its connection, with more header lines if given. */
    private static String invoke(String payload, String headerLines) {
        String body = "{\"payload\":" + payload + "}";
        return "POST /v1/invoke HTTP/1.1\r\nHost: g\r\nContent-Type: application/json\r\nConnection: close\r\n" + headerLines
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** Sends {@code request} on a new connection and reads everything until the server closes it (or 10 s pass). */
    private String exchange(InetSocketAddress address, String request) throws IOException {
        try (Socket s = connect(address)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(10_000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** Reads one reply (headers and a Content-Length body) from a connection that stays open. */
    private static String readReply(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int contentLength = -1;
        for (int b; (b = in.read()) >= 0; ) {
            got.write(b);
            String text = got.toString(StandardCharsets.US_ASCII);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0) {
                if (contentLength < 0) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(text);
                    contentLength = m.find() ? Integer.parseInt(m.group(1)) : 0;
                }
                if (got.size() >= end + 4 + contentLength) {
                    break;
                }
            }
        }
        return got.toString(StandardCharsets.US_ASCII);
    }

    private Path config(String extra) throws IOException {
        return Files.writeString(tmp.resolve("guardian.yaml"),
                "agent:\n  command: [python3, " + LEARNER + "]\n" + extra);
    }

    private static InetSocketAddress address(Path data, String field) throws IOException {
        JsonNode info = JSON.readTree(data.resolve("daemon.json").toFile());
        String[] hostPort = info.path(field).asText().split(":");
        return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    }
}
