package dev.guardian.cli.rollout;

import dev.guardian.cli.CliException;
import dev.guardian.vault.Vault;
import dev.guardian.vault.VaultConfig;
import dev.guardian.vault.VaultException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/** Reads a data directory's vault without a lock: beside a running daemon, or offline. */
final class VaultReading {
    private VaultReading() {
    }

    static <T> T read(Path dataDir, Function<Vault, T> query) {
        Path dir = dataDir.resolve("vault");
        if (!Files.isRegularFile(Vault.file(dir))) {
            throw CliException.unavailable("no vault in " + dataDir + " (use --data-dir DIR or set GUARDIAN_DATA_DIR)", null);
        }
        try (Vault vault = Vault.openReadOnly(dir, VaultConfig.ofDefaults())) {
            return query.apply(vault);
        } catch (VaultException e) {
            throw new CliException(e.reason() == VaultException.Reason.NOT_FOUND ? dev.guardian.cli.ExitCodes.NOT_FOUND
                    : dev.guardian.cli.ExitCodes.UNAVAILABLE, e.getMessage(), e);
        }
    }
}
