package dev.guardian.daemon;

import dev.guardian.protocol.Codec;
import dev.guardian.protocol.Frame;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolError;
import dev.guardian.protocol.ProtocolReader;
import dev.guardian.protocol.ProtocolWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code guardian wrap}: the front door on Guardian's own stdin/stdout, speaking the agent protocol,
 * so that a program that spawns an agent can spawn Guardian instead without changing. Guardian
 * answers {@code ready}, {@code init} (it keeps the memory itself, so init's memory is ignored),
 * {@code ping}, {@code checkpoint_request} and {@code request} (the request id is the idempotency
 * key; Guardian assigns its own sequence). It returns at stdin EOF or {@code shutdown}.
 *
 * <p>Threading: the calling thread reads; answers are written from whichever thread completes them,
 * through the writer's lock.
 */
public final class StdioFrontDoor {

    private static final Logger LOG = LoggerFactory.getLogger(StdioFrontDoor.class);

    /**
     * Requests in flight at most; beyond it, stdin is not read until answers come back. That is the
     * backpressure a direct pipe gives: a fast writer waits instead of getting "overloaded" errors.
     */
    static final int MAX_IN_FLIGHT = 1_000;

    private final PrimarySupervisor supervisor;
    private final Codec codec;
    private final ProtocolWriter out;
    private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(MAX_IN_FLIGHT);

    public StdioFrontDoor(PrimarySupervisor supervisor, Codec codec, OutputStream stdout) {
        this.supervisor = supervisor;
        this.codec = codec;
        this.out = codec.writer(stdout);
    }

    /** Serves until stdin ends or a shutdown arrives. */
    public void serve(InputStream stdin, String agentName) {
        send(new Message.Ready("guardian:" + agentName, "1", Message.SUPPORTED_VERSIONS, List.of("checkpoint")));
        ProtocolReader reader = codec.reader(stdin);
        while (true) {
            Frame f = reader.next();
            if (f instanceof Frame.Closed c) {
                LOG.info("wrap: stdin ended{}", c.reason() == null ? "" : " (" + c.reason() + ")");
                return;
            }
            if (f instanceof Frame.Rejected r) {
                ProtocolError e = r.error();
                send(new Message.Error(e.kind().code(), e.detail(), e.line()));
                continue;
            }
            Message m = ((Frame.Received) f).message();
            if (m instanceof Message.Shutdown) {
                return;
            }
            handle(m);
        }
    }

    private void handle(Message m) {
        if (m instanceof Message.Request r) {
            inFlight.acquireUninterruptibly();
            supervisor.submit(r.payload(), r.id()).whenComplete((outcome, error) -> {
                inFlight.release();
                if (!r.replay()) {
                    send(error == null ? toResponse(r.id(), outcome)
                            : Message.Response.error(r.id(), "unavailable", String.valueOf(error.getMessage())));
                }
            });
        } else if (m instanceof Message.Ping p) {
            send(new Message.Pong(p.nonce()));
        } else if (m instanceof Message.Init i) {
            if (i.memory() != null && !i.memory().isNull()) {
                LOG.warn("wrap: init carried memory; Guardian keeps the agent's memory itself and ignores it");
            }
            send(new Message.Initialized(i.seq()));
        } else if (m instanceof Message.CheckpointRequest c) {
            supervisor.checkpointNow().whenComplete((cp, e) -> send(e == null
                    ? new Message.Checkpoint(c.id(), cp.seq(), cp.memory())
                    : new Message.Error("checkpoint_failed", String.valueOf(e.getMessage()), null)));
        } else if (!(m instanceof Message.ProposalResult)) {
            send(new Message.Error(ProtocolError.Kind.UNKNOWN_TYPE.code(), "guardian wrap does not accept '" + m.type() + "'", null));
        }
    }

    private static Message.Response toResponse(String id, Outcome outcome) {
        if (outcome instanceof Outcome.Answered a) {
            return java.util.Objects.equals(a.response().id(), id) ? a.response() : a.ok() ? Message.Response.ok(id, a.payload())
                    : Message.Response.error(id, a.errorCode(), a.errorMessage());
        }
        Outcome.Failed f = (Outcome.Failed) outcome;
        return Message.Response.error(id, f.kind().name().toLowerCase(Locale.ROOT), f.message());
    }

    private void send(Message m) {
        try {
            out.write(m);
        } catch (IOException e) {
            LOG.debug("wrap: stdout closed: {}", e.getMessage());
        }
    }
}
