package dev.guardian.http;

import dev.guardian.config.Endpoint;
import dev.guardian.http.internal.ApiDispatcher;
import dev.guardian.http.internal.BoundedBody;
import dev.guardian.http.internal.ConnectionGate;
import dev.guardian.http.internal.RequestDeadline;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.WriteTimeoutHandler;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hosts an {@link HttpApi} on Netty. Connections are read by a couple of event-loop threads that never
 * wait for a client: a request is parsed as its bytes come, and the API is called on a small worker
 * pool only once it is whole. So a client that sends half a request and stalls holds its socket and a
 * few buffers, never a thread, and is cut off by {@link ServerLimits} (issue 16: with the JDK's server,
 * whose pool threads read the headers, four such clients stopped the front door).
 * The JDK server had been chosen for a lighter start and no dependency (BENCHMARKS.md, HTTP choice), where
 * Netty was measured as fast or faster; the start it adds is measured in bench/restart.sh.
 */
public final class NettyHttpServer implements AutoCloseable {

    private final Channel channel;
    private final EventLoopGroup loops;
    private final ExecutorService workers;
    private final ConnectionGate gate;

    private NettyHttpServer(Channel channel, EventLoopGroup loops, ExecutorService workers, ConnectionGate gate) {
        this.channel = channel;
        this.loops = loops;
        this.workers = workers;
        this.gate = gate;
    }

    /**
     * Listens on {@code endpoint}; {@code ioThreads} event loops read and write, {@code workers} threads
     * run the API.
     */
    public static NettyHttpServer start(String name, Endpoint endpoint, HttpApi api, ServerLimits limits, int ioThreads,
            int workerThreads) throws IOException {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(ioThreads, daemonThreads(name + "-io-"), NioIoHandler.newFactory());
        ExecutorService workers = Executors.newFixedThreadPool(workerThreads, daemonThreads(name + "-http-"));
        ConnectionGate gate = new ConnectionGate(name, limits.maxConnections());
        HttpDecoderConfig decoding = new HttpDecoderConfig()
                .setMaxInitialLineLength(Math.min(limits.maxHeaderBytes(), 8192))
                .setMaxHeaderSize(limits.maxHeaderBytes());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!gate.admit(ch)) {
                            return;
                        }
                        RequestDeadline deadline = new RequestDeadline(limits.readTimeout().toNanos(), limits.idleTimeout().toNanos());
                        ch.pipeline()
                                .addLast(new WriteTimeoutHandler(limits.writeTimeout().toMillis(), TimeUnit.MILLISECONDS))
                                .addLast(deadline)
                                .addLast(new HttpServerCodec(decoding))
                                .addLast(new BoundedBody(limits.maxBodyBytes()))
                                .addLast(new ApiDispatcher(api, workers, deadline));
                    }
                });
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(endpoint.host(), endpoint.port())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownNow();
            Throwable cause = bound.cause();
            String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            BindException e = new BindException("cannot listen on " + endpoint + " (" + name + "): " + why);
            e.initCause(cause);
            throw e;
        }
        return new NettyHttpServer(bound.channel(), loops, workers, gate);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The address actually bound (the port is chosen when the endpoint asked for port 0). */
    public Endpoint endpoint() {
        InetSocketAddress a = (InetSocketAddress) channel.localAddress();
        return new Endpoint(a.getHostString(), a.getPort());
    }

    /** Connections open now. */
    public int openConnections() {
        return gate.open();
    }

    /** Connections refused because {@link ServerLimits#maxConnections()} were open. */
    public long refusedConnections() {
        return gate.refused();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        // Up to a second for replies in progress (e.g. the reply to the stop request itself).
        loops.shutdownGracefully(50, 1000, TimeUnit.MILLISECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        workers.shutdownNow();
    }
}
