package dev.guardian.cli.checkpoints;

import dev.guardian.cli.DataDirMixin;
import dev.guardian.vault.CheckpointId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "unpin", mixinStandardHelpOptions = true, description = "Unpin a checkpoint: retention may prune it again.")
final class UnpinCommand implements Runnable {
    @Mixin
    DataDirMixin dataDir;

    @Parameters(paramLabel = "ID", converter = CheckpointIdConverter.class)
    CheckpointId id;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        try (CheckpointCatalog catalog = CheckpointCatalogs.forWriting(dataDir)) {
            catalog.setPinned(id, false);
            spec.commandLine().getOut().println("unpinned " + id);
        }
        spec.commandLine().getOut().flush();
    }
}
