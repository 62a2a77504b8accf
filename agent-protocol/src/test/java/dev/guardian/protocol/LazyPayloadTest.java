package dev.guardian.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decoded payloads and memories are kept as the bytes that were received and parsed only when
 * asked for: the tree must be the one an eager parse builds, a relay must copy the bytes through
 * unchanged, a syntax error must still reject the line, and equality must not depend on how a
 * message was built.
 */
class LazyPayloadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Codec codec = Codec.ofDefaults();

    // ---- lazy payload equals eager payload --------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"{\"op\":\"learn\",\"key\":\"apple\"}", " { \"a\" : [ 1 , 2.5 , null ] , \"b\" : { } } ",
        "5", " 5 ", "-1.5e3", "123456789012345678901234567890", "1.0e400", "\"t\\u00e9xt \\\"q\\\" 🍎\"", "true",
        "false", "null", "[]", "{\"k\":1,\"k\":2}"})
    void aDecodedPayloadIsParsedOnlyWhenAskedAndIsTheTreeAnEagerParseBuilds(String payload) throws Exception {
        Message.Request r = (Message.Request) decode("{\"type\":\"request\",\"id\":\"r\",\"seq\":1,\"payload\":" + payload
                + ",\"replay\":false}");
        assertThat(r.payloadJson().isUnparsed()).isTrue();
        JsonNode expected = codec.mapper().readTree(payload);
        JsonNode tree = r.payload();
        assertThat(tree).isEqualTo(expected);
        assertThat(tree.getClass()).isEqualTo(expected.getClass());
        assertThat(r.payloadJson().isUnparsed()).isFalse();
        assertThat(r.payload()).isSameAs(tree);
        assertThat(new String(r.rawPayload(), StandardCharsets.UTF_8)).isEqualTo(payload.strip());
    }

    @Test
    void writePayloadCopiesAnUnparsedPayloadAsItCameAndWritesNullForNone() throws Exception {
        Message.Response resp = (Message.Response) decode(
                "{\"type\":\"response\",\"id\":\"r\",\"ok\":true,\"payload\":{ \"b\" : 2 ,\"a\":1.50}}");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (com.fasterxml.jackson.core.JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartArray();
            resp.writePayload(g);
            Message.Response.error("r2", "boom", "no").writePayload(g);
            g.writeEndArray();
        }
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("[{ \"b\" : 2 ,\"a\":1.50},null]");
    }

    @Test
    void responseAndCheckpointKeepTheirJsonUnparsedToo() {
        Message.Response resp = (Message.Response) decode("{\"type\":\"response\",\"id\":\"r\",\"ok\":true,\"payload\":{\"n\":1}}");
        Message.Checkpoint cp = (Message.Checkpoint) decode("{\"type\":\"checkpoint\",\"id\":null,\"seq\":3,\"memory\":[1,2]}");
        assertThat(resp.payloadJson().isUnparsed()).isTrue();
        assertThat(cp.memoryJson().isUnparsed()).isTrue();
        assertThat(resp.payload().get("n").asInt()).isEqualTo(1);
        assertThat(cp.memory().size()).isEqualTo(2);
        Message.Response failed = (Message.Response) decode(
                "{\"type\":\"response\",\"id\":\"r\",\"ok\":false,\"error\":{\"code\":\"x\"}}");
        assertThat(failed.payload()).isNull();
        assertThat(failed.rawPayload()).isNull();
    }

    @Test
    void initAndProposeStillCarryTrees() {
        Message.Init i = (Message.Init) decode("{\"type\":\"init\",\"protocol\":1,\"instance_id\":\"p\",\"role\":\"primary\","
                + "\"genome\":{\"t\":0.2},\"memory\":{\"m\":[1]},\"seq\":4}");
        assertThat(i.genome().get("t").asDouble()).isEqualTo(0.2);
        assertThat(i.memory().get("m").get(0).asInt()).isEqualTo(1);
        Message.Init fresh = (Message.Init) decode("{\"type\":\"init\",\"protocol\":1,\"instance_id\":\"p\",\"role\":\"primary\",\"seq\":0}");
        assertThat(fresh.genome().isNull()).isTrue();
        assertThat(fresh.memory().isNull()).isTrue();
    }

    @Test
    void everyThreadGetsTheSameTree() throws Exception {
        Message.Request r = (Message.Request) decode("{\"type\":\"request\",\"id\":\"r\",\"seq\":1,\"payload\":{\"a\":[1,2,3]}}");
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<JsonNode>> trees = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            trees.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return r.payload();
            }));
        }
        go.countDown();
        JsonNode first = trees.get(0).get();
        for (CompletableFuture<JsonNode> t : trees) {
            assertThat(t.get()).isSameAs(first);
        }
    }

    // ---- raw passthrough --------------------------------------------------------------------------

    @Test
    void aRelayedRequestCarriesItsPayloadBytesUnchangedAndUnparsed() {
        String payload = "{\"b\" :1,\"a\":1.50,\"a\":2, \"n\":1e2, \"s\":\"\\u00e9\\/\" }";
        Message.Request r = (Message.Request) decode(
                " {\"type\":\"request\", \"id\":\"r-1\",\"seq\":7,\"payload\": " + payload + " ,\"replay\":true,\"extra\":[1]}");
        String line = new String(codec.encode(r), StandardCharsets.UTF_8);
        assertThat(line).isEqualTo("{\"type\":\"request\",\"id\":\"r-1\",\"seq\":7,\"payload\":" + payload
                + ",\"replay\":true}\n");
        assertThat(r.payloadJson().isUnparsed()).isTrue();
    }

    @Test
    void aRelayedResponseAndCheckpointCarryTheirBytesUnchanged() {
        String payload = "[ \"x\" , 0.10 ]";
        Message resp = decode("{\"type\":\"response\",\"id\":\"r\",\"ok\":true,\"payload\":" + payload + ",\"score\":0.5}");
        assertThat(new String(codec.encode(resp), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"response\",\"id\":\"r\",\"ok\":true,\"payload\":" + payload + ",\"score\":0.5}\n");
        Message cp = decode("{\"type\":\"checkpoint\",\"id\":\"c\",\"seq\":3,\"memory\":" + payload + "}");
        assertThat(new String(codec.encode(cp), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"checkpoint\",\"id\":\"c\",\"seq\":3,\"memory\":" + payload + "}\n");
    }

    @Test
    void aRelayThroughTheStreamWriterIsByteIdentical() throws Exception {
        byte[] in = ("{\"type\":\"request\",\"id\":\"r\",\"seq\":1,\"payload\":{\"k\" : \"v\"}}\n").getBytes(StandardCharsets.UTF_8);
        Message m = ((Frame.Received) codec.reader(new ByteArrayInputStream(in)).next()).message();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        codec.writer(out).write(m);
        assertThat(out.toByteArray()).isEqualTo(in);
    }

    @Test
    void aLineDecodedFromTheMiddleOfAnArraySlicesTheRightBytes() {
        byte[] line = "{\"type\":\"request\",\"id\":\"r\",\"seq\":1,\"payload\":{\"a\":[true]}}".getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[line.length + 20];
        java.util.Arrays.fill(padded, (byte) '#');
        System.arraycopy(line, 0, padded, 11, line.length);
        Message.Request r = (Message.Request) ((Frame.Received) codec.decode(padded, 11, line.length)).message();
        assertThat(new String(r.rawPayload(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":[true]}");
    }

    @Test
    void aDecodedPayloadDoesNotShareTheReadersLineBuffer() {
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            in.append("{\"type\":\"request\",\"id\":\"r").append(i).append("\",\"seq\":").append(i + 1)
                    .append(",\"payload\":{\"i\":").append(i).append("}}\n");
        }
        ProtocolReader reader = codec.reader(new ByteArrayInputStream(in.toString().getBytes(StandardCharsets.UTF_8)));
        List<Message.Request> all = new ArrayList<>();
        Frame f;
        while ((f = reader.next()) instanceof Frame.Received rec) {
            all.add((Message.Request) rec.message());
        }
        for (int i = 0; i < 50; i++) {
            assertThat(new String(all.get(i).rawPayload(), StandardCharsets.UTF_8)).isEqualTo("{\"i\":" + i + "}");
        }
    }

    @Test
    void aTreeBuiltMessageIsWrittenAsBefore() throws Exception {
        JsonNode payload = JSON.readTree("{\"a\" : 1}");
        assertThat(new String(codec.encode(new Message.Request("r", 1, payload, false)), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"request\",\"id\":\"r\",\"seq\":1,\"payload\":{\"a\":1}}\n");
        assertThat(new Message.Request("r", 1, payload, false).rawPayload()).isEqualTo("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    }

    // ---- invalid payload JSON is still rejected ---------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":}", "[1,]", "{\"a\" 1}", "[1 2]", "{\"a\":\"\\q\"}", "\"\\q\"", "[01]", "[1.]", "[NaN]",
        "[\"\u0001\"]", "{'a':1}", "[tru]", "{\"a\":1", "]"})
    void aPayloadThatIsNotValidJsonRejectsTheLineAsMalformed(String payload) {
        String line = "{\"type\":\"request\",\"id\":\"r\",\"seq\":1,\"payload\":" + payload + "}";
        ProtocolError e = reject(line.getBytes(StandardCharsets.UTF_8));
        assertThat(e.kind()).isEqualTo(ProtocolError.Kind.MALFORMED);
        assertThat(e.detail()).startsWith("invalid JSON (");
        assertThat(e.line()).isEqualTo(line);
    }

    @Test
    void invalidUtf8DeepInsideAPayloadIsMalformed() {
        byte[] line = "{\"type\":\"request\",\"id\":\"r\",\"seq\":1,\"payload\":{\"a\":[\"..\"]}}".getBytes(StandardCharsets.UTF_8);
        line[line.length - 6] = (byte) 0xC3;
        line[line.length - 5] = (byte) 0x28;
        ProtocolError e = reject(line);
        assertThat(e.kind()).isEqualTo(ProtocolError.Kind.MALFORMED);
        assertThat(e.detail()).containsIgnoringCase("UTF-8");
    }

    @Test
    void tooDeepOrTooLongNumbersInsideAPayloadAreMalformed() {
        String deep = "[".repeat(Codec.MAX_NESTING_DEPTH) + "]".repeat(Codec.MAX_NESTING_DEPTH);
        assertThat(reject(("{\"type\":\"checkpoint\",\"seq\":1,\"memory\":" + deep + "}").getBytes(StandardCharsets.UTF_8))
                .detail()).contains("nesting depth");
        String digits = "[" + "9".repeat(1001) + "]";
        assertThat(reject(("{\"type\":\"request\",\"id\":\"r\",\"seq\":1,\"payload\":" + digits + "}")
                .getBytes(StandardCharsets.UTF_8)).detail()).contains("Number value length");
    }

    /** The streamed parse must accept exactly the lines that a whole-line tree parse accepts. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":\"\\ud800\"}", "\"\\u00zz\"", "[1e999999]", "-0", "[-]", "[+1]", "[.5]", "[1e]",
        "{\"\":\"\"}", "\"\\t\"", "\"\t\"", "[\"\u007f\"]", "{\"a\":[{\"b\":[{}]}]}", "[1,2,3]  ", "[0x10]", "[Infinity]"})
    void aFragmentIsAcceptedAsAPayloadOrAnUnknownFieldExactlyWhenATreeParseAcceptsIt(String fragment) throws Exception {
        for (String line : List.of("{\"type\":\"request\",\"id\":\"r\",\"seq\":1,\"payload\":" + fragment + "}",
                "{\"type\":\"ping\",\"nonce\":1,\"future\":" + fragment + "}")) {
            boolean treeAccepts;
            try {
                codec.mapper().readTree(line);
                treeAccepts = true;
            } catch (Exception e) {
                treeAccepts = false;
            }
            Frame f = codec.decode(line.getBytes(StandardCharsets.UTF_8));
            assertThat(f instanceof Frame.Received).as(line).isEqualTo(treeAccepts);
            if (f instanceof Frame.Received r && r.message() instanceof Message.Request req) {
                assertThat(req.payload()).isEqualTo(codec.mapper().readTree(line).get("payload"));
            }
        }
    }

    // ---- equality across raw and tree-built messages ----------------------------------------------

    @Test
    void aDecodedMessageEqualsOneBuiltFromAnEqualTree() throws Exception {
        JsonNode tree = JSON.readTree("{\"a\":1,\"b\":[true,null]}");
        Message decodedReq = decode("{\"type\":\"request\",\"id\":\"r\",\"seq\":2,\"payload\":{\"b\":[true, null], \"a\":1}}");
        Message builtReq = new Message.Request("r", 2, tree, false);
        assertEqualBothWays(decodedReq, builtReq);
        Message decodedResp = decode("{\"type\":\"response\",\"id\":\"r\",\"ok\":true,\"payload\":{\"a\":1,\"b\":[true,null]},\"score\":1}");
        Message builtResp = new Message.Response("r", true, tree, null, 1.0);
        assertEqualBothWays(decodedResp, builtResp);
        Message decodedCp = decode("{\"type\":\"checkpoint\",\"seq\":5,\"memory\":{\"a\":1,\"b\":[true,null]}}");
        assertEqualBothWays(decodedCp, new Message.Checkpoint(null, 5, tree));
        // toString prints the tree, keys in the order they came, as a record printing its tree did.
        assertThat(decodedResp.toString()).isEqualTo(builtResp.toString())
                .isEqualTo("Response[id=r, ok=true, payload={\"a\":1,\"b\":[true,null]}, error=null, score=1.0]");
        assertThat(decodedReq.toString()).isEqualTo("Request[id=r, seq=2, payload={\"b\":[true,null],\"a\":1}, replay=false]");
    }

    @Test
    void twoDecodedMessagesWithDifferentlyWrittenEqualPayloadsAreEqual() {
        Message a = decode("{\"type\":\"request\",\"id\":\"r\",\"seq\":2,\"payload\":{\"x\":1,\"y\":2}}");
        Message b = decode("{\"type\":\"request\",\"id\":\"r\",\"seq\":2,\"payload\":{ \"y\":2 ,\"x\":1 }}");
        assertEqualBothWays(a, b);
    }

    @Test
    void differentPayloadsOrFieldsAreNotEqual() throws Exception {
        Message a = decode("{\"type\":\"request\",\"id\":\"r\",\"seq\":2,\"payload\":{\"x\":1}}");
        assertThat(a).isNotEqualTo(decode("{\"type\":\"request\",\"id\":\"r\",\"seq\":2,\"payload\":{\"x\":2}}"));
        assertThat(a).isNotEqualTo(new Message.Request("r", 3, JSON.readTree("{\"x\":1}"), false));
        assertThat(a).isNotEqualTo(new Message.Request("r", 2, JSON.readTree("{\"x\":1}"), true));
        assertThat(a).isNotEqualTo(new Message.Request("q", 2, JSON.readTree("{\"x\":1}"), false));
        assertThat(Message.Response.error("r", "c", "m")).isEqualTo(Message.Response.error("r", "c", "m"))
                .isNotEqualTo(Message.Response.error("r", "c", "n"));
    }

    private static void assertEqualBothWays(Message a, Message b) {
        assertThat(a).isEqualTo(b);
        assertThat(b).isEqualTo(a);
        assertThat(a.hashCode()).isEqualTo(b.hashCode());
    }

    private Message decode(String line) {
        Frame f = codec.decode(line.getBytes(StandardCharsets.UTF_8));
        assertThat(f).as(line).isInstanceOf(Frame.Received.class);
        return ((Frame.Received) f).message();
    }

    private ProtocolError reject(byte[] line) {
        Frame f = codec.decode(line);
        assertThat(f).isInstanceOf(Frame.Rejected.class);
        return ((Frame.Rejected) f).error();
    }
}
