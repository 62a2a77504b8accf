package dev.guardian.cli.checkpoints;

import dev.guardian.cli.DataDirMixin;
import dev.guardian.vault.CheckpointId;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What {@code pin} and {@code unpin} share: they only differ in the flag they set. */
abstract class PinningCommand implements Runnable {
    @Mixin
    DataDirMixin dataDir;

    @Parameters(paramLabel = "ID", converter = CheckpointIdConverter.class)
    CheckpointId id;

    @Spec
    CommandSpec spec;

    abstract boolean pinned();

    @Override
    public void run() {
        try (CheckpointCatalog catalog = CheckpointCatalogs.forWriting(dataDir)) {
            catalog.setPinned(id, pinned());
            spec.commandLine().getOut().println((pinned() ? "pinned " : "unpinned ") + id);
        }
        spec.commandLine().getOut().flush();
    }
}
