package dev.guardian.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.config.GuardianConfig;
import dev.guardian.evolution.version.Origin;
import dev.guardian.evolution.version.Version;
import dev.guardian.vault.Vault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The daemon's versions: their records in the vault and their files under
 * {@code DATA/versions/ID/} (written before the record, so a registered version always has its
 * files), and which one the primary runs ({@code DATA/current-version.json}).
 */
public final class VersionStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vault vault;
    private final Path versionsDir;
    private final Path currentFile;
    private final String lineage;
    private volatile Version configured;
    /** Told after {@link #setCurrent} recorded a new current version (called on the caller's thread). */
    private volatile java.util.function.Consumer<Version> currentChanged = v -> {
    };

    public VersionStore(Vault vault, DataDirectory dir, String lineage) {
        this.vault = vault;
        this.versionsDir = dir.versions();
        this.currentFile = dir.currentVersionFile();
        this.lineage = lineage;
    }

    /** What the config's {@code agent} section describes, as a manual version (registered). */
    public Version registerConfigured(GuardianConfig.Agent agent, Instant now) {
        configured = register(Version.of(agent.command(), agent.env(), Map.of(), null, Optional.empty(), Origin.MANUAL,
                "the agent of the config file", now), Map.of());
        return configured;
    }

    /** Registers a version whose files all get {@link VersionFiles#DEFAULT_MODE} (an agent's proposal names no modes). */
    public Version register(List<String> command, Map<String, String> env, Map<String, byte[]> files, JsonNode genome,
            Optional<String> parent, Origin origin, String rationale, Instant now) {
        return register(command, env, files, Map.of(), genome, parent, origin, rationale, now);
    }

    /**
     * Registers a version with its files (relative path → bytes) and their modes (relative path →
     * octal permission bits, checked by {@link VersionFiles#checkedMode}; a file without one gets
     * {@link VersionFiles#DEFAULT_MODE}). Idempotent: the same content is the same version; the
     * first registration's history (parent, origin) is kept.
     */
    public Version register(List<String> command, Map<String, String> env, Map<String, byte[]> files,
            Map<String, String> modes, JsonNode genome, Optional<String> parent, Origin origin, String rationale, Instant now) {
        Map<String, String> hashes = new TreeMap<>();
        Map<String, byte[]> contents = new TreeMap<>();
        files.forEach((name, bytes) -> {
            String checked = VersionFiles.checkedName(name);
            if (contents.put(checked, bytes) != null) {
                throw new IllegalArgumentException("files: '" + name + "' is another name of '" + checked + "', which is there already");
            }
            hashes.put(checked, Version.sha256(bytes));
        });
        VersionFiles.checkNoneIsADirectoryOfAnother(contents.keySet());
        Map<String, String> checkedModes = new TreeMap<>();
        modes.forEach((name, mode) -> checkedModes.put(VersionFiles.checkedName(name), VersionFiles.checkedMode("modes." + name, mode)));
        Version v = Version.of(command, env, hashes, checkedModes, genome, parent, origin, rationale, now);
        return register(v, contents);
    }

    private Version register(Version v, Map<String, byte[]> files) {
        Optional<Version> known = find(v.id());
        if (known.isPresent()) {
            return known.get();
        }
        writeFiles(v, files);
        vault.registerVersion(v.toRecord(lineage));
        return v;
    }

    public Optional<Version> find(String id) {
        return vault.version(id).map(Version::fromRecord);
    }

    public List<Version> list() {
        return vault.versions().stream().map(Version::fromRecord).toList();
    }

    /** A version as the admin API and {@code guardian versions} show it. */
    public static ObjectNode toJson(Version v, String currentId) {
        ObjectNode n = JSON.createObjectNode().put("id", v.id()).put("origin", v.origin().wireName())
                .put("created", v.createdAt().toString()).put("current", v.id().equals(currentId));
        v.parent().ifPresent(p -> n.put("parent", p));
        n.set("command", JSON.valueToTree(v.command()));
        n.set("env", JSON.valueToTree(v.env()));
        n.set("files", JSON.valueToTree(v.files()));
        if (!v.modes().isEmpty()) {
            n.set("modes", JSON.valueToTree(v.modes()));
        }
        n.set("genome", v.genome());
        n.put("rationale", v.rationale());
        return n;
    }

    /** Where a version runs: its own directory when it has files, else {@code fallback}. */
    public Path workingDir(Version v, Path fallback) {
        return v.files().isEmpty() ? fallback : versionsDir.resolve(v.id());
    }

    /**
     * The version the primary should run: the one recorded as current, if it was recorded while the
     * config described the same agent; otherwise (first start, or an operator changed the config's
     * agent) the configured version itself.
     */
    public Version current() {
        if (configured == null) {
            throw new IllegalStateException("registerConfigured first");
        }
        if (!Files.exists(currentFile)) {
            return configured;
        }
        try {
            JsonNode n = JSON.readTree(currentFile.toFile());
            if (!configured.id().equals(n.path("configured").asText())) {
                return configured;
            }
            return find(n.path("current").asText()).orElse(configured);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + currentFile + ": " + e.getMessage(), e);
        }
    }

    /** {@code listener} hears of each new current version; it must not block (it may be called under locks). */
    public void onCurrentChange(java.util.function.Consumer<Version> listener) {
        currentChanged = listener;
    }

    /** Records {@code current} as the primary's version (atomically and durably). */
    public void setCurrent(Version current) {
        ObjectNode n = JSON.createObjectNode().put("current", current.id()).put("configured", configured.id())
                .put("at", Instant.now().toString());
        try {
            writeAtomically(currentFile, JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + currentFile + ": " + e.getMessage(), e);
        }
        currentChanged.accept(current);
    }

    private void writeFiles(Version v, Map<String, byte[]> files) {
        Path dir = versionsDir.resolve(v.id());
        try {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                VersionFiles.write(dir.resolve(f.getKey()), f.getValue(), v.modes().getOrDefault(f.getKey(), VersionFiles.DEFAULT_MODE));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the files of version " + v.id() + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Files.createDirectories(target.getParent());
        dev.guardian.files.AtomicFile.write(target, bytes);
    }
}
