package dev.guardian.cli;

import dev.guardian.cli.checkpoints.CheckpointsCommand;
import dev.guardian.cli.wal.WalCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The top-level {@code guardian} command: only lists and dispatches its subcommands. */
@Command(
        name = "guardian",
        mixinStandardHelpOptions = true,
        versionProvider = GuardianCommand.Version.class,
        description = "An immortal supervisor for self-evolving agents.",
        subcommands = {
                RunCommand.class,
                WrapCommand.class,
                StatusCommand.class,
                StopCommand.class,
                RestartCommand.class,
                AgentCheckCommand.class,
                CheckpointsCommand.class,
                dev.guardian.cli.rollout.DeployCommand.class,
                dev.guardian.cli.rollout.RollbackCommand.class,
                dev.guardian.cli.rollout.PromoteCommand.class,
                dev.guardian.cli.rollout.VersionsCommand.class,
                dev.guardian.cli.rollout.ProofsCommand.class,
                WalCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class GuardianCommand implements Runnable {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** A configured command line; tests execute it in-process, {@link GuardianMain} exits with its result. */
    public static CommandLine commandLine() {
        ErrorReporter reporter = new ErrorReporter();
        return new CommandLine(new GuardianCommand())
                .setExecutionExceptionHandler(reporter)
                .setParameterExceptionHandler(reporter);
    }

    static boolean debug(CommandLine cmd) {
        CommandLine root = cmd;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        return root.getCommand() instanceof GuardianCommand g && g.debug;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GuardianCommand.class.getPackage().getImplementationVersion();
            return new String[] {"guardian " + (v != null ? v : "dev")};
        }
    }
}
