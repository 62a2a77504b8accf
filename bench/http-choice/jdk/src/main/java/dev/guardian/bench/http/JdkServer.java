package dev.guardian.bench.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * JDK {@code com.sun.net.httpserver}, asynchronous: the handler reads the body, hands it to the agent
 * and returns; the answer is written later on the same small fixed pool (2 × cores threads), so a
 * few threads serve any number of connections. No virtual threads (Java 17).
 */
public class JdkServer implements HttpCandidate {
    protected ExecutorService pool;
    protected int threads;

    @Override
    public void start(FrontDoor door, int port) throws IOException {
        // the JDK server does not set TCP_NODELAY by default; with headers and body written
        // separately that can stall on Nagle + delayed ACK. Must be set before the first server.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        threads = poolSize();
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "jdk-http");
            t.setDaemon(true);
            return t;
        });
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.setExecutor(pool);
        server.createContext("/", ex -> handle(door, ex));
        server.start();
    }

    protected int poolSize() {
        return 2 * Runtime.getRuntime().availableProcessors();
    }

    protected void handle(FrontDoor door, HttpExchange ex) throws IOException {
        if (!FrontDoor.PATH.equals(ex.getRequestURI().getPath())) {
            send(ex, FrontDoor.NOT_FOUND);
        } else if (!"POST".equals(ex.getRequestMethod())) {
            send(ex, FrontDoor.NOT_ALLOWED);
        } else {
            byte[] body = ex.getRequestBody().readAllBytes();
            door.invoke(body).whenCompleteAsync((r, e) -> send(ex, r), pool);
        }
    }

    protected static void send(HttpExchange ex, FrontDoor.Reply r) {
        try (OutputStream os = ex.getResponseBody()) {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(r.status(), r.body().length);
            os.write(r.body());
        } catch (IOException e) {
            ex.close();
        }
    }

    @Override
    public String describe() {
        return "JDK HttpServer, async completion, fixed pool of " + threads + " threads, nodelay";
    }
}
