package dev.guardian.cli.checkpoints;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.vault.Checkpoint;
import dev.guardian.vault.CheckpointData;
import dev.guardian.vault.MemoryDiff;
import dev.guardian.vault.Tag;
import dev.guardian.vault.VerifyResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Renders checkpoints for people (aligned tables, pretty JSON) and for scripts ({@code --json}). */
final class CheckpointOutput {
    /** Exact numbers: {@code show} prints 84.0 as 84.0, not 84 or 84.00000000001. */
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private CheckpointOutput() {
    }

    static String table(List<Checkpoint> checkpoints) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "LINEAGE", "VERSION", "WAL SEQ", "CREATED", "SIZE", "TAGS"});
        for (Checkpoint c : checkpoints) {
            rows.add(new String[] {c.id().toString(), c.lineage(), c.versionId(), Long.toString(c.walSeq()),
                    c.createdAt().truncatedTo(ChronoUnit.SECONDS).toString(), bytes(c.size()), tags(c)});
        }
        return align(rows);
    }

    static String align(List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                line.append(i == cols - 1 ? r[i] : String.format(Locale.ROOT, "%-" + width[i] + "s  ", r[i]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    static String tags(Checkpoint c) {
        List<String> t = c.tags().stream().sorted().map(Tag::label).collect(Collectors.toCollection(ArrayList::new));
        if (c.pinned()) {
            t.add(0, "pinned");
        }
        return t.isEmpty() ? "-" : String.join(",", t);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }

    private static String sizeWithUnit(long n) {
        return n < 1024 ? n + " bytes" : n + " bytes (" + bytes(n) + ")";
    }

    static ObjectNode json(Checkpoint c) {
        return c.toJson();
    }

    static String jsonList(List<Checkpoint> checkpoints) {
        ArrayNode a = MAPPER.createArrayNode();
        checkpoints.forEach(c -> a.add(json(c)));
        return pretty(a);
    }

    static String pretty(JsonNode n) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Metadata as aligned key/value lines, then the memory (pretty JSON, text, or a note for binary). */
    static String show(CheckpointData d) {
        Checkpoint c = d.checkpoint();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"id", c.id().toString()});
        rows.add(new String[] {"lineage", c.lineage()});
        rows.add(new String[] {"version", c.versionId()});
        rows.add(new String[] {"wal seq", Long.toString(c.walSeq())});
        rows.add(new String[] {"created", c.createdAt().toString()});
        rows.add(new String[] {"size", sizeWithUnit(c.size()) + ", stored " + sizeWithUnit(c.storedSize())
                + " (compression: " + c.compression() + ")"});
        rows.add(new String[] {"checksum", c.checksum() + " (verified)"});
        rows.add(new String[] {"tags", tags(c)});
        rows.add(new String[] {"parent", c.parent().map(Object::toString).orElse("-")});
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.append(String.format(Locale.ROOT, "%-9s %s%n", r[0] + ":", r[1]));
        }
        JsonNode tree = parseJson(d.memory());
        if (tree != null) {
            sb.append("memory:\n").append(pretty(tree)).append('\n');
        } else if (isUtf8(d.memory())) {
            sb.append("memory (text, not JSON):\n").append(d.memoryAsString());
            if (d.memory().length > 0 && d.memory()[d.memory().length - 1] != '\n') {
                sb.append('\n');
            }
        } else {
            sb.append("memory: ").append(d.memory().length).append(" bytes of binary data (use --raw)\n");
        }
        return sb.toString();
    }

    static JsonNode parseJson(byte[] memory) {
        if (memory.length == 0) {
            return null;
        }
        try {
            JsonNode n = MAPPER.readTree(memory);
            return n == null || n.isMissingNode() ? null : n;
        } catch (IOException e) {
            return null;
        }
    }

    static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** {@code + /path value}, {@code - /path}, {@code ~ /path old -> new}. */
    static String diff(List<MemoryDiff.Change> changes) {
        StringBuilder sb = new StringBuilder();
        for (MemoryDiff.Change c : changes) {
            String path = c.path().isEmpty() ? "/" : c.path();
            switch (c.kind()) {
                case ADDED -> sb.append("+ ").append(path).append(' ').append(c.after()).append('\n');
                case REMOVED -> sb.append("- ").append(path).append('\n');
                case CHANGED -> sb.append("~ ").append(path).append(' ').append(c.before()).append(" -> ")
                        .append(c.after()).append('\n');
            }
        }
        return sb.toString();
    }

    /** One aligned line per checkpoint: id, lineage, {@code ok} or {@code CORRUPT: reason}. */
    static String verifyLines(List<VerifyResult> results) {
        List<String[]> rows = new ArrayList<>();
        for (VerifyResult r : results) {
            rows.add(new String[] {r.id().toString(), r.lineage().orElse("?"), r.valid() ? "ok" : "CORRUPT: " + r.problem()});
        }
        return rows.isEmpty() ? "" : align(rows);
    }
}
