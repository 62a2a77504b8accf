package dev.guardian.http.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The clock a connection runs against, first in its pipeline (it sees raw bytes, before they are
 * parsed): waiting for a request, the connection may stay {@code idle} that long; once a request's
 * first byte is in, the whole request must be in within {@code read} (else 408, closed); while the
 * request is handled no clock runs (the request timeout is the supervisor's). Netty's
 * {@code IdleStateHandler} measures the time since the last read, which a client sending a byte every
 * few seconds resets for ever; this is a deadline from the first byte instead.
 *
 * <p>Threading: every method runs on the connection's event loop.
 */
public final class RequestDeadline extends ChannelDuplexHandler {

    private enum Phase { IDLE, READING, HANDLING }

    private static final RawReply TIMED_OUT = new RawReply(408, "Request Timeout", "request_timeout",
            "the request did not arrive whole in time");

    private final long readNanos;
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.IDLE;
    private ScheduledFuture<?> timer;

    public RequestDeadline(long readNanos, long idleNanos) {
        this.readNanos = readNanos;
        this.idleNanos = idleNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        arm(idleNanos);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.IDLE && msg instanceof ByteBuf b && b.isReadable()) {
            phase = Phase.READING;
            arm(readNanos);
        }
        ctx.fireChannelRead(msg);
    }

    /** A whole request is in: no clock while it is handled. */
    public void handling() {
        phase = Phase.HANDLING;
        cancel();
    }

    /** Its reply is written: the connection waits for the next request. */
    public void answered() {
        phase = Phase.IDLE;
        arm(idleNanos);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void arm(long nanos) {
        cancel();
        timer = ctx.executor().schedule(this::expired, nanos, TimeUnit.NANOSECONDS);
    }

    private void expired() {
        if (phase == Phase.READING) {
            // Written raw (this handler sits before the HTTP encoder): the request never became one.
            ctx.writeAndFlush(TIMED_OUT.buffer()).addListener(ChannelFutureListener.CLOSE);
        } else if (phase == Phase.IDLE) {
            ctx.close();
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
