package dev.guardian.testsupport;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real {@code guardian run} process on a data directory, with an HTTP client for its front door. */
public final class DaemonProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** An answer from the front door. */
    public record Reply(int status, JsonNode body) {
    }

    private final Process process;
    private final Path dataDir;
    private final Path log;
    private String frontDoor;

    private DaemonProcess(Process process, Path dataDir, Path log) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
    }

    /** Starts {@code guardian run --data-dir DIR --front-door 127.0.0.1:0 --admin 127.0.0.1:0 ARGS...}. */
    public static DaemonProcess start(Path dataDir, String... args) throws IOException {
        return startOn(dataDir, "127.0.0.1:0", "127.0.0.1:0", args);
    }

    /**
     * Starts {@code guardian run} on fixed endpoints: {@link #invoke} may be called at once, before the
     * port accepts (as a client that retries through a restart does).
     */
    public static DaemonProcess startOn(Path dataDir, String frontDoorEndpoint, String adminEndpoint, String... args)
            throws IOException {
        DaemonProcess d = launch(dataDir, frontDoorEndpoint, adminEndpoint, args);
        if (!frontDoorEndpoint.endsWith(":0")) {
            d.frontDoor = "http://" + frontDoorEndpoint;
        }
        return d;
    }

    /** A free loopback port (free when asked; a test binds it soon after). */
    public static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static DaemonProcess launch(Path dataDir, String frontDoorEndpoint, String adminEndpoint, String... args)
            throws IOException {
        List<String> all = new ArrayList<>(List.of("run", "--data-dir", dataDir.toString(),
                "--front-door", frontDoorEndpoint, "--admin", adminEndpoint));
        all.addAll(List.of(args));
        Files.createDirectories(dataDir);
        Path log = Files.createTempFile(dataDir.getParent(), "guardian-run", ".log");
        Process p = new ProcessBuilder(GuardianCli.command(all.toArray(String[]::new)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new DaemonProcess(p, dataDir, log);
    }

    /** Waits until the front door answers /v1/health with 200. */
    public DaemonProcess awaitOpen(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("guardian run exited with " + process.exitValue() + ":\n" + output());
            }
            Path info = dataDir.resolve("daemon.json");
            if (!Files.exists(info)) {
                return false;
            }
            frontDoor = "http://" + JSON.readTree(info.toFile()).path("front_door").asText();
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(frontDoor + "/v1/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return this;
    }

    /** POST /v1/invoke; an idempotency key when {@code key} is not null. */
    public Reply invoke(String payloadJson, String key) throws IOException, InterruptedException {
        String body = "{\"payload\":" + payloadJson + (key == null ? "" : ",\"idempotency_key\":\"" + key + "\"") + "}";
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(frontDoor + "/v1/invoke"))
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), JSON.readTree(r.body()));
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL, as a crash would. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
