package dev.guardian.cli.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.guardian.cli.AdminClient;
import dev.guardian.cli.CliException;
import dev.guardian.cli.DataDirMixin;
import dev.guardian.cli.DurationConverter;
import dev.guardian.cli.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code guardian deploy}: registers a version with the running daemon and starts its rollout.
 * The version is a command ({@code -- CMD ARGS...}) or a directory ({@code --version-dir DIR}: its
 * files are copied into the data directory, and its {@code version.yaml} may give the command, env,
 * genome and rationale). Links and modes: see {@link VersionDirReader}.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Register a version (a command, or a directory of files) and roll it out beside the primary.")
public final class DeployCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** What the admin API accepts in one body (files are sent base64-encoded). */
    private static final long MAX_FILES_BYTES = 32L << 20;

    @Mixin
    DataDirMixin dataDir;

    @Option(names = "--version-dir", paramLabel = "DIR", description = "A directory holding the version's files (and optionally version.yaml).")
    Path versionDir;

    @Option(names = "--strategy", paramLabel = "S", description = "shadow, canary or direct (default: the config's rollout.strategy).")
    String strategy;

    @Option(names = "--env", paramLabel = "K=V", description = "An environment variable of the version (repeatable).")
    Map<String, String> env = new java.util.LinkedHashMap<>();

    @Option(names = "--genome", paramLabel = "JSON", description = "The version's parameters, as a JSON object.")
    String genome;

    @Option(names = "--rationale", paramLabel = "TEXT", description = "Why this version exists (kept in its record and proof).")
    String rationale;

    @Option(names = "--wait", paramLabel = "TIMEOUT", converter = DurationConverter.class, arity = "0..1", fallbackValue = "10m",
            description = "Wait until the rollout ends and print its proof's decision (default timeout 10m).")
    Duration waitFor;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "The version's command line (after --).")
    List<String> command = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode files = body.putObject("files");
        if (versionDir != null) {
            readVersionDir(body, files);
        }
        if (!command.isEmpty()) {
            body.set("command", JSON.valueToTree(command));
        }
        if (!body.has("command")) {
            throw new CliException(ExitCodes.USAGE, "nothing to deploy: give -- CMD ARGS... or --version-dir DIR with a version.yaml naming its command");
        }
        if (!env.isEmpty()) {
            ObjectNode e = body.has("env") ? (ObjectNode) body.get("env") : body.putObject("env");
            env.forEach(e::put);
        }
        if (genome != null) {
            try {
                body.set("genome", JSON.readTree(genome));
            } catch (IOException e) {
                throw CliException.badInput("--genome must be JSON, but was '" + genome + "'");
            }
        }
        if (rationale != null) {
            body.put("rationale", rationale);
        }
        if (strategy != null) {
            body.put("strategy", strategy);
        }
        AdminClient admin = AdminClient.forDataDir(dataDir.resolve());
        JsonNode started = admin.post("/admin/deploy", JSON.writeValueAsBytes(body));
        PrintWriter out = spec.commandLine().getOut();
        if (started.path("revived").asBoolean()) {
            out.println(started.path("message").asText());
            out.flush();
            return ExitCodes.OK;
        }
        String deployment = started.path("deployment").asText();
        out.printf("deployment %s: version %s, %s rollout started%n", deployment, started.path("version").asText(),
                started.path("strategy").asText());
        out.flush();
        if (waitFor == null) {
            return ExitCodes.OK;
        }
        return Rollouts.awaitProof(admin, dataDir.resolve(), deployment, waitFor, out);
    }

    private void readVersionDir(ObjectNode body, ObjectNode files) throws IOException {
        VersionDirReader.Content content = VersionDirReader.read(versionDir, MAX_FILES_BYTES);
        Path manifest = content.manifest();
        if (manifest != null) {
            JsonNode m;
            try {
                m = YAML.readTree(manifest.toFile());
            } catch (IOException e) {
                throw CliException.badInput(manifest + ": not YAML: " + e.getMessage());
            }
            for (String key : iterable(m.fieldNames())) {
                if (!List.of("command", "env", "genome", "rationale").contains(key)) {
                    throw CliException.badInput(manifest + ": unknown key '" + key + "' (known: command, env, genome, rationale)");
                }
            }
            if (m.has("command") && (!m.get("command").isArray() || m.get("command").isEmpty())) {
                throw CliException.badInput(manifest + ": command must be a list of strings, but was " + m.get("command"));
            }
            if (m.has("env") && !m.get("env").isNull() && (!m.get("env").isObject()
                    || !java.util.stream.StreamSupport.stream(m.get("env").spliterator(), false).allMatch(v -> v.isValueNode() && !v.isNull()))) {
                throw CliException.badInput(manifest + ": env must map names to values, but was " + m.get("env"));
            }
            m.fields().forEachRemaining(f -> body.set(f.getKey(), f.getValue()));
        }
        content.files().forEach((name, bytes) -> files.put(name, Base64.getEncoder().encodeToString(bytes)));
        ObjectNode modes = body.putObject("modes");
        content.modes().forEach(modes::put);
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }
}
