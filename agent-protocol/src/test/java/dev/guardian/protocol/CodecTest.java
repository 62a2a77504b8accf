package dev.guardian.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CodecTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Codec codec = Codec.ofDefaults();

    static List<Message> everyMessageType() throws Exception {
        JsonNode payload = JSON.readTree("{\"op\":\"learn\",\"key\":\"äpfel 🍎\",\"nested\":{\"a\":[1,2.5,null,true]}}");
        return List.of(
                new Message.Init(1, "primary-1", Message.Role.SHADOW, JSON.readTree("{\"t\":0.2}"), payload, 42),
                new Message.Init(1, "primary-2", Message.Role.PRIMARY, null, null, 0),
                new Message.Request("r-1", 7, payload, false),
                new Message.Request("r-2", 8, payload, true),
                new Message.Ping(-5),
                new Message.CheckpointRequest("c-1"),
                new Message.ProposalResult("p-1", "promoted", "proof-9", "faster"),
                new Message.ProposalResult("p-2", "rejected", null, null),
                new Message.Shutdown(5000),
                new Message.Ready("learner", "1.0.0", List.of(1, 2), List.of("checkpoint")),
                new Message.Initialized(42),
                Message.Response.ok("r-1", payload),
                new Message.Response("r-3", true, payload, null, 0.75),
                Message.Response.error("r-4", "bad_request", "unknown op 'fly'"),
                new Message.Pong(-5),
                new Message.Checkpoint("c-1", 42, payload),
                new Message.Checkpoint(null, 43, payload),
                new Message.Propose("p-1", List.of("python3", "agent.py"), JSON.readTree("{\"agent.py\":\"print(1)\"}"),
                        JSON.readTree("{\"t\":0.3}"), "faster"),
                new Message.Error("malformed", "invalid JSON", "{bad"));
    }

    @ParameterizedTest
    @MethodSource("everyMessageType")
    void everyMessageTypeSurvivesARoundTrip(Message m) {
        byte[] line = codec.encode(m);
        assertThat(line[line.length - 1]).isEqualTo((byte) '\n');
        assertThat(new String(line, 0, line.length - 1, StandardCharsets.UTF_8)).doesNotContain("\n");
        Frame f = codec.decode(line, 0, line.length - 1);
        assertThat(f).isInstanceOf(Frame.Received.class);
        Message back = ((Frame.Received) f).message();
        if (m instanceof Message.Init i && i.genome() == null) {
            // Absent and null JSON values read back as JSON null.
            assertThat(back).isEqualTo(new Message.Init(i.protocol(), i.instanceId(), i.role(),
                    com.fasterxml.jackson.databind.node.NullNode.getInstance(),
                    com.fasterxml.jackson.databind.node.NullNode.getInstance(), i.seq()));
        } else {
            assertThat(back).isEqualTo(m);
        }
    }

    @Test
    void encodesFieldNamesAsTheSpecSays() {
        String line = new String(codec.encode(new Message.Init(1, "p-1", Message.Role.CANARY, null, null, 3)),
                StandardCharsets.UTF_8);
        assertThat(line).isEqualTo(
                "{\"type\":\"init\",\"protocol\":1,\"instance_id\":\"p-1\",\"role\":\"canary\",\"genome\":null,\"memory\":null,\"seq\":3}\n");
    }

    @Test
    void notJsonIsMalformedAndQuotesTheLine() {
        ProtocolError e = reject("{\"type\": \"request\", this is not JSON");
        assertThat(e.kind()).isEqualTo(ProtocolError.Kind.MALFORMED);
        assertThat(e.line()).isEqualTo("{\"type\": \"request\", this is not JSON");
        assertThat(e.describe()).startsWith("malformed: invalid JSON");
    }

    @Test
    void aJsonValueThatIsNotAnObjectIsMalformed() {
        assertThat(reject("[1,2,3]").detail()).isEqualTo("expected a JSON object but got array");
        assertThat(reject("42").detail()).isEqualTo("expected a JSON object but got number");
    }

    @Test
    void trailingGarbageAfterTheObjectIsMalformed() {
        assertThat(reject("{\"type\":\"ping\",\"nonce\":1} trailing").kind()).isEqualTo(ProtocolError.Kind.MALFORMED);
    }

    @Test
    void aMissingOrNonStringTypeIsMalformed() {
        assertThat(reject("{\"nonce\":1}").detail()).isEqualTo("missing field 'type'");
        assertThat(reject("{\"type\":5}").detail()).isEqualTo("field 'type' must be a string, but was 5");
    }

    @Test
    void anUnknownTypeIsNamed() {
        ProtocolError e = reject("{\"type\":\"teleport\"}");
        assertThat(e.kind()).isEqualTo(ProtocolError.Kind.UNKNOWN_TYPE);
        assertThat(e.detail()).isEqualTo("unknown message type 'teleport'");
    }

    @Test
    void aMissingFieldIsNamed() {
        ProtocolError e = reject("{\"type\":\"request\",\"id\":\"r-1\",\"payload\":{}}");
        assertThat(e.kind()).isEqualTo(ProtocolError.Kind.MISSING_FIELD);
        assertThat(e.detail()).isEqualTo("missing field 'seq'");
        assertThat(reject("{\"type\":\"response\",\"id\":\"r\",\"ok\":false,\"error\":{}}").detail())
                .isEqualTo("missing field 'error.code'");
    }

    @Test
    void aFieldOfTheWrongKindNamesFieldAndValue() {
        ProtocolError e = reject("{\"type\":\"request\",\"id\":\"r-1\",\"seq\":\"seven\",\"payload\":{}}");
        assertThat(e.kind()).isEqualTo(ProtocolError.Kind.INVALID_FIELD);
        assertThat(e.detail()).isEqualTo("field 'seq' must be an integer, but was \"seven\"");
        assertThat(reject("{\"type\":\"request\",\"id\":\"r-1\",\"seq\":-1,\"payload\":{}}").detail())
                .isEqualTo("field 'seq' must be >= 0, but was -1");
        assertThat(reject("{\"type\":\"init\",\"protocol\":1,\"instance_id\":\"i\",\"role\":\"boss\",\"seq\":0}").detail())
                .isEqualTo("field 'role' must be primary, canary or shadow, but was 'boss'");
    }

    @Test
    void unknownFieldsAreIgnored() {
        Frame f = codec.decode("{\"type\":\"ping\",\"nonce\":3,\"future\":{\"x\":1}}".getBytes(StandardCharsets.UTF_8));
        assertThat(f).isEqualTo(new Frame.Received(new Message.Ping(3)));
    }

    @Test
    void deeplyNestedJsonIsMalformedNotAStackOverflow() {
        String deep = "{\"type\":\"request\",\"id\":\"r\",\"seq\":1,\"payload\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        ProtocolError e = reject(deep);
        assertThat(e.kind()).isEqualTo(ProtocolError.Kind.MALFORMED);
        assertThat(e.detail()).contains("nesting depth");
    }

    @Test
    void nestingWithinTheLimitIsAccepted() {
        int depth = Codec.MAX_NESTING_DEPTH - 2;
        String ok = "{\"type\":\"request\",\"id\":\"r\",\"seq\":1,\"payload\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        assertThat(codec.decode(ok.getBytes(StandardCharsets.UTF_8))).isInstanceOf(Frame.Received.class);
    }

    @Test
    void invalidUtf8IsMalformedAndQuotedWithReplacementCharacters() {
        byte[] prefix = "{\"type\":\"request\",\"id\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "\",\"seq\":1,\"payload\":{}}".getBytes(StandardCharsets.UTF_8);
        byte[] line = new byte[prefix.length + 2 + suffix.length];
        System.arraycopy(prefix, 0, line, 0, prefix.length);
        line[prefix.length] = (byte) 0xC3; // a lead byte followed by a non-continuation byte
        line[prefix.length + 1] = (byte) 0x28;
        System.arraycopy(suffix, 0, line, prefix.length + 2, suffix.length);
        Frame f = codec.decode(line);
        assertThat(f).isInstanceOf(Frame.Rejected.class);
        ProtocolError e = ((Frame.Rejected) f).error();
        assertThat(e.kind()).isEqualTo(ProtocolError.Kind.MALFORMED);
        assertThat(e.detail()).containsIgnoringCase("UTF-8");
        assertThat(e.line()).contains("\uFFFD");
    }

    @Test
    void aQuoteIsCutAt200Bytes() {
        ProtocolError e = reject("x".repeat(5000));
        assertThat(e.line()).hasSize(ProtocolError.QUOTE_BYTES + 1).endsWith("…");
        assertThat(e.lineBytes()).isEqualTo(5000);
    }

    private ProtocolError reject(String line) {
        Frame f = codec.decode(line.getBytes(StandardCharsets.UTF_8));
        assertThat(f).as(line.length() > 100 ? line.substring(0, 100) : line).isInstanceOf(Frame.Rejected.class);
        return ((Frame.Rejected) f).error();
    }
}
