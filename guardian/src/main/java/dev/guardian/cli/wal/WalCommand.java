package dev.guardian.cli.wal;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code guardian wal}: inspect a write-ahead log (read-only). */
@Command(
        name = "wal",
        mixinStandardHelpOptions = true,
        description = "Inspect a write-ahead log; never modifies it.",
        subcommands = {WalStatsCommand.class, WalTailCommand.class, picocli.CommandLine.HelpCommand.class})
public final class WalCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (stats, tail)");
    }
}
