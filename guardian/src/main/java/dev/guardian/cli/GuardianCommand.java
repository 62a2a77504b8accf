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
        return configured(new CommandLine(new GuardianCommand()));
    }

    /**
     * The command line for {@code args}: for {@code run} and {@code wrap}, which start a daemon, a root with only
     * that subcommand; for anything else the whole tree ({@link #commandLine()}). Picocli builds the model of every
     * subcommand it is given up front (reflection over each class and an instance of each, ~50 classes here), which
     * cost ~0.2 s of every daemon start, and a restarted daemon is what clients wait for (BENCHMARKS.md, "Guardian
     * restart"). Parsing, help, errors and {@code --debug} of {@code guardian run|wrap ...} are the same either way.
     */
    public static CommandLine commandLine(String[] args) {
        Object daemon = args.length == 0 ? null : switch (args[0]) {
            case "run" -> new RunCommand();
            case "wrap" -> new WrapCommand();
            default -> null;
        };
        if (daemon == null) {
            return commandLine();
        }
        return configured(new CommandLine(new DaemonRoot()).addSubcommand(args[0], daemon));
    }

    private static CommandLine configured(CommandLine cmd) {
        ErrorReporter reporter = new ErrorReporter();
        return cmd.setExecutionExceptionHandler(reporter).setParameterExceptionHandler(reporter);
    }

    static boolean debug(CommandLine cmd) {
        CommandLine root = cmd;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        return root.getCommand() instanceof GuardianCommand g && g.debug
                || root.getCommand() instanceof DaemonRoot d && d.debug;
    }

    /** The root of {@link #commandLine(String[])} for {@code run} and {@code wrap}: this command without its subcommands. */
    @Command(name = "guardian", mixinStandardHelpOptions = true, versionProvider = GuardianCommand.Version.class,
            description = "An immortal supervisor for self-evolving agents.")
    static final class DaemonRoot implements Runnable {

        @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
        boolean debug;

        @Override
        public void run() {
            throw new IllegalStateException("DaemonRoot only runs its subcommand");
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GuardianCommand.class.getPackage().getImplementationVersion();
            return new String[] {"guardian " + (v != null ? v : "dev")};
        }
    }
}
