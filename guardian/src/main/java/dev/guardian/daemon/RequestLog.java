package dev.guardian.daemon;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.protocol.Message;
import dev.guardian.wal.AppendTicket;
import dev.guardian.wal.Wal;
import dev.guardian.wal.WalCursor;
import dev.guardian.wal.WalRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * The daemon's records in the WAL, as JSON payloads: {@code request} (id, idempotency key,
 * payload), {@code response} (the answer, so that a retried key gets the same answer after a
 * restart) and {@code skip} (a poison request that recovery must not deliver again). Thread-safe
 * (the WAL is).
 */
final class RequestLog {

    static final String REQUEST = "request";
    static final String RESPONSE = "response";
    static final String SKIP = "skip";

    /** One logged request as read back. */
    record Logged(long seq, String id, String key, JsonNode payload) {
    }

    private final Wal wal;
    private final ObjectMapper json;
    private final String instanceTag;
    /** The primary's version, which changes at a promotion, a rollback or an escalation. */
    private volatile String versionTag;

    RequestLog(Wal wal, ObjectMapper json, String instanceTag, String versionTag) {
        this.wal = wal;
        this.json = json;
        this.instanceTag = instanceTag;
        this.versionTag = versionTag;
    }

    /** Records appended from now on carry {@code versionId}. */
    void tagVersion(String versionId) {
        versionTag = versionId;
    }

    /** The request record's payload, encoded (outside any lock) for {@link #appendRequest(byte[])}. */
    byte[] requestRecord(String id, String key, JsonNode payload) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            if (key != null) {
                g.writeStringField("key", key);
            }
            g.writeFieldName("payload");
            g.writeTree(payload);
            g.writeEndObject();
        });
    }

    AppendTicket appendRequest(byte[] record) {
        return wal.append(REQUEST, instanceTag, versionTag, record);
    }

    /** Logs an answer; not waited for (losing it only costs a re-ask of a retried key). */
    void appendResponse(long seq, String id, Message.Response r) {
        byte[] record = write(g -> {
            g.writeStartObject();
            g.writeNumberField("seq", seq);
            g.writeStringField("id", id);
            g.writeBooleanField("ok", r.ok());
            if (r.ok()) {
                g.writeFieldName("payload");
                r.writePayload(g); // the agent's bytes as they came: logging an answer does not parse it
            } else {
                g.writeObjectFieldStart("error");
                g.writeStringField("code", r.error().code());
                g.writeStringField("message", r.error().message());
                g.writeEndObject();
            }
            g.writeEndObject();
        });
        wal.append(RESPONSE, instanceTag, versionTag, record);
    }

    AppendTicket appendSkip(long seq, String reason) {
        return wal.append(SKIP, instanceTag, versionTag, bytes(json.createObjectNode().put("seq", seq).put("reason", reason)));
    }

    long lastSequence() {
        return wal.lastSequence();
    }

    int retainAfter(long coveredSeq) {
        return wal.retainAfter(coveredSeq);
    }

    /** Reads every record after {@code afterSeq}, in order, up to the end at the time of reading. */
    void readAfter(long afterSeq, Consumer<WalRecord> each) {
        try (WalCursor cursor = wal.read(afterSeq + 1)) {
            WalRecord r;
            while ((r = cursor.next()) != null) {
                each.accept(r);
            }
        }
    }

    Logged request(WalRecord r) {
        JsonNode n = tree(r);
        return new Logged(r.sequence(), n.path("id").asText(), n.hasNonNull("key") ? n.get("key").asText() : null,
                n.get("payload"));
    }

    JsonNode tree(WalRecord r) {
        try {
            return json.readTree(r.payload());
        } catch (IOException e) {
            throw new UncheckedIOException("WAL record " + r.sequence() + " is not JSON", e);
        }
    }

    private byte[] bytes(JsonNode n) {
        try {
            return json.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What {@link #write} writes, with a generator (the same JSON as a tree would give, without building one). */
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private byte[] write(Body body) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(256); JsonGenerator g = json.getFactory().createGenerator(out)) {
            body.write(g);
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
