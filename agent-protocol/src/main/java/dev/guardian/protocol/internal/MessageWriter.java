package dev.guardian.protocol.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.guardian.protocol.Message;
import java.io.IOException;
import java.util.List;

/**
 * Writes one message as the fields of a JSON object, field names as in docs/protocol.md. Written
 * field by field rather than by data binding: it is the hot path of every request and response,
 * and absent optional fields are left out. A payload or memory still held as the bytes it was
 * decoded from is written as those bytes, unparsed ({@link LazyJson}).
 */
public final class MessageWriter {

    private MessageWriter() {
    }

    public static void write(Message m, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", m.type());
        if (m instanceof Message.Request r) {
            g.writeStringField("id", r.id());
            g.writeNumberField("seq", r.seq());
            json(g, "payload", r.payloadJson());
            if (r.replay()) {
                g.writeBooleanField("replay", true);
            }
        } else if (m instanceof Message.Response r) {
            g.writeStringField("id", r.id());
            g.writeBooleanField("ok", r.ok());
            if (r.ok()) {
                json(g, "payload", r.payloadJson());
            } else {
                g.writeObjectFieldStart("error");
                g.writeStringField("code", r.error().code());
                if (r.error().message() != null) {
                    g.writeStringField("message", r.error().message());
                }
                g.writeEndObject();
            }
            if (r.score() != null) {
                g.writeNumberField("score", r.score());
            }
        } else if (m instanceof Message.Ping p) {
            g.writeNumberField("nonce", p.nonce());
        } else if (m instanceof Message.Pong p) {
            g.writeNumberField("nonce", p.nonce());
        } else if (m instanceof Message.Init i) {
            g.writeNumberField("protocol", i.protocol());
            g.writeStringField("instance_id", i.instanceId());
            g.writeStringField("role", i.role().wireName());
            tree(g, "genome", i.genome());
            tree(g, "memory", i.memory());
            g.writeNumberField("seq", i.seq());
        } else if (m instanceof Message.Initialized i) {
            g.writeNumberField("seq", i.seq());
        } else if (m instanceof Message.CheckpointRequest c) {
            g.writeStringField("id", c.id());
        } else if (m instanceof Message.Checkpoint c) {
            optionalText(g, "id", c.id());
            g.writeNumberField("seq", c.seq());
            json(g, "memory", c.memoryJson());
        } else if (m instanceof Message.Ready r) {
            g.writeStringField("name", r.name());
            g.writeStringField("version", r.version());
            g.writeArrayFieldStart("protocol");
            for (int v : r.protocol()) {
                g.writeNumber(v);
            }
            g.writeEndArray();
            textArray(g, "capabilities", r.capabilities());
        } else if (m instanceof Message.Shutdown s) {
            g.writeNumberField("grace_ms", s.graceMs());
        } else if (m instanceof Message.Propose p) {
            g.writeStringField("id", p.id());
            textArray(g, "command", p.command());
            if (p.files() != null && !p.files().isNull()) {
                tree(g, "files", p.files());
            }
            if (p.genome() != null && !p.genome().isNull()) {
                tree(g, "genome", p.genome());
            }
            optionalText(g, "rationale", p.rationale());
        } else if (m instanceof Message.ProposalResult p) {
            g.writeStringField("id", p.id());
            g.writeStringField("outcome", p.outcome());
            optionalText(g, "proof_id", p.proofId());
            optionalText(g, "reason", p.reason());
        } else if (m instanceof Message.Error e) {
            g.writeStringField("code", e.code());
            optionalText(g, "message", e.message());
            optionalText(g, "line", e.line());
        } else {
            throw new IllegalArgumentException("no writer for " + m.getClass().getName());
        }
        g.writeEndObject();
    }

    private static void tree(JsonGenerator g, String name, JsonNode value) throws IOException {
        g.writeFieldName(name);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeTree(value);
        }
    }

    /** A payload or memory: decoded bytes are copied through as they are, trees written by Jackson. */
    private static void json(JsonGenerator g, String name, LazyJson value) throws IOException {
        g.writeFieldName(name);
        if (value == null) {
            g.writeNull();
        } else {
            value.write(g);
        }
    }

    private static void optionalText(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static void textArray(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
