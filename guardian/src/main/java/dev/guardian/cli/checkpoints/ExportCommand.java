package dev.guardian.cli.checkpoints;

import dev.guardian.cli.DataDirMixin;
import dev.guardian.cli.CliException;
import dev.guardian.vault.CheckpointId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a checkpoint to a portable, self-describing JSON file (after verifying it).")
final class ExportCommand implements Runnable {
    @Mixin
    DataDirMixin dataDir;

    @Parameters(index = "0", paramLabel = "ID", converter = CheckpointIdConverter.class)
    CheckpointId id;

    @Parameters(index = "1", paramLabel = "FILE")
    Path file;

    @Option(names = "--force", description = "Overwrite FILE if it exists.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        Path target = file.toAbsolutePath().normalize();
        if (Files.exists(target) && !force) {
            throw CliException.badInput(target + " already exists (use --force to overwrite)");
        }
        try (CheckpointCatalog catalog = CheckpointCatalogs.forReading(dataDir)) {
            byte[] document = catalog.export(id);
            try {
                dev.guardian.files.AtomicFile.write(target, document);
            } catch (IOException e) {
                throw CliException.unavailable("cannot write " + target + ": " + e.getMessage(), e);
            }
            spec.commandLine().getOut().println("exported " + id + " to " + target);
        }
        spec.commandLine().getOut().flush();
    }
}
