package dev.guardian.cli.checkpoints;

import dev.guardian.cli.DataDirMixin;
import dev.guardian.cli.CliException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Chooses how {@code guardian checkpoints} reaches a data directory's vault. */
public final class CheckpointCatalogs {
    private CheckpointCatalogs() {
    }

    /** Opens for reading only: never creates a vault. */
    public static CheckpointCatalog forReading(DataDirMixin dataDir) {
        return open(dataDir.resolve(), false);
    }

    /** Opens for changes ({@code import} creates the vault in an existing data directory). */
    public static CheckpointCatalog forWriting(DataDirMixin dataDir) {
        return open(dataDir.resolve(), true);
    }

    static CheckpointCatalog open(Path dataDir, boolean create) {
        if (!Files.isDirectory(dataDir)) {
            throw CliException.unavailable("data directory " + dataDir + " does not exist (use --data-dir DIR or set "
                    + DataDirMixin.ENV + ")", null);
        }
        // When the daemon lands: if a live daemon holds dataDir (its pid/endpoint file), return a
        // catalog that calls its admin API instead of opening the vault file (which it has locked).
        return OfflineCheckpointCatalog.open(dataDir.resolve("vault"), create);
    }
}
