package dev.guardian.protocol.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.guardian.protocol.Frame;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolError;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one line into a {@link Message} or a {@link ProtocolError}; nothing escapes it. Thread-safe
 * (the mapper is).
 */
public final class MessageParser {

    private final ObjectMapper mapper;

    public MessageParser(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public Frame parse(byte[] bytes, int offset, int length) {
        JsonNode root;
        try {
            root = mapper.readTree(bytes, offset, length);
        } catch (JacksonException e) {
            return reject(ProtocolError.Kind.MALFORMED, "invalid JSON (" + firstLine(e.getOriginalMessage()) + ")",
                    bytes, offset, length);
        } catch (java.io.IOException | RuntimeException e) {
            return reject(ProtocolError.Kind.MALFORMED, "unreadable line (" + e + ")", bytes, offset, length);
        }
        if (root == null || !root.isObject()) {
            String what = root == null || root.isMissingNode() ? "nothing" : root.getNodeType().name().toLowerCase();
            return reject(ProtocolError.Kind.MALFORMED, "expected a JSON object but got " + what, bytes, offset, length);
        }
        JsonNode type = root.get("type");
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
                        role(f), f.optionalNode("genome"), f.optionalNode("memory"), f.integer("seq", 0, Long.MAX_VALUE));
            case "request":
                return new Message.Request(f.text("id"), f.integer("seq", 0, Long.MAX_VALUE), f.node("payload"),
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
                return new Message.Checkpoint(f.optionalText("id"), f.integer("seq", 0, Long.MAX_VALUE), f.node("memory"));
            case "propose":
                return new Message.Propose(f.text("id"), f.textList("command"), f.optionalNode("files"),
                        f.optionalNode("genome"), f.optionalText("rationale"));
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
            return new Message.Response(id, true, f.node("payload"), null, score);
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

    /** Typed access to the fields of one object, with errors that name the field and the value. */
    private static final class Fields {
        private final JsonNode node;
        private final String prefix;

        Fields(JsonNode node) {
            this(node, "");
        }

        private Fields(JsonNode node, String prefix) {
            this.node = node;
            this.prefix = prefix;
        }

        JsonNode node(String name) {
            JsonNode v = node.get(name);
            if (v == null) {
                throw new FieldProblem(ProtocolError.Kind.MISSING_FIELD, "missing field '" + prefix + name + "'");
            }
            return v;
        }

        JsonNode optionalNode(String name) {
            JsonNode v = node.get(name);
            return v == null || v.isNull() ? NullNode.getInstance() : v;
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
            JsonNode v = node.get(name);
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
            JsonNode v = node.get(name);
            return v != null && !v.isNull() && bool(name);
        }

        Double optionalNumber(String name) {
            JsonNode v = node.get(name);
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
            JsonNode v = node.get(name);
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
