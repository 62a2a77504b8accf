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

    @picocli.CommandLine.Option(names = "--beyond-log", description = "Import even when the checkpoint covers more of the "
            + "log than the data directory's log holds: the next start then skips every request up to its sequence.")
    boolean beyondLog;

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
        Checkpoint exported = refuseIfBad(source, () -> OfflineCheckpointCatalog.call(() -> Vault.verifyExport(document)));
        refuseBeyondTheLog(source, exported);
        try (CheckpointCatalog catalog = CheckpointCatalogs.forWriting(dataDir)) {
            Checkpoint c = refuseIfBad(source, () -> catalog.importDocument(document));
            spec.commandLine().getOut().println("imported " + source + " as " + c.id() + " (lineage " + c.lineage()
                    + ", version " + c.versionId() + ", wal seq " + c.walSeq() + ", " + c.checksum() + ")");
        }
        spec.commandLine().getOut().flush();
    }

    /**
     * A checkpoint says its memory covers the log up to {@code walSeq}; recovery replays only what
     * comes after it. One that claims more than the log holds would make the next start skip every
     * request up to that sequence (an export edited to seq 10^12 lost the whole log): refused unless
     * {@code --beyond-log} says the operator means it.
     */
    private void refuseBeyondTheLog(Path source, Checkpoint exported) {
        if (beyondLog) {
            return;
        }
        Path wal = dataDir.resolve().resolve("wal");
        if (!Files.isDirectory(wal)) {
            return; // no log yet: nothing to skip
        }
        long last;
        try (dev.guardian.wal.WalReader reader = dev.guardian.wal.Wal.openReadOnly(wal)) {
            last = reader.stats().lastSequence();
        } catch (dev.guardian.wal.WalException e) {
            throw CliException.unavailable("cannot read the log in " + wal + " to check the import against it: "
                    + e.getMessage() + " (--beyond-log imports without the check)", e);
        }
        if (exported.walSeq() > last) {
            throw CliException.badInput("refusing to import " + source + ": it covers the log up to seq " + exported.walSeq()
                    + ", but the log in " + wal + " ends at seq " + last + "; restored, it would make the agent skip every "
                    + "request logged up to seq " + exported.walSeq() + " (pass --beyond-log if that is meant, e.g. a log "
                    + "restored from an older backup)");
        }
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
