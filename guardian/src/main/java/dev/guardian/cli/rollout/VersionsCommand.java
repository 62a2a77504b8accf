package dev.guardian.cli.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.cli.CliException;
import dev.guardian.cli.DataDirMixin;
import dev.guardian.cli.ExitCodes;
import dev.guardian.evolution.version.Version;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code guardian versions ls|show}: the version registry, read from the vault (beside a daemon or offline). */
@Command(name = "versions", mixinStandardHelpOptions = true, description = "List and show registered versions.",
        subcommands = {VersionsCommand.Ls.class, VersionsCommand.Show.class, picocli.CommandLine.HelpCommand.class})
public final class VersionsCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<Version> all(Path dataDir) {
        return VaultReading.read(dataDir, v -> v.versions().stream().map(Version::fromRecord).toList());
    }

    /** The version the primary runs, per the data directory's pointer ("" when none was recorded). */
    static String current(Path dataDir) {
        Path f = dataDir.resolve("current-version.json");
        try {
            return Files.exists(f) ? JSON.readTree(f.toFile()).path("current").asText("") : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    static ObjectNode json(Version v, String current) {
        return dev.guardian.daemon.VersionStore.toJson(v, current);
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Every version, oldest first; * marks the primary's.")
    static final class Ls implements Callable<Integer> {
        @Mixin
        DataDirMixin dataDir;

        @Option(names = "--json", description = "One JSON array.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Path dir = dataDir.resolve();
            List<Version> versions = all(dir);
            String current = current(dir);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ArrayNode a = JSON.createArrayNode();
                versions.forEach(v -> a.add(json(v, current)));
                out.println(a.toPrettyString());
            } else {
                out.printf("  %-15s %-15s %-15s %-21s %s%n", "VERSION", "ORIGIN", "PARENT", "CREATED", "COMMAND");
                for (Version v : versions) {
                    out.printf("%s %-15s %-15s %-15s %-21s %s%n", v.id().equals(current) ? "*" : " ", v.id(), v.origin().wireName(),
                            v.parent().orElse("-"), v.createdAt().toString().substring(0, 19) + "Z", v.describe());
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One version in full (JSON).")
    static final class Show implements Callable<Integer> {
        @Mixin
        DataDirMixin dataDir;

        @Parameters(paramLabel = "ID")
        String id;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Path dir = dataDir.resolve();
            Version v = all(dir).stream().filter(x -> x.id().equals(id)).findFirst()
                    .orElseThrow(() -> CliException.notFound("no version " + id + " in " + dir));
            spec.commandLine().getOut().println(json(v, current(dir)).toPrettyString());
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }
}
