package dev.guardian.cli.checkpoints;

import dev.guardian.cli.CliException;
import dev.guardian.cli.ExitCodes;
import dev.guardian.vault.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Verify an exported checkpoint file and store it under a new id (same lineage, memory, checksum).")
final class ImportCommand implements Runnable {
    @Mixin
    DataDirMixin dataDir;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        Path source = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(source)) {
            throw CliException.notFound("no such file: " + source);
        }
        byte[] document;
        try {
            document = Files.readAllBytes(source);
        } catch (IOException e) {
            throw CliException.unavailable("cannot read " + source + ": " + e.getMessage(), e);
        }
        try (CheckpointCatalog catalog = CheckpointCatalogs.forWriting(dataDir)) {
            Checkpoint c;
            try {
                c = catalog.importDocument(document);
            } catch (CliException e) {
                throw e.exitCode() == ExitCodes.BAD_INPUT
                        ? CliException.badInput("refusing to import " + source + ": " + e.getMessage()) : e;
            }
            spec.commandLine().getOut().println("imported " + source + " as " + c.id() + " (lineage " + c.lineage()
                    + ", version " + c.versionId() + ", wal seq " + c.walSeq() + ", " + c.checksum() + ")");
        }
        spec.commandLine().getOut().flush();
    }
}
