package dev.guardian.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * One protocol line. Each record is one message type of docs/protocol.md; {@link #type()} is its
 * wire name. JSON values that the protocol does not interpret (payloads, memory, genomes) are kept
 * as Jackson trees.
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

    /** A client request, numbered in the WAL; {@code replay} requests are applied but not answered. */
    record Request(String id, long seq, JsonNode payload, boolean replay) implements Message {
        public Request {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public String type() {
            return "request";
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

    /** An answer: {@code ok} with a payload, or not with an error; {@code score} may be null. */
    record Response(String id, boolean ok, JsonNode payload, ErrorInfo error, Double score) implements Message {
        public Response {
            Objects.requireNonNull(id, "id");
        }

        public static Response ok(String id, JsonNode payload) {
            return new Response(id, true, payload, null, null);
        }

        public static Response error(String id, String code, String message) {
            return new Response(id, false, null, new ErrorInfo(code, message), null);
        }

        @Override
        public String type() {
            return "response";
        }
    }

    record Pong(long nonce) implements Message {
        @Override
        public String type() {
            return "pong";
        }
    }

    /** The agent's memory after applying requests up to {@code seq}; {@code id} is null when unsolicited. */
    record Checkpoint(String id, long seq, JsonNode memory) implements Message {
        @Override
        public String type() {
            return "checkpoint";
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
