package dev.guardian.bench.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;

/** Vert.x 5 core HTTP server on 2 event loops, native transport preferred. */
public final class VertxServer implements HttpCandidate {
    private Vertx vertx;

    @Override
    public void start(FrontDoor door, int port) throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())
                .setPreferNativeTransport(true));
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true))
                .requestHandler(req -> {
                    if (!FrontDoor.PATH.equals(req.path())) {
                        send(req.response(), FrontDoor.NOT_FOUND);
                    } else if (req.method() != HttpMethod.POST) {
                        send(req.response(), FrontDoor.NOT_ALLOWED);
                    } else {
                        Context ctx = vertx.getOrCreateContext();
                        req.body().onSuccess(buf -> door.invoke(buf.getBytes())
                                        .whenComplete((r, e) -> ctx.runOnContext(v -> send(req.response(), r))))
                                .onFailure(e -> req.response().reset());
                    }
                })
                .listen().toCompletionStage().toCompletableFuture().get();
    }

    private static void send(HttpServerResponse resp, FrontDoor.Reply r) {
        resp.setStatusCode(r.status()).putHeader("content-type", "application/json").end(Buffer.buffer(r.body()));
    }

    @Override
    public String describe() {
        return "Vert.x, " + Runtime.getRuntime().availableProcessors() + " event loops, native transport "
                + vertx.isNativeTransportEnabled();
    }
}
