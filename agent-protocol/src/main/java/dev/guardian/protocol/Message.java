package dev.guardian.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guardian.protocol.internal.LazyJson;
import java.util.List;
import java.util.Objects;

/**
 * One protocol line. Each type is one message type of docs/protocol.md; {@link #type()} is its
 * wire name. JSON values that the protocol does not interpret are Jackson trees to callers. In
 * {@link Request}, {@link Response} and {@link Checkpoint} (payloads and memory, the bulk of the
 * traffic) a decoded message keeps them as the bytes that were received and parses them only when
 * asked ({@link LazyJson}); these three are final classes with value equality rather than records
 * for that reason. Genomes, files and the memory of {@link Init} are parsed when decoded.
 */
public sealed interface Message {

    /** The protocol versions this implementation speaks. */
    List<Integer> SUPPORTED_VERSIONS = List.of(1);

    /** The wire name, the value of the {@code type} field. */
    String type();

    /** True for the messages that Guardian sends and an agent receives. */
    default boolean fromGuardian() {
        return this instanceof Init || this instanceof Request || this instanceof Ping
                || this instanceof CheckpointRequest || this instanceof ProposalResult || this instanceof Shutdown;
    }

    // ---- guardian -> agent ------------------------------------------------------------------

    /** Starts an instance: its role and the memory to restore, covering requests up to {@code seq}. */
    record Init(int protocol, String instanceId, Role role, JsonNode genome, JsonNode memory, long seq) implements Message {
        public Init {
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(role, "role");
        }

        @Override
        public String type() {
            return "init";
        }
    }

    /**
     * A client request, numbered in the WAL; {@code replay} requests are applied but not answered.
     *
     * <p>A decoded request keeps its payload as the JSON bytes it was sent with: {@link #payload()}
     * parses them on its first call and caches the tree; encoding the request again copies the
     * bytes through unparsed. Equality and hash code use the payload's JSON value, so a decoded
     * request equals one built from an equal tree.
     */
    final class Request implements Message {
        private final String id;
        private final long seq;
        private final LazyJson payload;
        private final boolean replay;

        public Request(String id, long seq, JsonNode payload, boolean replay) {
            this(LazyJson.of(Objects.requireNonNull(payload, "payload")), id, seq, replay);
        }

        private Request(LazyJson payload, String id, long seq, boolean replay) {
            this.id = Objects.requireNonNull(id, "id");
            this.seq = seq;
            this.payload = Objects.requireNonNull(payload, "payload");
            this.replay = replay;
        }

        /** The codec's factory: the payload as decoded (see {@link LazyJson}). */
        public static Request of(String id, long seq, LazyJson payload, boolean replay) {
            return new Request(payload, id, seq, replay);
        }

        public String id() {
            return id;
        }

        public long seq() {
            return seq;
        }

        /** The payload as a tree; for a decoded request, parsed on the first call, then the same tree. */
        public JsonNode payload() {
            return payload.tree();
        }

        /**
         * The payload as UTF-8 JSON, a fresh array: for a decoded request, exactly the bytes it was
         * sent with (whitespace and key order included) and without parsing them; else the tree
         * written compactly.
         */
        public byte[] rawPayload() {
            return payload.toBytes();
        }

        /** The payload holder, for the codec's writer. */
        public LazyJson payloadJson() {
            return payload;
        }

        public boolean replay() {
            return replay;
        }

        @Override
        public String type() {
            return "request";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Request r && seq == r.seq && replay == r.replay && id.equals(r.id)
                    && payload.equals(r.payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, seq, payload, replay);
        }

        @Override
        public String toString() {
            return "Request[id=" + id + ", seq=" + seq + ", payload=" + payload + ", replay=" + replay + "]";
        }
    }

    record Ping(long nonce) implements Message {
        @Override
        public String type() {
            return "ping";
        }
    }

    record CheckpointRequest(String id) implements Message {
        public CheckpointRequest {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String type() {
            return "checkpoint_request";
        }
    }

    /** The outcome of a {@link Propose}: promoted, rolled_back, rejected or aborted. */
    record ProposalResult(String id, String outcome, String proofId, String reason) implements Message {
        public ProposalResult {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(outcome, "outcome");
        }

        @Override
        public String type() {
            return "proposal_result";
        }
    }

    record Shutdown(long graceMs) implements Message {
        @Override
        public String type() {
            return "shutdown";
        }
    }

    // ---- agent -> guardian ------------------------------------------------------------------

    record Ready(String name, String version, List<Integer> protocol, List<String> capabilities) implements Message {
        public Ready {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(version, "version");
            protocol = List.copyOf(protocol);
            capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
        }

        @Override
        public String type() {
            return "ready";
        }
    }

    record Initialized(long seq) implements Message {
        @Override
        public String type() {
            return "initialized";
        }
    }

    /**
     * An answer: {@code ok} with a payload, or not with an error; {@code score} may be null.
     *
     * <p>As with {@link Request}, a decoded response keeps its payload as the JSON bytes it was sent
     * with until {@link #payload()} is called; equality uses the payload's JSON value.
     */
    final class Response implements Message {
        private final String id;
        private final boolean ok;
        private final LazyJson payload;
        private final ErrorInfo error;
        private final Double score;

        public Response(String id, boolean ok, JsonNode payload, ErrorInfo error, Double score) {
            this(LazyJson.of(payload), id, ok, error, score);
        }

        private Response(LazyJson payload, String id, boolean ok, ErrorInfo error, Double score) {
            this.id = Objects.requireNonNull(id, "id");
            this.ok = ok;
            this.payload = payload;
            this.error = error;
            this.score = score;
        }

        /** The codec's factory: the payload as decoded (see {@link LazyJson}); null for none. */
        public static Response of(String id, boolean ok, LazyJson payload, ErrorInfo error, Double score) {
            return new Response(payload, id, ok, error, score);
        }

        public static Response ok(String id, JsonNode payload) {
            return new Response(id, true, payload, null, null);
        }

        public static Response error(String id, String code, String message) {
            return new Response(id, false, null, new ErrorInfo(code, message), null);
        }

        public String id() {
            return id;
        }

        public boolean ok() {
            return ok;
        }

        /** The payload as a tree, or null; for a decoded response, parsed on the first call, then the same tree. */
        public JsonNode payload() {
            return payload == null ? null : payload.tree();
        }

        /**
         * The payload as UTF-8 JSON, a fresh array, or null when there is none: for a decoded
         * response, exactly the bytes it was sent with and without parsing them; else the tree
         * written compactly.
         */
        public byte[] rawPayload() {
            return payload == null ? null : payload.toBytes();
        }

        /** The payload holder (null for none), for the codec's writer. */
        public LazyJson payloadJson() {
            return payload;
        }

        /**
         * Writes the payload as the next value of {@code g} ({@code null} when there is none): the
         * received bytes as they are when it was never parsed, so that a relay or a log need not parse it.
         */
        public void writePayload(com.fasterxml.jackson.core.JsonGenerator g) throws java.io.IOException {
            if (payload == null) {
                g.writeNull();
            } else {
                payload.write(g);
            }
        }

        public ErrorInfo error() {
            return error;
        }

        public Double score() {
            return score;
        }

        @Override
        public String type() {
            return "response";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Response r && ok == r.ok && id.equals(r.id) && Objects.equals(payload, r.payload)
                    && Objects.equals(error, r.error) && Objects.equals(score, r.score);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, ok, payload, error, score);
        }

        @Override
        public String toString() {
            return "Response[id=" + id + ", ok=" + ok + ", payload=" + payload + ", error=" + error + ", score="
                    + score + "]";
        }
    }

    record Pong(long nonce) implements Message {
        @Override
        public String type() {
            return "pong";
        }
    }

    /**
     * The agent's memory after applying requests up to {@code seq}; {@code id} is null when unsolicited.
     *
     * <p>A decoded checkpoint keeps its memory as the JSON bytes it was sent with until
     * {@link #memory()} is called; equality uses the memory's JSON value.
     */
    final class Checkpoint implements Message {
        private final String id;
        private final long seq;
        private final LazyJson memory;

        public Checkpoint(String id, long seq, JsonNode memory) {
            this(LazyJson.of(memory), id, seq);
        }

        private Checkpoint(LazyJson memory, String id, long seq) {
            this.id = id;
            this.seq = seq;
            this.memory = memory;
        }

        /** The codec's factory: the memory as decoded (see {@link LazyJson}). */
        public static Checkpoint of(String id, long seq, LazyJson memory) {
            return new Checkpoint(memory, id, seq);
        }

        public String id() {
            return id;
        }

        public long seq() {
            return seq;
        }

        /** The memory as a tree; for a decoded checkpoint, parsed on the first call, then the same tree. */
        public JsonNode memory() {
            return memory == null ? null : memory.tree();
        }

        /**
         * The memory as UTF-8 JSON, a fresh array, or null: for a decoded checkpoint, exactly the
         * bytes it was sent with and without parsing them; else the tree written compactly.
         */
        public byte[] rawMemory() {
            return memory == null ? null : memory.toBytes();
        }

        /** The memory holder (null for none), for the codec's writer. */
        public LazyJson memoryJson() {
            return memory;
        }

        @Override
        public String type() {
            return "checkpoint";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Checkpoint c && seq == c.seq && Objects.equals(id, c.id)
                    && Objects.equals(memory, c.memory);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, seq, memory);
        }

        @Override
        public String toString() {
            return "Checkpoint[id=" + id + ", seq=" + seq + ", memory=" + memory + "]";
        }
    }

    /** The agent asks to evolve into a new version. {@code files} and {@code genome} may be null. */
    record Propose(String id, List<String> command, JsonNode files, JsonNode genome, String rationale) implements Message {
        public Propose {
            Objects.requireNonNull(id, "id");
            command = List.copyOf(command);
        }

        @Override
        public String type() {
            return "propose";
        }
    }

    /** The agent's report of a line from Guardian it could not use. */
    record Error(String code, String message, String line) implements Message {
        public Error {
            Objects.requireNonNull(code, "code");
        }

        @Override
        public String type() {
            return "error";
        }
    }

    /** The error part of a failed {@link Response}. */
    record ErrorInfo(String code, String message) {
        public ErrorInfo {
            Objects.requireNonNull(code, "code");
        }
    }

    /** The role of an instance. */
    enum Role {
        PRIMARY, CANARY, SHADOW;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The role with this wire name, or null. */
        public static Role fromWire(String s) {
            for (Role r : values()) {
                if (r.wireName().equals(s)) {
                    return r;
                }
            }
            return null;
        }
    }
}
