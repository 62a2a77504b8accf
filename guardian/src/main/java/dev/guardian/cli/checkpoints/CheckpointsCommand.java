package dev.guardian.cli.checkpoints;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code guardian checkpoints}: inspect the vault's checkpoints (offline on a data directory). */
@Command(name = "checkpoints", mixinStandardHelpOptions = true,
        description = "Inspect and manage checkpoints of agent memory in a data directory's vault.",
        subcommands = {
                CommandLine.HelpCommand.class,
                LsCommand.class,
                ShowCommand.class,
                DiffCommand.class,
                VerifyCommand.class,
                ExportCommand.class,
                ImportCommand.class,
                PinCommand.class,
                UnpinCommand.class,
        })
public final class CheckpointsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }
}
