package dev.guardian.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Edge cases a faster codec (a streamed envelope, trees written node by node) could get wrong:
 * payloads must read back as the trees Jackson builds, repeated fields keep the last value, the
 * whole line is checked before any field, and every kind of number node is written as Jackson
 * writes it. They pass on the tree-based codec and pin its behaviour for any rewrite.
 */
class CodecEdgeCasesTest {

    private final Codec codec = Codec.ofDefaults();

    @ParameterizedTest
    @ValueSource(strings = {"5", "-7", "3000000000", "123456789012345678901234567890", "1.5", "-0.0", "1e308",
        "1.0e400", "0.1000000000000000000000000001", "\"text\"", "true", "false", "null", "[]", "{}",
        "[1,[2,[3,{\"a\":null}]]]", "{\"k\":\"äpfel 🍎\",\"e\":\"\\u0000\\n\\\"\"}"})
    void aPayloadDecodesToTheSameTreeAsJacksonBuilds(String payload) throws Exception {
        Message m = decode("{\"type\":\"request\",\"id\":\"r\",\"seq\":1,\"payload\":" + payload + "}");
        JsonNode expected = codec.mapper().readTree(payload);
        assertThat(((Message.Request) m).payload()).isEqualTo(expected);
        assertThat(((Message.Request) m).payload().getClass()).isEqualTo(expected.getClass());
    }

    @Test
    void aRepeatedFieldKeepsItsLastValueAsInATree() {
        assertThat(decode("{\"type\":\"ping\",\"nonce\":1,\"nonce\":2}")).isEqualTo(new Message.Ping(2));
        assertThat(decode("{\"type\":\"pong\",\"nonce\":1,\"type\":\"ping\"}")).isEqualTo(new Message.Ping(1));
    }

    @Test
    void aBadUnknownFieldStillMakesTheLineMalformed() {
        byte[] line = "{\"type\":\"ping\",\"nonce\":1,\"x\":\"..\"}".getBytes(StandardCharsets.UTF_8);
        line[line.length - 4] = (byte) 0xC3; // invalid UTF-8 inside a field nobody reads
        assertThat(reject(line).kind()).isEqualTo(ProtocolError.Kind.MALFORMED);
        String deep = "{\"type\":\"ping\",\"nonce\":1,\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertThat(reject(deep.getBytes(StandardCharsets.UTF_8)).detail()).contains("nesting depth");
    }

    @Test
    void aSyntaxErrorAfterABadFieldIsReportedAsMalformed() {
        // As with a tree: the whole line is parsed before any field is checked.
        ProtocolError e = reject("{\"type\":\"request\",\"id\":5,\"seq\":1,\"payload\":{} oops".getBytes(StandardCharsets.UTF_8));
        assertThat(e.kind()).isEqualTo(ProtocolError.Kind.MALFORMED);
        assertThat(e.detail()).startsWith("invalid JSON (");
    }

    @Test
    void aSecondValueOnTheLineIsMalformed() {
        ProtocolError e = reject("{\"type\":\"ping\",\"nonce\":1}{\"type\":\"ping\",\"nonce\":2}".getBytes(StandardCharsets.UTF_8));
        assertThat(e.kind()).isEqualTo(ProtocolError.Kind.MALFORMED);
        assertThat(e.detail()).contains("Trailing token");
    }

    @Test
    void emptyAndNonObjectLinesAreWordedAsBefore() {
        assertThat(reject(new byte[0]).detail()).isEqualTo("expected a JSON object but got nothing");
        assertThat(reject("\"s\"".getBytes(StandardCharsets.UTF_8)).detail()).isEqualTo("expected a JSON object but got string");
        assertThat(reject("null".getBytes(StandardCharsets.UTF_8)).detail()).isEqualTo("expected a JSON object but got null");
    }

    @Test
    void aSeqBeyondLongIsAnInvalidFieldNamingTheValue() {
        ProtocolError e = reject("{\"type\":\"request\",\"id\":\"r\",\"seq\":99999999999999999999,\"payload\":{}}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(e.kind()).isEqualTo(ProtocolError.Kind.INVALID_FIELD);
        assertThat(e.detail()).isEqualTo("field 'seq' must be an integer, but was 99999999999999999999");
    }

    @Test
    void everyKindOfNumberNodeIsWrittenAsJacksonWritesIt() throws Exception {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode payload = f.objectNode();
        payload.put("short", (short) 7).put("int", Integer.MIN_VALUE).put("long", Long.MAX_VALUE)
                .put("float", 0.1f).put("double", -2.5e-300).put("nan", Double.NaN)
                .put("big", new BigInteger("123456789012345678901234567890"))
                .put("dec", new BigDecimal("1.000000000000000000001"));
        payload.putArray("mixed").add(1).add("two").addNull().add(false).add(f.binaryNode(new byte[] {1, 2, 3}));
        byte[] line = codec.encode(Message.Response.ok("r", payload));
        String expected = "{\"type\":\"response\",\"id\":\"r\",\"ok\":true,\"payload\":"
                + codec.mapper().writeValueAsString(payload) + "}\n";
        assertThat(new String(line, StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @Test
    void aMessageLargerThanTheGeneratorBufferIsOneWholeLine() throws Exception {
        ObjectNode memory = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < 5000; i++) {
            memory.put("k" + i, "v".repeat(i % 50));
        }
        byte[] line = codec.encode(new Message.Checkpoint("c", 9, memory));
        assertThat(line.length).isGreaterThan(100_000);
        assertThat(line[line.length - 1]).isEqualTo((byte) '\n');
        assertThat(decode(new String(line, 0, line.length - 1, StandardCharsets.UTF_8)))
                .isEqualTo(new Message.Checkpoint("c", 9, memory));
    }

    private Message decode(String line) {
        Frame f = codec.decode(line.getBytes(StandardCharsets.UTF_8));
        assertThat(f).isInstanceOf(Frame.Received.class);
        return ((Frame.Received) f).message();
    }

    private ProtocolError reject(byte[] line) {
        Frame f = codec.decode(line);
        assertThat(f).isInstanceOf(Frame.Rejected.class);
        return ((Frame.Rejected) f).error();
    }
}
