package dev.guardian.cli.wal;

import dev.guardian.cli.CliException;
import dev.guardian.cli.ExitCodes;
import dev.guardian.wal.Wal;
import dev.guardian.wal.WalException;
import dev.guardian.wal.WalReader;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the wal subcommands share: finding the log in a directory and mapping its errors. */
final class WalCli {

    private WalCli() {
    }

    /** {@code DIR} is a WAL directory or a Guardian data directory holding {@code wal/}. */
    static Path resolve(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path nested = abs.resolve("wal");
        return Files.isDirectory(nested) ? nested : abs;
    }

    static WalReader openReadOnly(Path dir) {
        try {
            return Wal.openReadOnly(resolve(dir));
        } catch (WalException e) {
            throw toCli(e);
        }
    }

    static CliException toCli(WalException e) {
        int code = switch (e.reason()) {
            case NOT_FOUND -> ExitCodes.NOT_FOUND;
            case NOT_A_WAL, INVALID -> ExitCodes.BAD_INPUT;
            case LOCKED, IO, CLOSED, NO_SPACE -> ExitCodes.UNAVAILABLE;
        };
        return new CliException(code, e.getMessage(), e);
    }
}
