package dev.guardian.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.guardian.protocol.Codec;
import dev.guardian.protocol.Frame;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolReader;
import dev.guardian.protocol.ProtocolWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Baseline for the overhead benchmark (issue 5): the same HTTP server library and thread settings as
 * {@code dev.guardian.http.JdkHttpServer} (JDK server, backlog 1024, fixed pool of 4, nodelay, reply
 * written on the pool when the agent answers), calling the same agent over a pipe with the project's
 * codec, but with NO write-ahead log, NO vault, NO supervision (no heartbeat, no restart).
 * {@code POST /v1/invoke {"payload":...}} -> {@code 200 {"ok":true,"seq":N,"payload":...}}; GET /v1/health -> 200.
 *
 * <p>Usage: {@code PlainPipeServer PORT AGENT_CMD...} (PORT 0: any; the bound port is printed as "port N").
 */
public final class PlainPipeServer {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(args[0]);
        List<String> cmd = List.of(args).subList(1, args.length);
        Codec codec = Codec.ofDefaults();
        Process agent = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ProtocolWriter writer = codec.writer(agent.getOutputStream());
        ProtocolReader reader = codec.reader(agent.getInputStream());
        expect(reader, Message.Ready.class);
        writer.write(new Message.Init(1, "plain-1", Message.Role.PRIMARY, null, null, 0));
        expect(reader, Message.Initialized.class);

        Map<String, CompletableFuture<Message.Response>> pending = new ConcurrentHashMap<>();
        LinkedBlockingQueue<Message> outbox = new LinkedBlockingQueue<>();
        Thread w = new Thread(() -> {
            try {
                while (true) {
                    Message m = outbox.take();
                    writer.writeBuffered(m);
                    Message more;
                    while ((more = outbox.poll()) != null) {
                        writer.writeBuffered(more);
                    }
                    writer.flush();
                }
            } catch (InterruptedException | IOException e) {
                System.err.println("writer: " + e);
            }
        }, "agent-stdin");
        w.setDaemon(true);
        w.start();
        Thread r = new Thread(() -> {
            while (true) {
                Frame f = reader.next();
                if (f instanceof Frame.Closed) {
                    System.err.println("agent closed stdout");
                    System.exit(1);
                }
                if (f instanceof Frame.Received rec) {
                    if (rec.message() instanceof Message.Response resp) {
                        CompletableFuture<Message.Response> fut = pending.remove(resp.id());
                        if (fut != null) {
                            fut.complete(resp);
                        }
                    } else if (rec.message() instanceof Message.Ping p) {
                        outbox.add(new Message.Pong(p.nonce()));
                    }
                }
            }
        }, "agent-stdout");
        r.setDaemon(true);
        r.start();

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        AtomicLong n = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(4, rr -> {
            Thread t = new Thread(rr, "plain-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AtomicLong seq = new AtomicLong();
        server.setExecutor(pool);
        server.createContext("/", exchange -> {
            try {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readNBytes(codec.maxLineBytes() + 1);
                }
                String path = exchange.getRequestURI().getPath();
                if (path.equals("/v1/health")) {
                    send(exchange, 200, "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                if (!path.equals("/v1/invoke") || !exchange.getRequestMethod().equals("POST")) {
                    send(exchange, 404, "{}".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                JsonNode root = JSON.readTree(body);
                JsonNode payload = root == null ? null : root.get("payload");
                if (payload == null) {
                    send(exchange, 400, "{\"error\":\"no payload\"}".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                long s = seq.incrementAndGet();
                String id = "r-" + s;
                CompletableFuture<Message.Response> fut = new CompletableFuture<>();
                pending.put(id, fut);
                outbox.add(new Message.Request(id, s, payload, false));
                fut.whenCompleteAsync((resp, err) -> {
                    ObjectNode out = JSON.createObjectNode();
                    out.put("ok", resp.ok()).put("seq", s);
                    if (resp.ok()) {
                        out.set("payload", resp.payload());
                    } else {
                        out.putPOJO("error", resp.error());
                    }
                    try {
                        send(exchange, resp.ok() ? 200 : 422, JSON.writeValueAsBytes(out));
                    } catch (IOException e) {
                        exchange.close();
                    }
                }, pool);
            } catch (IOException | RuntimeException e) {
                exchange.close();
            }
        });
        server.start();
        System.out.println("port " + server.getAddress().getPort());
        System.out.flush();
        // Runs until killed; the agent exits when our stdin-side pipe closes.
        Runtime.getRuntime().addShutdownHook(new Thread(agent::destroy));
        Thread.currentThread().join();
    }

    private static void send(HttpExchange exchange, int status, byte[] body) {
        try {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            // client gone
        } finally {
            exchange.close();
        }
    }

    static <T extends Message> T expect(ProtocolReader reader, Class<T> type) {
        while (true) {
            Frame f = reader.next();
            if (f instanceof Frame.Received rec && type.isInstance(rec.message())) {
                return type.cast(rec.message());
            }
            if (f instanceof Frame.Closed c) {
                throw new IllegalStateException("agent closed stdout before " + type.getSimpleName() + ": " + c.reason());
            }
        }
    }
}
