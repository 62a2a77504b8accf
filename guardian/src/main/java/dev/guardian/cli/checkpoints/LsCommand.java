package dev.guardian.cli.checkpoints;

import dev.guardian.cli.DataDirMixin;
import dev.guardian.vault.Checkpoint;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ls", mixinStandardHelpOptions = true, description = "List checkpoints, oldest first.")
final class LsCommand implements Runnable {
    @Mixin
    DataDirMixin dataDir;

    @Option(names = "--lineage", paramLabel = "L", description = "Only this lineage.")
    String lineage;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        try (CheckpointCatalog catalog = CheckpointCatalogs.forReading(dataDir)) {
            List<Checkpoint> list = catalog.list(Optional.ofNullable(lineage));
            if (json) {
                spec.commandLine().getOut().println(CheckpointOutput.jsonList(list));
            } else if (list.isEmpty()) {
                spec.commandLine().getOut().println("no checkpoints" + (lineage != null ? " of lineage '" + lineage + "'" : "")
                        + " in " + catalog.location());
            } else {
                spec.commandLine().getOut().print(CheckpointOutput.table(list));
            }
        }
        spec.commandLine().getOut().flush();
    }
}
