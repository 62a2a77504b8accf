package dev.guardian.cli.checkpoints;

import dev.guardian.cli.DataDirMixin;
import com.fasterxml.jackson.databind.JsonNode;
import dev.guardian.cli.CliException;
import dev.guardian.vault.CheckpointData;
import dev.guardian.vault.CheckpointId;
import dev.guardian.vault.MemoryDiff;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Compare two JSON memories: '+ /path value' added, '- /path' removed, '~ /path old -> new' changed.")
final class DiffCommand implements Runnable {
    @Mixin
    DataDirMixin dataDir;

    @Parameters(index = "0", paramLabel = "ID1", converter = CheckpointIdConverter.class)
    CheckpointId first;

    @Parameters(index = "1", paramLabel = "ID2", converter = CheckpointIdConverter.class)
    CheckpointId second;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        try (CheckpointCatalog catalog = CheckpointCatalogs.forReading(dataDir)) {
            List<MemoryDiff.Change> changes = MemoryDiff.diff(json(catalog.read(first)), json(catalog.read(second)));
            spec.commandLine().getOut().print(changes.isEmpty()
                    ? "no differences between " + first + " and " + second + "\n" : CheckpointOutput.diff(changes));
        }
        spec.commandLine().getOut().flush();
    }

    private static JsonNode json(CheckpointData d) {
        JsonNode n = CheckpointOutput.parseJson(d.memory());
        if (n == null) {
            throw CliException.badInput("the memory of " + d.id() + " is not JSON; diff compares JSON memories"
                    + " (use 'show --raw' to compare bytes)");
        }
        return n;
    }
}
