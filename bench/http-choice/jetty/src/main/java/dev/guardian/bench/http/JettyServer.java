package dev.guardian.bench.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.nio.ByteBuffer;

/** Jetty 12, core Handler API (no servlets): async body read, async write when the agent answers. */
public class JettyServer implements HttpCandidate {
    private QueuedThreadPool pool;

    @Override
    public void start(FrontDoor door, int port) throws Exception {
        pool = new QueuedThreadPool(32, 4);
        pool.setName("jetty");
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory());
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(nonBlocking() ? new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return serve(door, request, response, callback);
            }
        } : new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return serve(door, request, response, callback);
            }
        });
        server.start();
    }

    /** {@code true}: declare the handler non-blocking, so Jetty may call it on the selector thread. */
    protected boolean nonBlocking() {
        return false;
    }

    private static boolean serve(FrontDoor door, Request request, Response response, Callback callback) {
        if (!FrontDoor.PATH.equals(Request.getPathInContext(request))) {
            send(response, callback, FrontDoor.NOT_FOUND);
        } else if (!"POST".equals(request.getMethod())) {
            send(response, callback, FrontDoor.NOT_ALLOWED);
        } else {
            Content.Source.asByteArrayAsync(request, 1 << 20)
                    .thenCompose(door::invoke)
                    .whenComplete((r, e) -> {
                        if (e != null) callback.failed(e);
                        else send(response, callback, r);
                    });
        }
        return true;
    }

    private static void send(Response response, Callback callback, FrontDoor.Reply r) {
        response.setStatus(r.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, r.body().length);
        response.write(true, ByteBuffer.wrap(r.body()), callback);
    }

    @Override
    public String describe() {
        return "Jetty " + Server.getVersion() + ", core Handler" + (nonBlocking() ? ".NonBlocking" : "") + ", QueuedThreadPool max 32, 1 acceptor, 1 selector";
    }
}
