package dev.guardian.bench.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one shared child agent, used by every candidate server and by the no-HTTP baseline, so only the
 * HTTP layer differs between candidates. One writer thread owns the agent's stdin (it drains the
 * queue and flushes once per batch), one reader thread owns its stdout and completes the future of
 * each {@code response} by id.
 */
public final class AgentPipe implements AutoCloseable {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] POISON = new byte[0];

    private final Process process;
    private final OutputStream stdin;
    private final BufferedReader stdout;
    private final ConcurrentHashMap<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>();
    private final AtomicLong seq = new AtomicLong();
    private volatile boolean closed;

    private AgentPipe(Process process) {
        this.process = process;
        this.stdin = new BufferedOutputStream(process.getOutputStream(), 64 * 1024);
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8), 64 * 1024);
    }

    /** Starts the agent, does the handshake (ready → init → initialized) and starts the two pipe threads. */
    public static AgentPipe start(List<String> command, File workDir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        AgentPipe pipe = new AgentPipe(pb.start());
        pipe.handshake();
        Thread writer = new Thread(pipe::writeLoop, "agent-stdin-writer");
        Thread reader = new Thread(pipe::readLoop, "agent-stdout-reader");
        writer.setDaemon(true);
        reader.setDaemon(true);
        writer.start();
        reader.start();
        return pipe;
    }

    private void handshake() throws IOException {
        JsonNode ready = readMessage();
        if (ready == null || !"ready".equals(ready.path("type").asText())) {
            throw new IOException("agent did not say ready: " + ready);
        }
        stdin.write("{\"type\":\"init\",\"protocol\":1,\"instance_id\":\"bench\",\"role\":\"primary\",\"memory\":null,\"seq\":0}\n"
                .getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        while (true) {
            JsonNode m = readMessage();
            if (m == null) throw new IOException("agent exited before initialized");
            if ("initialized".equals(m.path("type").asText())) return;
        }
    }

    private JsonNode readMessage() throws IOException {
        String line;
        do {
            line = stdout.readLine();
            if (line == null) return null;
        } while (line.isBlank());
        return MAPPER.readTree(line);
    }

    /** Sends {@code payload} as one protocol request; the future completes with the whole response message. */
    public CompletableFuture<JsonNode> request(JsonNode payload) {
        long n = seq.incrementAndGet();
        String id = "r-" + n;
        ObjectNode msg = MAPPER.createObjectNode();
        msg.put("type", "request").put("id", id).put("seq", n).set("payload", payload);
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        byte[] line;
        try {
            line = MAPPER.writeValueAsBytes(msg);
        } catch (IOException e) {
            f.completeExceptionally(e);
            return f;
        }
        if (closed) {
            f.completeExceptionally(new IOException("agent pipe closed"));
            return f;
        }
        pending.put(id, f);
        outbox.add(line);
        return f;
    }

    private void writeLoop() {
        List<byte[]> batch = new ArrayList<>(256);
        try {
            while (true) {
                batch.add(outbox.take());
                outbox.drainTo(batch, 255);
                for (byte[] line : batch) {
                    if (line == POISON) {
                        stdin.close();
                        return;
                    }
                    stdin.write(line);
                    stdin.write('\n');
                }
                batch.clear();
                if (outbox.isEmpty()) stdin.flush();
            }
        } catch (IOException | InterruptedException e) {
            failAll(e);
        }
    }

    private void readLoop() {
        try {
            JsonNode m;
            while ((m = readMessage()) != null) {
                if ("response".equals(m.path("type").asText())) {
                    CompletableFuture<JsonNode> f = pending.remove(m.path("id").asText());
                    if (f != null) f.complete(m);
                }
                // ping/checkpoint/etc. are not part of this benchmark
            }
            failAll(new IOException("agent closed stdout"));
        } catch (IOException e) {
            failAll(e);
        }
    }

    private void failAll(Exception cause) {
        closed = true;
        pending.values().removeIf(f -> f.completeExceptionally(cause) || true);
    }

    @Override
    public void close() {
        closed = true;
        outbox.add(POISON);
        try {
            process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(2), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroy();
    }
}
