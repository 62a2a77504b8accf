package dev.guardian.bench.http;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;

/**
 * JDK {@code com.sun.net.httpserver}, the simplest style: the handler thread waits for the agent's
 * answer. Needs one pool thread per request in flight, so the pool is sized for the largest
 * concurrency measured (64) rather than for the cores.
 */
public final class JdkBlockingServer extends JdkServer {
    @Override
    protected int poolSize() {
        return 64;
    }

    @Override
    protected void handle(FrontDoor door, HttpExchange ex) throws IOException {
        if (!FrontDoor.PATH.equals(ex.getRequestURI().getPath())) {
            send(ex, FrontDoor.NOT_FOUND);
        } else if (!"POST".equals(ex.getRequestMethod())) {
            send(ex, FrontDoor.NOT_ALLOWED);
        } else {
            send(ex, door.invoke(ex.getRequestBody().readAllBytes()).join());
        }
    }

    @Override
    public String describe() {
        return "JDK HttpServer, blocking handler, fixed pool of " + threads + " threads, nodelay";
    }
}
