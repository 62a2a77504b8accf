package dev.guardian.cli.wal;

import dev.guardian.cli.CliException;
import dev.guardian.cli.DataDirMixin;
import dev.guardian.cli.ExitCodes;
import dev.guardian.wal.Wal;
import dev.guardian.wal.WalException;
import dev.guardian.wal.WalReader;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** What the wal subcommands share: finding the log in a directory and mapping its errors. */
public final class WalCli {

    private WalCli() {
    }

    /** {@code DIR} is a WAL directory or a Guardian data directory holding {@code wal/}. */
    static Path resolve(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path nested = abs.resolve("wal");
        return Files.isDirectory(nested) ? nested : abs;
    }

    /**
     * Where the log is: the positional {@code DIR} if given, else the data directory as every
     * other command finds it ({@code --data-dir}, else {@code $GUARDIAN_DATA_DIR}, else
     * {@code ./guardian-data}). {@code DIR} and {@code --data-dir} together must name the same log.
     */
    static Target target(Path positional, DataDirMixin dataDir, CommandLine cmd) {
        if (positional == null) {
            return new Target(resolve(dataDir.resolve()), true);
        }
        Path fromPositional = resolve(positional);
        if (dataDir.given() && !fromPositional.equals(resolve(dataDir.resolve()))) {
            throw new CommandLine.ParameterException(cmd, "DIR " + positional.toAbsolutePath().normalize()
                    + " and --data-dir " + dataDir.resolve() + " name different logs; give one of them");
        }
        return new Target(fromPositional, false);
    }

    /** A resolved WAL directory; {@code defaulted} when it came from the data-directory rules. */
    record Target(Path directory, boolean defaulted) {
        WalReader openReadOnly() {
            try {
                return Wal.openReadOnly(directory);
            } catch (WalException e) {
                throw toCli(e);
            }
        }

        CliException toCli(WalException e) {
            return WalCli.toCli(e, defaulted);
        }
    }

    public static CliException toCli(WalException e, boolean defaulted) {
        int code = switch (e.reason()) {
            case NOT_FOUND -> ExitCodes.UNAVAILABLE; // the data directory (or its wal/) is missing: exit 4, as everywhere
            case NOT_A_WAL, INVALID -> ExitCodes.BAD_INPUT;
            case LOCKED, IO, CLOSED, NO_SPACE -> ExitCodes.UNAVAILABLE;
        };
        String hint = defaulted && e.reason() == WalException.Reason.NOT_FOUND
                ? " (give DIR, use --data-dir DIR or set " + DataDirMixin.ENV + ")" : "";
        return new CliException(code, e.getMessage() + hint, e);
    }
}
