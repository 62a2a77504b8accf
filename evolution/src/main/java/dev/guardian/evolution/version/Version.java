package dev.guardian.evolution.version;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.vault.VersionRecord;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable, content-addressed version of an agent: what to run and with which files and
 * parameters. Its id is a hash of exactly that content ({@link #contentId}), so registering the
 * same thing twice yields the same version, and a record cannot silently change under its id.
 * Where it came from (parent, origin, rationale, time) is recorded but not hashed.
 *
 * @param id         {@code v-} and 12 hex digits of the content hash
 * @param command    command line; relative paths resolve in the version's directory when it has files
 * @param env        extra environment variables
 * @param files      file name (relative path) → SHA-256 hex of its bytes; the daemon keeps the bytes
 * @param modes      file name → the permission bits it is written with, four octal digits ("0755");
 *                   a file not named here gets the daemon's default. Hashed: the same bytes made
 *                   executable are another version (else a redeploy after chmod would change nothing)
 * @param genome     the version's parameters (passed to the agent in {@code init}), or null
 * @param parent     the version this one was derived from
 * @param origin     manual, agent-proposal, mutation or llm
 * @param rationale  why it exists, in the author's words (may be empty)
 * @param createdAt  when it was registered
 */
public record Version(String id, List<String> command, Map<String, String> env, Map<String, String> files,
                      Map<String, String> modes, JsonNode genome, Optional<String> parent, Origin origin, String rationale, Instant createdAt) {

    /**
     * Version of the record body's schema; bump when the body changes shape. 2 added {@code modes};
     * a record without modes is still written as 1, so that an older Guardian reads it.
     */
    public static final int SCHEMA = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    public Version {
        Objects.requireNonNull(id, "id");
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a version needs a command, but command was empty");
        }
        env = Map.copyOf(new TreeMap<>(env));
        files = Map.copyOf(new TreeMap<>(files));
        modes = modes == null ? Map.of() : Map.copyOf(new TreeMap<>(modes));
        for (String name : modes.keySet()) {
            if (!files.containsKey(name)) {
                throw new IllegalArgumentException("modes." + name + " names no file of the version (files: " + files.keySet() + ")");
            }
        }
        parent = parent == null ? Optional.empty() : parent;
        Objects.requireNonNull(origin, "origin");
        rationale = rationale == null ? "" : rationale;
        Objects.requireNonNull(createdAt, "createdAt");
        String expected = contentId(command, env, files, modes, genome);
        if (!expected.equals(id)) {
            throw new IllegalArgumentException("version id " + id + " does not match its content (" + expected + ")");
        }
    }

    /** A version whose files have the daemon's default mode. */
    public Version(String id, List<String> command, Map<String, String> env, Map<String, String> files, JsonNode genome,
            Optional<String> parent, Origin origin, String rationale, Instant createdAt) {
        this(id, command, env, files, Map.of(), genome, parent, origin, rationale, createdAt);
    }

    /** A new version: its id computed from its content. */
    public static Version of(List<String> command, Map<String, String> env, Map<String, String> files,
            Map<String, String> modes, JsonNode genome, Optional<String> parent, Origin origin, String rationale,
            Instant createdAt) {
        return new Version(contentId(command, env, files, modes, genome), command, env, files, modes, genome, parent,
                origin, rationale, createdAt);
    }

    /** A new version whose files have the daemon's default mode. */
    public static Version of(List<String> command, Map<String, String> env, Map<String, String> files, JsonNode genome,
            Optional<String> parent, Origin origin, String rationale, Instant createdAt) {
        return of(command, env, files, Map.of(), genome, parent, origin, rationale, createdAt);
    }

    /**
     * The content hash: command, env (sorted), file hashes (sorted), modes (sorted; left out when
     * none, so the ids of versions from before modes existed stay the same) and genome (keys sorted),
     * as canonical JSON.
     */
    public static String contentId(List<String> command, Map<String, String> env, Map<String, String> files,
            Map<String, String> modes, JsonNode genome) {
        ObjectNode content = JsonNodeFactory.instance.objectNode();
        content.set("command", JSON.valueToTree(command));
        content.set("env", JSON.valueToTree(new TreeMap<>(env)));
        content.set("files", JSON.valueToTree(new TreeMap<>(files)));
        if (modes != null && !modes.isEmpty()) {
            content.set("modes", JSON.valueToTree(new TreeMap<>(modes)));
        }
        content.set("genome", genome == null ? JsonNodeFactory.instance.nullNode() : sorted(genome));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(content));
            return "v-" + HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 hex of some bytes: how {@link #files} names a file's content. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The vault's record of this version, in lineage {@code lineage}. */
    public VersionRecord toRecord(String lineage) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("command", JSON.valueToTree(command));
        body.set("env", JSON.valueToTree(new TreeMap<>(env)));
        body.set("files", JSON.valueToTree(new TreeMap<>(files)));
        if (!modes.isEmpty()) {
            body.set("modes", JSON.valueToTree(new TreeMap<>(modes)));
        }
        body.set("genome", genome);
        body.put("rationale", rationale);
        return new VersionRecord(id, modes.isEmpty() ? 1 : SCHEMA, createdAt, lineage, parent, origin.wireName(), body);
    }

    /** Reads a version back from its vault record (checking that its content still matches its id). */
    public static Version fromRecord(VersionRecord r) {
        if (r.schemaVersion() > SCHEMA) {
            throw new IllegalArgumentException("version " + r.id() + " has schema " + r.schemaVersion()
                    + "; this Guardian reads up to " + SCHEMA);
        }
        JsonNode b = r.body();
        List<String> command = JSON.convertValue(b.path("command"), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
        Map<String, String> env = strings(b.path("env"));
        Map<String, String> files = strings(b.path("files"));
        Map<String, String> modes = strings(b.path("modes"));
        JsonNode genome = b.hasNonNull("genome") ? b.get("genome") : null;
        return new Version(r.id(), command, env, files, modes, genome, r.parentVersionId(), Origin.parse(r.origin()),
                b.path("rationale").asText(""), r.createdAt());
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** A copy with object keys sorted at every level, so that key order never changes a hash. */
    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                fields.put(e.getKey(), sorted(e.getValue()));
            }
            fields.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            var out = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> out.add(sorted(n)));
            return out;
        }
        return node;
    }

    /** A short description for logs and lists: the command, with file count. */
    public String describe() {
        return String.join(" ", command) + (files.isEmpty() ? "" : " (+" + files.size() + " files)");
    }
}
