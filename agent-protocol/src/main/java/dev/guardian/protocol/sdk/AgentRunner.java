package dev.guardian.protocol.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guardian.protocol.Codec;
import dev.guardian.protocol.Frame;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolError;
import dev.guardian.protocol.ProtocolReader;
import dev.guardian.protocol.ProtocolWriter;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs an {@link Agent} over the protocol on stdin/stdout.
 *
 * <p>Threading: the calling thread reads stdin and answers {@code ping} at once, so a heartbeat is
 * never stuck behind a slow request; every other message goes, in order, through a bounded queue to
 * one worker thread that owns the agent and its memory (so checkpoints reflect every request
 * received before them). Both threads write through one {@link ProtocolWriter}, which keeps lines
 * whole.
 */
public final class AgentRunner {

    /** Environment variable that overrides the maximum line size. */
    public static final String MAX_LINE_ENV = "GUARDIAN_MAX_LINE_BYTES";
    private static final long EOF_GRACE_MS = 2_000;
    private static final int QUEUE_CAPACITY = 4_096;
    private static final Message STOP = new Message.Shutdown(0);

    private final AgentInfo info;
    private final Agent agent;
    private final Codec codec;
    private final ProtocolWriter out;
    private final PrintStream log;
    private final BlockingQueue<Message> work = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private volatile boolean outputBroken;
    // Owned by the worker thread.
    private long coveredSeq;
    private Message.Role role = Message.Role.PRIMARY;

    private AgentRunner(AgentInfo info, Agent agent, Codec codec, OutputStream stdout, PrintStream log) {
        this.info = info;
        this.agent = agent;
        this.codec = codec;
        this.out = codec.writer(stdout);
        this.log = log;
    }

    /**
     * Serves the protocol on this process's stdin/stdout until stdin closes or Guardian asks it to
     * shut down, then exits the JVM. {@code System.out} is redirected to stderr first, so that a
     * stray print cannot corrupt the protocol stream.
     */
    public static void run(AgentInfo info, Agent agent) {
        PrintStream stderr = System.err;
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        System.setOut(stderr);
        int code = serve(info, agent, new FileInputStream(FileDescriptor.in), stdout, codecFromEnv(), stderr);
        stderr.flush();
        System.exit(code);
    }

    /** Serves the protocol on the given streams and returns an exit status; for tests and embedding. */
    public static int serve(AgentInfo info, Agent agent, InputStream in, OutputStream out, Codec codec, PrintStream log) {
        return new AgentRunner(info, agent, codec, out, log).serve(in);
    }

    static Codec codecFromEnv() {
        String v = System.getenv(MAX_LINE_ENV);
        if (v == null || v.isBlank()) {
            return Codec.ofDefaults();
        }
        try {
            return Codec.withMaxLineBytes(Integer.parseInt(v.trim()));
        } catch (IllegalArgumentException e) {
            System.err.println("agent: ignoring " + MAX_LINE_ENV + "='" + v + "': " + e.getMessage());
            return Codec.ofDefaults();
        }
    }

    private int serve(InputStream in) {
        agent.restore(null);
        Thread worker = new Thread(this::workLoop, "agent-worker");
        worker.setDaemon(true);
        worker.start();
        send(new Message.Ready(info.name(), info.version(), Message.SUPPORTED_VERSIONS, info.capabilities()));
        ProtocolReader reader = codec.reader(in);
        long graceMs = EOF_GRACE_MS;
        while (!outputBroken) {
            Frame frame = reader.next();
            if (frame instanceof Frame.Closed) {
                break;
            }
            if (frame instanceof Frame.Rejected rejected) {
                ProtocolError e = rejected.error();
                send(new Message.Error(e.kind().code(), e.detail(), e.line()));
                continue;
            }
            Message m = ((Frame.Received) frame).message();
            if (m instanceof Message.Ping ping) {
                send(new Message.Pong(ping.nonce()));
            } else if (!m.fromGuardian()) {
                send(new Message.Error(ProtocolError.Kind.UNKNOWN_TYPE.code(),
                        "an agent does not accept '" + m.type() + "' messages", null));
            } else if (m instanceof Message.Shutdown shutdown) {
                graceMs = shutdown.graceMs();
                break;
            } else if (!(m instanceof Message.ProposalResult)) {
                enqueue(m);
            }
        }
        enqueue(STOP);
        try {
            // Finish what was received, within the grace period; answers may still be read.
            worker.join(Math.max(1, graceMs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            out.flush();
        } catch (IOException ignored) {
            // Guardian is gone; nothing left to tell it.
        }
        return 0;
    }

    private void enqueue(Message m) {
        try {
            work.put(m);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void workLoop() {
        while (true) {
            Message m;
            try {
                m = work.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (m == STOP) {
                return;
            }
            if (m != null) {
                try {
                    apply(m);
                } catch (RuntimeException e) {
                    // The agent's own bug must not kill the worker: report and go on.
                    log.println("agent: error while handling " + m.type() + ": " + e);
                }
            }
        }
    }

    private void apply(Message m) {
        if (m instanceof Message.Init init) {
            init(init);
        } else if (m instanceof Message.Request request) {
            request(request);
        } else if (m instanceof Message.CheckpointRequest c) {
            send(new Message.Checkpoint(c.id(), coveredSeq, agent.snapshot()));
        }
    }

    private void init(Message.Init init) {
        role = init.role();
        JsonNode memory = init.memory() == null || init.memory().isNull() ? null : init.memory();
        try {
            agent.restore(memory);
        } catch (RuntimeException e) {
            send(new Message.Error("restore_failed", "could not restore memory: " + e, null));
            return;
        }
        coveredSeq = init.seq();
        send(new Message.Initialized(init.seq()));
    }

    private void request(Message.Request r) {
        boolean duplicate = r.seq() <= coveredSeq;
        Reply reply;
        try {
            reply = agent.handle(new AgentRequest(r.id(), r.seq(), r.payload(), r.replay(), duplicate, role));
            if (reply == null) {
                reply = Reply.error("internal_error", "the agent returned no reply");
            }
        } catch (Exception e) {
            reply = Reply.error("internal_error", String.valueOf(e));
        }
        if (!duplicate) {
            coveredSeq = r.seq();
        }
        if (r.replay()) {
            return;
        }
        send(reply.ok()
                ? new Message.Response(r.id(), true, reply.payload(), null, reply.score())
                : new Message.Response(r.id(), false, null,
                        new Message.ErrorInfo(reply.errorCode(), reply.errorMessage()), reply.score()));
    }

    private void send(Message m) {
        try {
            out.write(m);
        } catch (IOException e) {
            // stdout closed: Guardian is gone, and so should we be.
            outputBroken = true;
        }
    }
}
