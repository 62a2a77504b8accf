package dev.guardian.protocol.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.guardian.protocol.Frame;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one line into a {@link Message} or a {@link ProtocolError}; nothing escapes it. Thread-safe
 * (the factory, the mapper and the reader are).
 *
 * <p>The line is streamed with a {@link JsonParser} rather than read as a tree. Values of the fields
 * that carry uninterpreted JSON ({@code payload}, {@code memory}, {@code genome}, {@code files}) are
 * <em>skipped</em> token by token ({@link JsonParser#skipChildren()}), which checks their syntax,
 * UTF-8, nesting depth and number lengths under the same {@code StreamReadConstraints} as a tree
 * parse but builds nothing; their bytes are sliced out of the line by the tokens' byte offsets and
 * kept as a {@link LazyJson}. Other known fields become small nodes; unknown fields are skipped
 * (so still checked) and dropped. The whole line is parsed before any field is looked at, so a
 * syntax error anywhere wins over a field error, as with a tree. A line that is not exactly one
 * valid JSON object is parsed again as a tree so that its error reads exactly as before; that costs
 * time only on a bad line.
 */
public final class MessageParser {

    /** The top-level fields any message type reads; others are parsed (so validated) and dropped. */
    private static final Map<String, Integer> SLOTS;
    /** The slots whose values are kept as raw JSON. */
    private static final boolean[] RAW;

    static {
        String[] names = {"type", "id", "seq", "replay", "ok", "error", "score", "nonce", "protocol",
            "instance_id", "role", "outcome", "proof_id", "reason", "grace_ms", "name", "version",
            "capabilities", "command", "rationale", "code", "message", "line",
            // raw JSON, never interpreted by the protocol:
            "payload", "memory", "genome", "files"};
        Map<String, Integer> slots = new HashMap<>();
        boolean[] raw = new boolean[names.length];
        for (int i = 0; i < names.length; i++) {
            slots.put(names[i], i);
            raw[i] = i >= names.length - 4;
        }
        SLOTS = Map.copyOf(slots);
        RAW = raw;
    }

    private final ObjectMapper mapper;
    private final JsonFactory factory;
    /** Builds trees from a parser positioned on a value; unlike the mapper, it leaves the tokens after it alone. */
    private final ObjectReader nodeReader;
    /** Parses raw values when they are first asked for: a whole value, trailing tokens refused. */
    private final ObjectReader treeReader;

    public MessageParser(ObjectMapper mapper) {
        this.mapper = mapper;
        this.factory = mapper.getFactory();
        this.nodeReader = mapper.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.treeReader = mapper.readerFor(JsonNode.class);
    }

    public Frame parse(byte[] bytes, int offset, int length) {
        Envelope root;
        try (JsonParser p = factory.createParser(bytes, offset, length)) {
            root = readEnvelope(p, bytes, offset);
        } catch (IOException | RuntimeException e) {
            root = null;
        }
        return root != null ? validate(root, bytes, offset, length) : parseAsTree(bytes, offset, length);
    }

    /** The top-level object's known fields, or null if the line is not exactly one valid JSON object. */
    private Envelope readEnvelope(JsonParser p, byte[] bytes, int offset) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        Envelope env = new Envelope();
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            Integer slot = SLOTS.get(name);
            if (slot == null) {
                p.skipChildren(); // a scalar is skipped (and checked) by the next nextToken
            } else if (RAW[slot]) {
                env.json[slot] = rawValue(p, t, bytes, offset); // a repeated field: the last one wins, as in a tree
            } else {
                env.nodes[slot] = readValue(p, t);
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
            return null;
        }
        return env;
    }

    /** Skips the value at the parser, checking it, and keeps its bytes. */
    private LazyJson rawValue(JsonParser p, JsonToken t, byte[] bytes, int offset) throws IOException {
        // Byte offsets count from the start of the parsed range, not of the array.
        long from = p.currentTokenLocation().getByteOffset();
        if (t.isStructStart()) {
            p.skipChildren();
        } else if (t == JsonToken.VALUE_STRING) {
            p.finishToken(); // strings are read lazily: read (and check) it up to its closing quote
        }
        long to = p.currentLocation().getByteOffset();
        if (from < 0 || to <= from || to > bytes.length - offset) {
            throw new IllegalStateException("no byte offsets for a value (" + from + ", " + to + ")");
        }
        return LazyJson.raw(bytes, offset + (int) from, offset + (int) to, treeReader);
    }

    /** The value at the parser as the node a tree would hold; common scalars without the data-binding machinery. */
    private JsonNode readValue(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_STRING:
                return TextNode.valueOf(p.getText());
            case VALUE_TRUE:
                return BooleanNode.TRUE;
            case VALUE_FALSE:
                return BooleanNode.FALSE;
            case VALUE_NULL:
                return NullNode.getInstance();
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return IntNode.valueOf(p.getIntValue());
                    case LONG:
                        return LongNode.valueOf(p.getLongValue());
                    default:
                        return BigIntegerNode.valueOf(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return DoubleNode.valueOf(p.getDoubleValue());
            default:
                // Containers (error, protocol, capabilities, command): exactly as Jackson builds them in a tree.
                return nodeReader.readValue(p);
        }
    }

    /** The slow path, for a line that is not one valid JSON object: the error worded from a tree parse. */
    private Frame parseAsTree(byte[] bytes, int offset, int length) {
        JsonNode root;
        try {
            root = mapper.readTree(bytes, offset, length);
        } catch (JacksonException e) {
            return reject(ProtocolError.Kind.MALFORMED, "invalid JSON (" + firstLine(e.getOriginalMessage()) + ")",
                    bytes, offset, length);
        } catch (IOException | RuntimeException e) {
            return reject(ProtocolError.Kind.MALFORMED, "unreadable line (" + e + ")", bytes, offset, length);
        }
        if (root == null || !root.isObject()) {
            String what = root == null || root.isMissingNode() ? "nothing" : root.getNodeType().name().toLowerCase();
            return reject(ProtocolError.Kind.MALFORMED, "expected a JSON object but got " + what, bytes, offset, length);
        }
        // Not expected (the streaming parse refused what the tree parse accepted), but then trust the tree.
        Envelope env = new Envelope();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            Integer slot = SLOTS.get(e.getKey());
            if (slot != null) {
                if (RAW[slot]) {
                    env.json[slot] = LazyJson.of(e.getValue());
                } else {
                    env.nodes[slot] = e.getValue();
                }
            }
        }
        return validate(env, bytes, offset, length);
    }

    private static Frame validate(Envelope root, byte[] bytes, int offset, int length) {
        JsonNode type = root.node("type");
        if (type == null) {
            return reject(ProtocolError.Kind.MALFORMED, "missing field 'type'", bytes, offset, length);
        }
        if (!type.isTextual()) {
            return reject(ProtocolError.Kind.MALFORMED, "field 'type' must be a string, but was " + type, bytes, offset,
                    length);
        }
        try {
            return new Frame.Received(toMessage(type.textValue(), new Fields(root)));
        } catch (FieldProblem p) {
            return reject(p.kind, p.getMessage(), bytes, offset, length);
        }
    }

    private static Message toMessage(String type, Fields f) {
        switch (type) {
            case "init":
                return new Message.Init((int) f.integer("protocol", 1, Integer.MAX_VALUE), f.text("instance_id"),
                        role(f), f.optionalTree("genome"), f.optionalTree("memory"), f.integer("seq", 0, Long.MAX_VALUE));
            case "request":
                return Message.Request.of(f.text("id"), f.integer("seq", 0, Long.MAX_VALUE), f.json("payload"),
                        f.optionalBool("replay"));
            case "ping":
                return new Message.Ping(f.integer("nonce", Long.MIN_VALUE, Long.MAX_VALUE));
            case "checkpoint_request":
                return new Message.CheckpointRequest(f.text("id"));
            case "proposal_result":
                return new Message.ProposalResult(f.text("id"), f.text("outcome"), f.optionalText("proof_id"),
                        f.optionalText("reason"));
            case "shutdown":
                return new Message.Shutdown(f.integer("grace_ms", 0, Long.MAX_VALUE));
            case "ready":
                return new Message.Ready(f.text("name"), f.text("version"), f.intList("protocol"),
                        f.optionalTextList("capabilities"));
            case "initialized":
                return new Message.Initialized(f.integer("seq", 0, Long.MAX_VALUE));
            case "response":
                return response(f);
            case "pong":
                return new Message.Pong(f.integer("nonce", Long.MIN_VALUE, Long.MAX_VALUE));
            case "checkpoint":
                return Message.Checkpoint.of(f.optionalText("id"), f.integer("seq", 0, Long.MAX_VALUE), f.json("memory"));
            case "propose":
                return new Message.Propose(f.text("id"), f.textList("command"), f.optionalTree("files"),
                        f.optionalTree("genome"), f.optionalText("rationale"));
            case "error":
                return new Message.Error(f.text("code"), f.optionalText("message"), f.optionalText("line"));
            default:
                throw new FieldProblem(ProtocolError.Kind.UNKNOWN_TYPE, "unknown message type '" + type + "'");
        }
    }

    private static Message.Role role(Fields f) {
        String wire = f.text("role");
        Message.Role role = Message.Role.fromWire(wire);
        if (role == null) {
            throw new FieldProblem(ProtocolError.Kind.INVALID_FIELD,
                    "field 'role' must be primary, canary or shadow, but was '" + wire + "'");
        }
        return role;
    }

    private static Message response(Fields f) {
        String id = f.text("id");
        boolean ok = f.bool("ok");
        Double score = f.optionalNumber("score");
        if (ok) {
            return Message.Response.of(id, true, f.json("payload"), null, score);
        }
        Fields error = f.object("error");
        return new Message.Response(id, false, null,
                new Message.ErrorInfo(error.text("code"), error.optionalText("message")), score);
    }

    private static Frame reject(ProtocolError.Kind kind, String detail, byte[] bytes, int offset, int length) {
        return new Frame.Rejected(new ProtocolError(kind, detail, ProtocolError.quote(bytes, offset, length), length));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }

    /** A field that is missing or of the wrong kind; caught in {@link #parse}. */
    private static final class FieldProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ProtocolError.Kind kind;

        FieldProblem(ProtocolError.Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }
    }

    /** The known top-level fields of one line, by slot; null where absent. */
    private static final class Envelope {
        final JsonNode[] nodes = new JsonNode[RAW.length];
        final LazyJson[] json = new LazyJson[RAW.length];

        JsonNode node(String name) {
            return nodes[SLOTS.get(name)];
        }

        LazyJson json(String name) {
            return json[SLOTS.get(name)];
        }
    }

    /**
     * Typed access to the fields of the envelope or of one object inside it, with errors that name
     * the field and the value.
     */
    private static final class Fields {
        private final Envelope root;
        private final JsonNode node;
        private final String prefix;

        Fields(Envelope root) {
            this.root = root;
            this.node = null;
            this.prefix = "";
        }

        private Fields(JsonNode node, String prefix) {
            this.root = null;
            this.node = node;
            this.prefix = prefix;
        }

        private JsonNode get(String name) {
            return root != null ? root.node(name) : node.get(name);
        }

        /** A required raw JSON value of the envelope (any JSON, null included). */
        LazyJson json(String name) {
            LazyJson v = root.json(name);
            if (v == null) {
                throw new FieldProblem(ProtocolError.Kind.MISSING_FIELD, "missing field '" + prefix + name + "'");
            }
            return v;
        }

        /** An optional raw JSON value of the envelope as a tree; JSON null when absent. */
        JsonNode optionalTree(String name) {
            LazyJson v = root.json(name);
            return v == null ? NullNode.getInstance() : v.tree();
        }

        JsonNode node(String name) {
            JsonNode v = get(name);
            if (v == null) {
                throw new FieldProblem(ProtocolError.Kind.MISSING_FIELD, "missing field '" + prefix + name + "'");
            }
            return v;
        }

        Fields object(String name) {
            JsonNode v = node(name);
            if (!v.isObject()) {
                throw invalid(name, "an object", v);
            }
            return new Fields(v, prefix + name + ".");
        }

        String text(String name) {
            JsonNode v = node(name);
            if (!v.isTextual()) {
                throw invalid(name, "a string", v);
            }
            return v.textValue();
        }

        String optionalText(String name) {
            JsonNode v = get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isTextual()) {
                throw invalid(name, "a string", v);
            }
            return v.textValue();
        }

        long integer(String name, long min, long max) {
            JsonNode v = node(name);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw invalid(name, "an integer", v);
            }
            long value = v.longValue();
            if (value < min || value > max) {
                throw new FieldProblem(ProtocolError.Kind.INVALID_FIELD,
                        "field '" + prefix + name + "' must be >= " + min + ", but was " + value);
            }
            return value;
        }

        boolean bool(String name) {
            JsonNode v = node(name);
            if (!v.isBoolean()) {
                throw invalid(name, "true or false", v);
            }
            return v.booleanValue();
        }

        boolean optionalBool(String name) {
            JsonNode v = get(name);
            return v != null && !v.isNull() && bool(name);
        }

        Double optionalNumber(String name) {
            JsonNode v = get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isNumber()) {
                throw invalid(name, "a number", v);
            }
            return v.doubleValue();
        }

        List<Integer> intList(String name) {
            JsonNode v = node(name);
            if (!v.isArray()) {
                throw invalid(name, "an array of integers", v);
            }
            List<Integer> out = new ArrayList<>(v.size());
            for (JsonNode e : v) {
                if (!e.isInt()) {
                    throw invalid(name, "an array of integers", v);
                }
                out.add(e.intValue());
            }
            return out;
        }

        List<String> textList(String name) {
            JsonNode v = node(name);
            if (!v.isArray()) {
                throw invalid(name, "an array of strings", v);
            }
            List<String> out = new ArrayList<>(v.size());
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw invalid(name, "an array of strings", v);
                }
                out.add(e.textValue());
            }
            return out;
        }

        List<String> optionalTextList(String name) {
            JsonNode v = get(name);
            return v == null || v.isNull() ? List.of() : textList(name);
        }

        private FieldProblem invalid(String name, String expected, JsonNode actual) {
            String shown = actual.toString();
            if (shown.length() > 80) {
                shown = shown.substring(0, 80) + "…";
            }
            return new FieldProblem(ProtocolError.Kind.INVALID_FIELD,
                    "field '" + prefix + name + "' must be " + expected + ", but was " + shown);
        }
    }
}
