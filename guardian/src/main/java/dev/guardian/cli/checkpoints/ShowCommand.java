package dev.guardian.cli.checkpoints;

import dev.guardian.cli.DataDirMixin;
import dev.guardian.vault.CheckpointData;
import dev.guardian.vault.CheckpointId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show a checkpoint's metadata and its memory (pretty-printed JSON), after verifying its checksum.")
final class ShowCommand implements Runnable {
    @Mixin
    DataDirMixin dataDir;

    @Parameters(paramLabel = "ID", converter = CheckpointIdConverter.class, description = "e.g. ckpt-000042")
    CheckpointId id;

    @Option(names = "--raw", description = "Write only the memory bytes, exactly as stored.")
    boolean raw;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        try (CheckpointCatalog catalog = CheckpointCatalogs.forReading(dataDir)) {
            CheckpointData data = catalog.read(id);
            if (raw) {
                spec.commandLine().getOut().flush();
                System.out.write(data.memory(), 0, data.memory().length);
                System.out.flush();
            } else {
                spec.commandLine().getOut().print(CheckpointOutput.show(data));
            }
        }
        spec.commandLine().getOut().flush();
    }
}
