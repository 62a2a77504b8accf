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
import dev.guardian.wal.WalGap;
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
    /** Written where the log had to jump over sequences it lost: {@code lost_from}..{@code lost_to}, and why. */
    static final String GAP = "gap";

    /** One logged request as read back; {@code payloadHash} is 0 when the record has none. */
    record Logged(long seq, String id, String key, long payloadHash, JsonNode payload) {
    }

    /** A record appended: its sequence and its bytes. */
    record Appended(long seq, byte[] record) {
    }

    private final Wal wal;
    private final ObjectMapper json;
    private final LogLosses losses = new LogLosses();
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
    byte[] requestRecord(String id, JsonNode payload) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeFieldName("payload");
            g.writeTree(payload);
            g.writeEndObject();
        });
    }

    /**
     * A keyed request's record: its id is the key, and {@code h} the hash of {@code payloadJson} (the
     * payload as encoded once, so that a retry with another payload is told apart after a restart).
     */
    byte[] keyedRequestRecord(String key, long payloadHash, byte[] payloadJson) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("id", key);
            g.writeStringField("key", key);
            g.writeNumberField("h", payloadHash);
            g.writeFieldName("payload");
            g.writeRawValue(new String(payloadJson, java.nio.charset.StandardCharsets.UTF_8));
            g.writeEndObject();
        });
    }

    /** The first 8 bytes of the SHA-256 of {@code bytes}, never 0 (0 means "not known"). */
    static long payloadHash(byte[] bytes) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
            long h = java.nio.ByteBuffer.wrap(d).getLong();
            return h == 0 ? 1 : h;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    AppendTicket appendRequest(byte[] record) {
        return wal.append(REQUEST, instanceTag, versionTag, record);
    }

    /** Logs an answer; not waited for (losing it only costs a re-ask of a retried key). */
    Appended appendResponse(long seq, String id, Message.Response r) {
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
        return new Appended(wal.append(RESPONSE, instanceTag, versionTag, record).sequence(), record);
    }

    /** A poison request that recovery must not deliver again; {@code key} (may be null) answers its retries. */
    AppendTicket appendSkip(long seq, String key, String reason) {
        ObjectNode n = json.createObjectNode().put("seq", seq).put("reason", reason);
        if (key != null) {
            n.put("key", key);
        }
        return wal.append(SKIP, instanceTag, versionTag, bytes(n));
    }

    /**
     * A response record's answer as the agent gave it (what a retried key gets), from the bytes
     * {@link #appendResponse} wrote.
     */
    Message.Response answerOf(byte[] responseRecord) {
        JsonNode n;
        try {
            n = json.readTree(responseRecord);
        } catch (IOException e) {
            throw new UncheckedIOException("a response record is not JSON", e);
        }
        return n.path("ok").asBoolean()
                ? Message.Response.ok(n.path("id").asText(), n.get("payload"))
                : Message.Response.error(n.path("id").asText(), n.path("error").path("code").asText(),
                        n.path("error").path("message").asText());
    }

    long lastSequence() {
        return wal.lastSequence();
    }

    long durableSequence() {
        return wal.durableSequence();
    }

    int retainAfter(long coveredSeq) {
        return wal.retainAfter(coveredSeq);
    }

    /**
     * Reads every record after {@code afterSeq}, in order, up to the end at the time of reading. Every
     * sequence is a record, so a jump is a loss (a record skipped as damaged, a deleted or cut file):
     * it is reported to {@link #losses()}, unless a gap record says it was known (the jump is then the
     * loss it records, reported too). From 0, the start is not checked: retention removes old files.
     */
    void readAfter(long afterSeq, Consumer<WalRecord> each) {
        try (WalCursor cursor = wal.read(afterSeq + 1)) {
            long previous = afterSeq;
            WalRecord r;
            while ((r = cursor.next()) != null) {
                if (GAP.equals(r.type())) {
                    JsonNode n = tree(r);
                    losses.report(n.path("lost_from").asLong(), n.path("lost_to").asLong(), n.path("reason").asText());
                } else if (r.sequence() > previous + 1 && previous > 0) {
                    losses.report(previous + 1, r.sequence() - 1, "missing from the log between seq " + previous + " and "
                            + r.sequence() + " (damaged records skipped: " + cursor.corruptSkipped() + ")");
                }
                previous = r.sequence();
                each.accept(r);
            }
        }
    }

    /**
     * Writes a gap record at {@code floor + 1} after a log that ends at {@code last}, below {@code floor}:
     * new requests are numbered above every sequence the agent's memory or a client may have seen.
     */
    AppendTicket appendGap(long last, long floor, String reason) {
        losses.report(last + 1, floor, reason);
        byte[] payload = bytes(json.createObjectNode().put("lost_from", last + 1).put("lost_to", floor).put("reason", reason));
        return wal.appendAt(floor + 1, GAP, instanceTag, versionTag, payload);
    }

    /**
     * Reports a gap the WAL found between its cycle files ({@link Wal#gaps}): a loss, unless the record after it
     * is a gap record, whose own range and reason are reported instead (the jump is the one it records).
     * {@code cost} says what the loss costs the agent's memory.
     */
    void reportGap(WalGap gap, String cost) {
        long unexplainedTo = gap.to();
        try (WalCursor cursor = wal.read(gap.to() + 1)) {
            WalRecord next = cursor.next();
            if (next != null && next.sequence() == gap.to() + 1 && GAP.equals(next.type())) {
                JsonNode n = tree(next);
                losses.report(n.path("lost_from").asLong(), n.path("lost_to").asLong(), n.path("reason").asText());
                unexplainedTo = n.path("lost_from").asLong() - 1;
            }
        }
        losses.report(gap.from(), unexplainedTo, gap.what() + "; " + cost); // nothing when the gap record explains it all
    }

    /** The gaps between the WAL's cycle files as it found them when it opened. */
    java.util.List<WalGap> gaps() {
        return wal.gaps();
    }

    LogLosses losses() {
        return losses;
    }

    Logged request(WalRecord r) {
        JsonNode n = tree(r);
        return new Logged(r.sequence(), n.path("id").asText(), n.hasNonNull("key") ? n.get("key").asText() : null,
                n.path("h").asLong(0), n.get("payload"));
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
