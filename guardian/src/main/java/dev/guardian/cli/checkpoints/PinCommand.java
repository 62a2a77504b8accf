package dev.guardian.cli.checkpoints;

import dev.guardian.cli.DataDirMixin;
import dev.guardian.vault.CheckpointId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "pin", mixinStandardHelpOptions = true, description = "Pin a checkpoint: retention never prunes it.")
final class PinCommand implements Runnable {
    @Mixin
    DataDirMixin dataDir;

    @Parameters(paramLabel = "ID", converter = CheckpointIdConverter.class)
    CheckpointId id;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        try (CheckpointCatalog catalog = CheckpointCatalogs.forWriting(dataDir)) {
            catalog.setPinned(id, true);
            spec.commandLine().getOut().println("pinned " + id);
        }
        spec.commandLine().getOut().flush();
    }
}
