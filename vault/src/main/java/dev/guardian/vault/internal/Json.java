package dev.guardian.vault.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.vault.Checkpoint;
import dev.guardian.vault.CheckpointId;
import dev.guardian.vault.DeploymentRecord;
import dev.guardian.vault.ProofRecord;
import dev.guardian.vault.Tag;
import dev.guardian.vault.VersionRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The on-disk JSON of metadata and records. Every document carries {@code "schema"}: readers
 * accept every schema up to {@link #SCHEMA} and refuse newer ones with a clear message, so a
 * later release reads old data and an old release never misreads new data.
 */
public final class Json {
    /** Current schema of checkpoint metadata and record envelopes. */
    static final int SCHEMA = 1;

    /** Shared mapper: exact numbers, so that trees round-trip byte for byte where possible. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private Json() {
    }

    private static final String HEADER_CHECKSUM = "headerChecksum";

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(byte[] b) throws IOException {
        return MAPPER.readTree(b);
    }

    // ---- checkpoint metadata

    /** Checkpoint metadata as JSON: the form stored in checkpoint files, exports and `checkpoints --json`. */
    public static ObjectNode checkpointNode(Checkpoint c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", c.id().toString());
        n.put("lineage", c.lineage());
        n.put("versionId", c.versionId());
        n.put("walSeq", c.walSeq());
        n.put("createdAt", c.createdAt().toString());
        n.put("size", c.size());
        n.put("storedSize", c.storedSize());
        n.put("compression", c.compression());
        n.put("checksum", c.checksum());
        ArrayNode tags = n.putArray("tags");
        c.tags().stream().sorted().forEach(t -> tags.add(t.label()));
        n.put("pinned", c.pinned());
        if (c.parent().isPresent()) {
            n.put("parent", c.parent().get().toString());
        } else {
            n.putNull("parent");
        }
        return n;
    }

    /** The metadata line of a checkpoint file: one compact JSON object (Jackson never emits a raw newline). */
    static byte[] writeHeader(Checkpoint c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("schema", SCHEMA);
        n.setAll(checkpointNode(c));
        n.put(HEADER_CHECKSUM, crc32c(bytes(n)));
        return bytes(n);
    }

    /**
     * Reads a metadata line. Its {@code headerChecksum} (CRC-32C of the line without that field, as
     * written) covers every field: a flipped bit in {@code walSeq} or {@code lineage} makes the
     * checkpoint CORRUPT instead of restoring a memory under a wrong sequence. A line without one
     * (written before it existed) is read as it is.
     */
    static Checkpoint readHeader(byte[] b) throws IOException {
        JsonNode n = parse(b);
        requireSchema(n, "checkpoint metadata");
        if (n.has(HEADER_CHECKSUM)) {
            String stored = n.path(HEADER_CHECKSUM).asText();
            ((ObjectNode) n).remove(HEADER_CHECKSUM);
            String actual = crc32c(bytes(n));
            if (!actual.equals(stored)) {
                throw new IOException("the metadata line fails its checksum (" + actual + ", stored " + stored + "): a garbled header");
            }
        }
        return checkpointFrom(n, true);
    }

    private static String crc32c(byte[] b) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b);
        return String.format("crc32c:%08x", crc.getValue());
    }

    /** The sidecar of a checkpoint: only what may change after the save (pin and tags). */
    static byte[] writeMutable(Checkpoint c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("schema", SCHEMA);
        n.put("id", c.id().toString());
        ArrayNode tags = n.putArray("tags");
        c.tags().stream().sorted().forEach(t -> tags.add(t.label()));
        n.put("pinned", c.pinned());
        return bytes(n);
    }

    /** {@code base} with the pin and tags of a sidecar. */
    static Checkpoint readMutable(byte[] b, Checkpoint base) throws IOException {
        JsonNode n = parse(b);
        requireSchema(n, "checkpoint sidecar");
        if (!base.id().toString().equals(text(n, "id"))) {
            throw new IOException("sidecar names " + n.path("id").asText() + ", not " + base.id());
        }
        JsonNode pinned = n.get("pinned");
        if (pinned == null || !pinned.isBoolean() || !n.path("tags").isArray()) {
            throw new IOException("sidecar has no boolean \"pinned\" or no \"tags\" array");
        }
        Set<Tag> tags = EnumSet.noneOf(Tag.class);
        for (JsonNode t : n.path("tags")) {
            try {
                tags.add(Tag.parse(t.asText()));
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        return new Checkpoint(base.id(), base.lineage(), base.versionId(), base.walSeq(), base.createdAt(), base.size(),
                base.storedSize(), base.compression(), base.checksum(), tags, pinned.asBoolean(), base.parent());
    }

    static Checkpoint checkpointFrom(JsonNode n, boolean stored) throws IOException {
        Set<Tag> tags = EnumSet.noneOf(Tag.class);
        for (JsonNode t : n.path("tags")) {
            try {
                tags.add(Tag.parse(t.asText()));
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        try {
            JsonNode parent = n.path("parent");
            return new Checkpoint(
                    CheckpointId.parse(text(n, "id")),
                    text(n, "lineage"),
                    text(n, "versionId"),
                    number(n, "walSeq"),
                    Instant.parse(text(n, "createdAt")),
                    number(n, "size"),
                    stored ? number(n, "storedSize") : number(n, "size"),
                    stored ? text(n, "compression") : MemoryCodec.NONE,
                    text(n, "checksum"),
                    tags,
                    n.path("pinned").asBoolean(false),
                    parent.isTextual() ? Optional.of(CheckpointId.parse(parent.asText())) : Optional.empty());
        } catch (RuntimeException e) {
            throw new IOException("invalid checkpoint metadata: " + e.getMessage(), e);
        }
    }

    static void requireSchema(JsonNode n, String what) throws IOException {
        int schema = n.path("schema").asInt(-1);
        if (schema < 1) {
            throw new IOException(what + " has no valid \"schema\" field");
        }
        if (schema > SCHEMA) {
            throw new IOException(what + " was written by a newer Guardian (schema " + schema
                    + ", this release reads up to " + SCHEMA + ")");
        }
    }

    static String text(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException("field \"" + field + "\" is missing or not a string");
        }
        return v.asText();
    }

    static long number(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong()) {
            throw new IOException("field \"" + field + "\" is missing or not an integer");
        }
        return v.asLong();
    }

    // ---- generic records (version registry, deployments, proofs)

    private static ObjectNode envelope(String id, int schemaVersion, Instant createdAt) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("schema", SCHEMA);
        n.put("id", id);
        n.put("schemaVersion", schemaVersion);
        n.put("createdAt", createdAt.toString());
        return n;
    }

    static byte[] write(VersionRecord r) {
        ObjectNode n = envelope(r.id(), r.schemaVersion(), r.createdAt());
        n.put("lineage", r.lineage());
        n.put("parentVersionId", r.parentVersionId().orElse(null));
        n.put("origin", r.origin());
        n.set("body", r.body());
        return bytes(n);
    }

    static VersionRecord readVersion(byte[] b) throws IOException {
        JsonNode n = parse(b);
        requireSchema(n, "version record");
        JsonNode parent = n.path("parentVersionId");
        return new VersionRecord(text(n, "id"), n.path("schemaVersion").asInt(), Instant.parse(text(n, "createdAt")),
                text(n, "lineage"), parent.isTextual() ? Optional.of(parent.asText()) : Optional.empty(),
                text(n, "origin"), n.path("body"));
    }

    static byte[] write(DeploymentRecord r) {
        ObjectNode n = envelope(r.id(), r.schemaVersion(), r.createdAt());
        n.put("lineage", r.lineage());
        n.put("baselineVersionId", r.baselineVersionId());
        n.put("candidateVersionId", r.candidateVersionId());
        n.put("outcome", r.outcome());
        n.set("body", r.body());
        return bytes(n);
    }

    static DeploymentRecord readDeployment(byte[] b) throws IOException {
        JsonNode n = parse(b);
        requireSchema(n, "deployment record");
        return new DeploymentRecord(text(n, "id"), n.path("schemaVersion").asInt(), Instant.parse(text(n, "createdAt")),
                text(n, "lineage"), text(n, "baselineVersionId"), text(n, "candidateVersionId"), text(n, "outcome"),
                n.path("body"));
    }

    static byte[] write(ProofRecord r) {
        ObjectNode n = envelope(r.id(), r.schemaVersion(), r.createdAt());
        n.put("deploymentId", r.deploymentId());
        n.put("lineage", r.lineage());
        n.put("candidateVersionId", r.candidateVersionId());
        n.put("decision", r.decision());
        n.set("body", r.body());
        return bytes(n);
    }

    static ProofRecord readProof(byte[] b) throws IOException {
        JsonNode n = parse(b);
        requireSchema(n, "proof record");
        return new ProofRecord(text(n, "id"), n.path("schemaVersion").asInt(), Instant.parse(text(n, "createdAt")),
                text(n, "deploymentId"), text(n, "lineage"), text(n, "candidateVersionId"), text(n, "decision"),
                n.path("body"));
    }
}
