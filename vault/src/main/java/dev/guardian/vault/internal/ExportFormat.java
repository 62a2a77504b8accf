package dev.guardian.vault.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.vault.Checkpoint;
import dev.guardian.vault.CheckpointData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * The portable checkpoint file: one pretty-printed JSON document that names its format and
 * version, carries the metadata, the memory and its checksum. The memory is embedded as JSON when
 * its bytes are exactly the compact serialization of their own tree (so re-serializing restores
 * them byte for byte), else as a UTF-8 string, else as base64. Import recomputes the checksum over
 * the decoded bytes.
 */
final class ExportFormat {
    static final String FORMAT = "guardian-checkpoint";
    static final int VERSION = 1;

    record Imported(Checkpoint checkpoint, byte[] memory) {
    }

    private ExportFormat() {
    }

    static byte[] write(CheckpointData data, Instant exportedAt) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("format", FORMAT);
        doc.put("formatVersion", VERSION);
        doc.put("exportedAt", exportedAt.toString());
        ObjectNode meta = Json.checkpointNode(data.checkpoint());
        meta.remove("storedSize");
        meta.remove("compression");
        doc.set("checkpoint", meta);
        byte[] memory = data.memory();
        JsonNode tree = asExactJson(memory);
        if (tree != null) {
            doc.put("memoryEncoding", "json");
            doc.set("memory", tree);
        } else if (isUtf8(memory)) {
            doc.put("memoryEncoding", "text");
            doc.put("memory", new String(memory, StandardCharsets.UTF_8));
        } else {
            doc.put("memoryEncoding", "base64");
            doc.put("memory", Base64.getEncoder().encodeToString(memory));
        }
        try {
            String text = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n";
            return text.getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Decodes and verifies a document; the message of the IOException says what is wrong. */
    static Imported read(byte[] document) throws IOException {
        JsonNode doc;
        try {
            doc = Json.parse(document);
        } catch (IOException e) {
            throw new IOException("not a JSON document (" + firstLine(e.getMessage()) + ")", e);
        }
        if (!doc.isObject() || !FORMAT.equals(doc.path("format").asText())) {
            throw new IOException("not a guardian checkpoint export (\"format\" is not \"" + FORMAT + "\")");
        }
        int version = doc.path("formatVersion").asInt(-1);
        if (version < 1 || version > VERSION) {
            throw new IOException("export format version " + doc.path("formatVersion")
                    + " is not supported (this release reads 1.." + VERSION + ")");
        }
        Checkpoint meta = Json.checkpointFrom(doc.path("checkpoint"), false);
        String encoding = doc.path("memoryEncoding").asText();
        JsonNode m = doc.path("memory");
        byte[] memory = switch (encoding) {
            case "json" -> Json.bytes(m);
            case "text" -> requireText(m).getBytes(StandardCharsets.UTF_8);
            case "base64" -> {
                try {
                    yield Base64.getDecoder().decode(requireText(m));
                } catch (IllegalArgumentException e) {
                    throw new IOException("memory is not valid base64", e);
                }
            }
            default -> throw new IOException("unknown memoryEncoding '" + encoding + "'");
        };
        String actual = MemoryCodec.checksum(memory);
        if (!actual.equals(meta.checksum())) {
            throw new IOException("checksum mismatch: the file says " + meta.checksum() + ", its memory has " + actual
                    + " (the file was modified or damaged)");
        }
        if (memory.length != meta.size()) {
            throw new IOException("memory is " + memory.length + " bytes, but the file says " + meta.size());
        }
        return new Imported(meta, memory);
    }

    private static String requireText(JsonNode m) throws IOException {
        if (!m.isTextual()) {
            throw new IOException("\"memory\" must be a string for this memoryEncoding");
        }
        return m.asText();
    }

    private static JsonNode asExactJson(byte[] memory) {
        if (memory.length == 0) {
            return null;
        }
        try {
            JsonNode tree = Json.parse(memory);
            return tree != null && !tree.isMissingNode() && Arrays.equals(Json.bytes(tree), memory) ? tree : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
