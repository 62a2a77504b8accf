package dev.guardian.protocol.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.guardian.protocol.Codec;
import dev.guardian.protocol.Frame;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolReader;
import dev.guardian.protocol.ProtocolWriter;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentRunnerTest {

    /** Sums the integers it is sent; "block" waits for the test's latch. */
    static final class SummingAgent implements Agent {
        final List<AgentRequest> seen = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        long sum;

        @Override
        public Reply handle(AgentRequest request) throws Exception {
            seen.add(request);
            if (request.payload().isTextual() && request.payload().textValue().equals("block")) {
                release.await(10, TimeUnit.SECONDS);
                return Reply.ok(TextNode.valueOf("released"));
            }
            if (request.payload().isTextual() && request.payload().textValue().equals("boom")) {
                throw new IllegalStateException("boom");
            }
            if (!request.duplicate()) {
                sum += request.payload().asLong();
            }
            return Reply.ok(JsonNodeFactory.instance.numberNode(sum)).withScore(0.5);
        }

        @Override
        public JsonNode snapshot() {
            return JsonNodeFactory.instance.objectNode().put("sum", sum);
        }

        @Override
        public void restore(JsonNode memory) {
            sum = memory == null ? 0 : memory.path("sum").asLong();
        }
    }

    private final Codec codec = Codec.ofDefaults();
    private final SummingAgent agent = new SummingAgent();
    private ProtocolWriter toAgent;
    private final LinkedBlockingQueue<Frame> fromAgent = new LinkedBlockingQueue<>();
    private CompletableFuture<Integer> exit;

    @BeforeEach
    void start() throws IOException {
        PipedOutputStream guardianOut = new PipedOutputStream();
        PipedInputStream agentIn = new PipedInputStream(guardianOut, 1 << 16);
        PipedOutputStream agentOut = new PipedOutputStream();
        PipedInputStream guardianIn = new PipedInputStream(agentOut, 1 << 16);
        toAgent = codec.writer(guardianOut);
        exit = CompletableFuture.supplyAsync(() -> AgentRunner.serve(AgentInfo.of("summer", "0.1"), agent, agentIn,
                agentOut, codec, new PrintStream(new java.io.ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        ProtocolReader reader = codec.reader(guardianIn);
        Thread t = new Thread(() -> {
            Frame f;
            do {
                f = reader.next();
                fromAgent.add(f);
            } while (!(f instanceof Frame.Closed));
        });
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() throws IOException {
        agent.release.countDown();
        toAgent.close();
    }

    @Test
    void handshakeRestoresMemoryAndEchoesTheSequence() throws Exception {
        assertThat(next()).isInstanceOf(Message.Ready.class);
        toAgent.write(new Message.Init(1, "p-1", Message.Role.CANARY, null,
                JsonNodeFactory.instance.objectNode().put("sum", 40), 7));
        assertThat(next()).isEqualTo(new Message.Initialized(7));
        toAgent.write(new Message.Request("r-8", 8, IntNode.valueOf(2), false));
        assertThat(next()).isEqualTo(new Message.Response("r-8", true, JsonNodeFactory.instance.numberNode(42), null, 0.5));
        assertThat(agent.seen.get(0).role()).isEqualTo(Message.Role.CANARY);
    }

    @Test
    void replayedRequestsAreAppliedButNotAnsweredAndDuplicatesAreFlagged() throws Exception {
        next(); // ready
        toAgent.write(new Message.Init(1, "p-1", Message.Role.PRIMARY, null, null, 0));
        next(); // initialized
        toAgent.write(new Message.Request("r-1", 1, IntNode.valueOf(5), true));
        toAgent.write(new Message.Request("r-2", 2, IntNode.valueOf(6), false));
        assertThat(next()).isEqualTo(new Message.Response("r-2", true, JsonNodeFactory.instance.numberNode(11), null, 0.5));
        // Redelivered after a crash: already covered by memory.
        toAgent.write(new Message.Request("r-2", 2, IntNode.valueOf(6), false));
        assertThat(next()).isEqualTo(new Message.Response("r-2", true, JsonNodeFactory.instance.numberNode(11), null, 0.5));
        assertThat(agent.seen).extracting(AgentRequest::duplicate).containsExactly(false, false, true);
        toAgent.write(new Message.CheckpointRequest("c-1"));
        assertThat(next()).isEqualTo(new Message.Checkpoint("c-1", 2, JsonNodeFactory.instance.objectNode().put("sum", 11)));
    }

    @Test
    void pingIsAnsweredWhileARequestIsStillRunning() throws Exception {
        next(); // ready
        toAgent.write(new Message.Request("slow", 1, TextNode.valueOf("block"), false));
        await().atMost(Duration.ofSeconds(5)).until(() -> !agent.seen.isEmpty());
        toAgent.write(new Message.Ping(99));
        assertThat(next()).isEqualTo(new Message.Pong(99));
        agent.release.countDown();
        assertThat(next()).isEqualTo(Message.Response.ok("slow", TextNode.valueOf("released")));
    }

    @Test
    void anExceptionInTheAgentBecomesAFailedResponse() throws Exception {
        next(); // ready
        toAgent.write(new Message.Request("r-1", 1, TextNode.valueOf("boom"), false));
        Message.Response r = (Message.Response) next();
        assertThat(r.ok()).isFalse();
        assertThat(r.error().code()).isEqualTo("internal_error");
        assertThat(r.error().message()).contains("boom");
    }

    @Test
    void badLinesAreAnsweredWithErrorsAndTheAgentCarriesOn() throws Exception {
        next(); // ready
        toAgent.writeRaw("{not json\n".getBytes(StandardCharsets.UTF_8));
        assertThat(((Message.Error) next()).code()).isEqualTo("malformed");
        toAgent.writeRaw("{\"type\":\"teleport\"}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(((Message.Error) next()).code()).isEqualTo("unknown_type");
        toAgent.writeRaw("{\"type\":\"pong\",\"nonce\":1}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(((Message.Error) next()).code()).isEqualTo("unknown_type");
        toAgent.writeRaw("{\"type\":\"request\",\"id\":\"x\",\"payload\":1}\n".getBytes(StandardCharsets.UTF_8));
        Message.Error missing = (Message.Error) next();
        assertThat(missing.code()).isEqualTo("missing_field");
        assertThat(missing.message()).isEqualTo("missing field 'seq'");
        toAgent.write(new Message.Ping(1));
        assertThat(next()).isEqualTo(new Message.Pong(1));
    }

    @Test
    void stdinEofEndsTheAgentWithStatusZero() throws Exception {
        next(); // ready
        toAgent.close();
        assertThat(exit.get(5, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void shutdownEndsTheAgentWithStatusZero() throws Exception {
        next(); // ready
        toAgent.write(new Message.Shutdown(1000));
        assertThat(exit.get(5, TimeUnit.SECONDS)).isZero();
    }

    private Message next() throws InterruptedException {
        Frame f = fromAgent.poll(5, TimeUnit.SECONDS);
        assertThat(f).as("a message from the agent within 5 s").isInstanceOf(Frame.Received.class);
        return ((Frame.Received) f).message();
    }
}
