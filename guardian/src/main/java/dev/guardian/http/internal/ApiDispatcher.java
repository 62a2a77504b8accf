package dev.guardian.http.internal;

import dev.guardian.http.HttpApi;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each whole request of a connection to the {@link HttpApi} on the worker pool, one at a time,
 * and writes its reply when the API's future completes. Nothing here blocks the event loop, and the
 * API never runs before its request is whole: a slow client holds only its own connection's buffers.
 * Requests a client sends before its previous one is answered (pipelining) wait here, in order;
 * reading stops meanwhile, so a client cannot queue without bound.
 *
 * <p>Threading: Netty calls this on the connection's event loop; the API runs on {@code workers};
 * replies are written back on the event loop.
 */
public final class ApiDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(ApiDispatcher.class);
    /** Pipelined requests kept waiting per connection; a client sending more is closed. */
    private static final int MAX_WAITING = 16;

    private final HttpApi api;
    private final ExecutorService workers;
    private final RequestDeadline deadline;
    private final ArrayDeque<Parsed> waiting = new ArrayDeque<>();
    private boolean busy;

    public ApiDispatcher(HttpApi api, ExecutorService workers, RequestDeadline deadline) {
        this.api = api;
        this.workers = workers;
        this.deadline = deadline;
    }

    /** A request taken out of Netty's buffers (which are released at once). */
    private record Parsed(HttpApi.Request request, boolean keepAlive, HttpApi.Reply refusal) {
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        deadline.handling();
        if (waiting.size() >= MAX_WAITING) {
            ctx.close();
            return;
        }
        waiting.add(parse(msg));
        ctx.channel().config().setAutoRead(false);
        if (!busy) {
            next(ctx);
        }
    }

    private static Parsed parse(FullHttpRequest msg) {
        DecoderResult result = msg.decoderResult();
        if (result.isFailure()) {
            return new Parsed(null, false, refusal(result.cause()));
        }
        Map<String, String> headers = new HashMap<>();
        for (Map.Entry<String, String> h : msg.headers()) {
            // The first of a repeated header, as the API has always seen them.
            headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
        }
        String path = new QueryStringDecoder(msg.uri()).path();
        HttpApi.Request request = new HttpApi.Request(msg.method().name(), path, headers, ByteBufUtil.getBytes(msg.content()));
        return new Parsed(request, HttpUtil.isKeepAlive(msg), null);
    }

    private static HttpApi.Reply refusal(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return Replies.error(431, "headers_too_large", "the request's headers are larger than the server accepts");
        }
        if (cause instanceof TooLongHttpLineException) {
            return Replies.error(414, "uri_too_long", "the request line is longer than the server accepts");
        }
        return Replies.error(400, "bad_request", "not a valid HTTP/1.1 request: " + cause.getMessage());
    }

    private void next(ChannelHandlerContext ctx) {
        Parsed p = waiting.poll();
        if (p == null) {
            busy = false;
            deadline.answered();
            ctx.channel().config().setAutoRead(true);
            return;
        }
        busy = true;
        if (p.refusal() != null) {
            write(ctx, p.refusal(), false);
            return;
        }
        try {
            workers.execute(() -> call(ctx, p));
        } catch (RejectedExecutionException e) {
            ctx.close(); // the server is closing
        }
    }

    private void call(ChannelHandlerContext ctx, Parsed p) {
        CompletableFuture<HttpApi.Reply> answer;
        try {
            answer = api.handle(p.request(), workers);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((reply, e) -> {
            HttpApi.Reply r = e == null ? reply : HttpApi.Reply.text(500, "internal error: " + e);
            ctx.executor().execute(() -> write(ctx, r, p.keepAlive()));
        });
    }

    private void write(ChannelHandlerContext ctx, HttpApi.Reply reply, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status()),
                Unpooled.wrappedBuffer(reply.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        reply.headers().forEach((k, v) -> response.headers().set(k, v));
        HttpUtil.setContentLength(response, reply.body().length);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(response).addListener(f -> {
            if (f.isSuccess()) {
                next(ctx);
            } else {
                LOG.debug("could not send a reply: {}", f.cause().toString());
                ctx.close();
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the client, a write timeout: nothing to tell it.
        LOG.debug("connection failed: {}", cause.toString());
        ctx.close();
    }

    /** Error replies in the API's shape. */
    static final class Replies {
        private Replies() {
        }

        static HttpApi.Reply error(int status, String code, String message) {
            String body = "{\"error\":{\"code\":\"" + code + "\",\"message\":\""
                    + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}}";
            return HttpApi.Reply.json(status, body.getBytes(StandardCharsets.UTF_8));
        }
    }
}
