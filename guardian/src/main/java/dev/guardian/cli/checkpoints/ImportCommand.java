package dev.guardian.cli.checkpoints;

import dev.guardian.cli.DataDirMixin;
import dev.guardian.cli.CliException;
import dev.guardian.cli.ExitCodes;
import dev.guardian.vault.Checkpoint;
import dev.guardian.vault.Vault;
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
        // Checked before opening: a bad file must not create a vault either.
        refuseIfBad(source, () -> OfflineCheckpointCatalog.call(() -> {
            Vault.verifyExport(document);
            return null;
        }));
        try (CheckpointCatalog catalog = CheckpointCatalogs.forWriting(dataDir)) {
            Checkpoint c = refuseIfBad(source, () -> catalog.importDocument(document));
            spec.commandLine().getOut().println("imported " + source + " as " + c.id() + " (lineage " + c.lineage()
                    + ", version " + c.versionId() + ", wal seq " + c.walSeq() + ", " + c.checksum() + ")");
        }
        spec.commandLine().getOut().flush();
    }

    private static <T> T refuseIfBad(Path source, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (CliException e) {
            throw e.exitCode() == ExitCodes.BAD_INPUT
                    ? CliException.badInput("refusing to import " + source + ": " + e.getMessage()) : e;
        }
    }
}
