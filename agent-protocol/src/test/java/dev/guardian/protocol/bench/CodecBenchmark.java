package dev.guardian.protocol.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.protocol.Codec;
import dev.guardian.protocol.Frame;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Encode + decode of a typical request/response pair, on one thread. {@code jacksonTreePair} is the
 * baseline: the same JSON through plain Jackson trees, without the typed messages and their checks.
 * Decoding checks a payload's syntax but leaves it as raw bytes until {@code payload()} is called;
 * {@code codecPair} does not call it, {@code codecPairPayload} does. Run by bench/codec.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class CodecBenchmark {

    static final int LINES = 10_000;

    private final Codec codec = Codec.ofDefaults();
    private final ObjectMapper plain = new ObjectMapper();
    private Message.Request request;
    private Message.Response response;
    private byte[] requestLine;
    private byte[] responseLine;
    private JsonNode requestTree;
    private JsonNode responseTree;
    private byte[] stream;

    @Setup
    public void setup() throws Exception {
        JsonNode payload = plain.readTree("{\"op\":\"learn\",\"key\":\"apple\",\"weight\":2,\"context\":{\"user\":\"u-1842\",\"tags\":[\"a\",\"b\"]}}");
        JsonNode answer = plain.readTree("{\"key\":\"apple\",\"count\":1843,\"total\":99120,\"top\":[[\"apple\",1843],[\"pear\",1201]]}");
        request = new Message.Request("req-00012345", 12345, payload, false);
        response = Message.Response.ok("req-00012345", answer);
        requestLine = trimNewline(codec.encode(request));
        responseLine = trimNewline(codec.encode(response));
        requestTree = plain.readTree(requestLine);
        responseTree = plain.readTree(responseLine);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < LINES / 2; i++) {
            out.write(codec.encode(request));
            out.write(codec.encode(response));
        }
        stream = out.toByteArray();
    }

    /** One op = the request and the response, each encoded and decoded: 2 messages. */
    @Benchmark
    public void codecPair(Blackhole bh) {
        bh.consume(codec.encode(request));
        bh.consume(codec.decode(requestLine));
        bh.consume(codec.encode(response));
        bh.consume(codec.decode(responseLine));
    }

    /**
     * As {@link #codecPair}, and the receiver then reads each decoded payload ({@code payload()}),
     * which parses the raw payload bytes into a tree: the cost for a consumer that looks inside.
     */
    @Benchmark
    public void codecPairPayload(Blackhole bh) {
        bh.consume(codec.encode(request));
        bh.consume(((Message.Request) received(codec.decode(requestLine))).payload());
        bh.consume(codec.encode(response));
        bh.consume(((Message.Response) received(codec.decode(responseLine))).payload());
    }

    /** Breakdown: encoding only (request + response). */
    @Benchmark
    public void encodePair(Blackhole bh) {
        bh.consume(codec.encode(request));
        bh.consume(codec.encode(response));
    }

    /** Breakdown: decoding only (request + response). */
    @Benchmark
    public void decodePair(Blackhole bh) {
        bh.consume(codec.decode(requestLine));
        bh.consume(codec.decode(responseLine));
    }

    /** Baseline: the same bytes through plain Jackson trees. */
    @Benchmark
    public void jacksonTreePair(Blackhole bh) throws Exception {
        bh.consume(plain.writeValueAsBytes(requestTree));
        bh.consume(plain.readTree(requestLine));
        bh.consume(plain.writeValueAsBytes(responseTree));
        bh.consume(plain.readTree(responseLine));
    }

    /** Decoding a stream of lines through the bounded line reader; one op = one message. */
    @Benchmark
    @OperationsPerInvocation(LINES)
    public void readerStream(Blackhole bh) {
        ProtocolReader reader = codec.reader(new ByteArrayInputStream(stream));
        Frame f;
        while (!((f = reader.next()) instanceof Frame.Closed)) {
            bh.consume(f);
        }
    }

    private static Message received(Frame f) {
        return ((Frame.Received) f).message();
    }

    private static byte[] trimNewline(byte[] line) {
        return java.util.Arrays.copyOf(line, line.length - 1);
    }
}
