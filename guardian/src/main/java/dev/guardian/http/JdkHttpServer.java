package dev.guardian.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.guardian.config.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts an {@link HttpApi} on the JDK's built-in HTTP server, chosen by measurement (BENCHMARKS.md:
 * no dependency, least memory, fastest start; Netty was faster only where the WAL is the limit).
 * Requests are read on a small pool and handed off at once; replies are written on the same pool
 * when the API's future completes, so a slow agent never holds a pool thread.
 * Bodies above {@code maxBodyBytes} are refused with 413.
 */
public final class JdkHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdkHttpServer.class);

    private final HttpServer server;
    private final ExecutorService pool;

    private JdkHttpServer(HttpServer server, ExecutorService pool) {
        this.server = server;
        this.pool = pool;
    }

    static {
        // The JDK server leaves Nagle's algorithm on unless told otherwise: small replies would wait.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public static JdkHttpServer start(String name, Endpoint endpoint, HttpApi api, int maxBodyBytes, int threads)
            throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(endpoint.host(), endpoint.port()), 1024);
        } catch (java.net.BindException e) {
            throw new java.net.BindException("cannot listen on " + endpoint + " (" + name + "): " + e.getMessage());
        }
        AtomicLong n = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new PoolThread(r, name + "-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", exchange -> serve(exchange, api, maxBodyBytes, pool));
        server.start();
        return new JdkHttpServer(server, pool);
    }

    /** The address actually bound (the port is chosen when the endpoint asked for port 0). */
    public Endpoint endpoint() {
        InetSocketAddress a = server.getAddress();
        return new Endpoint(a.getHostString(), a.getPort());
    }

    private static void serve(HttpExchange exchange, HttpApi api, int maxBodyBytes, ExecutorService pool) {
        try {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(maxBodyBytes + 1);
            }
            if (body.length > maxBodyBytes) {
                send(exchange, HttpApi.Reply.json(413, ("{\"error\":{\"code\":\"too_large\",\"message\":\"the body is larger than "
                        + maxBodyBytes + " bytes\"}}").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                return;
            }
            Map<String, String> headers = new HashMap<>();
            for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
                if (!h.getValue().isEmpty()) {
                    headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue().get(0));
                }
            }
            HttpApi.Request request = new HttpApi.Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    headers, body);
            CompletableFuture<HttpApi.Reply> answer = api.handle(request, pool);
            // Written on the pool, never on the thread that completed the answer (an agent's reader,
            // a WAL force thread that completes a whole batch); no hand-off when already there
            // (answered at once, or the API finished the reply on the pool).
            answer.whenComplete((r, e) -> {
                if (Thread.currentThread() instanceof PoolThread) {
                    reply(exchange, answer);
                } else {
                    pool.execute(() -> reply(exchange, answer));
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.debug("request failed: {}", e.toString());
            exchange.close();
        }
    }

    private static void reply(HttpExchange exchange, CompletableFuture<HttpApi.Reply> answer) {
        HttpApi.Reply reply;
        try {
            reply = answer.join();
        } catch (RuntimeException e) {
            reply = HttpApi.Reply.text(500, "internal error: " + e);
        }
        send(exchange, reply);
    }

    private static void send(HttpExchange exchange, HttpApi.Reply reply) {
        try {
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        } catch (IOException e) {
            // The client went away; nothing to tell it.
            LOG.debug("could not send a reply: {}", e.toString());
        } finally {
            exchange.close();
        }
    }

    /** Marks the servers' pool threads. */
    private static final class PoolThread extends Thread {
        PoolThread(Runnable r, String name) {
            super(r, name);
        }
    }

    @Override
    public void close() {
        // Up to a second for exchanges in progress (e.g. the reply to the stop request itself).
        server.stop(1);
        pool.shutdownNow();
    }
}
