package dev.guardian.http.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the connections open at once on one server: past the bound a new connection gets 503 and is
 * closed before anything is read from it, and a warning is logged (at most every 10 s).
 *
 * <p>Threading: {@link #admit} runs on event loops; counts are atomic.
 */
public final class ConnectionGate {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);
    private static final RawReply FULL = new RawReply(503, "Service Unavailable", "too_many_connections",
            "the server holds as many connections as it allows; retry later");
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;

    private final String name;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastWarn = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    public ConnectionGate(String name, int max) {
        this.name = name;
        this.max = max;
    }

    /** Counts the channel in and true, or refuses it and false. */
    public boolean admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refused.incrementAndGet();
            channel.writeAndFlush(FULL.buffer()).addListener(ChannelFutureListener.CLOSE);
            long now = System.nanoTime();
            long last = lastWarn.get();
            if (now - last >= WARN_EVERY_NANOS && lastWarn.compareAndSet(last, now)) {
                LOG.warn("{}: {} connections open, the most allowed (http.max_connections); refusing new ones ({} so far)",
                        name, max, refused.get());
            }
            return false;
        }
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        return true;
    }

    public int open() {
        return open.get();
    }

    public long refused() {
        return refused.get();
    }
}
