package dev.guardian.cli;

import picocli.CommandLine;

/**
 * The one place that turns an exception from any subcommand into one line on stderr and an
 * exit code. A stack trace is printed only with {@code --debug}.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        int code = ex instanceof CliException cli ? cli.exitCode() : domainExitCode(ex);
        String message = ex instanceof CliException ? ex.getMessage() : describe(ex);
        cmd.getErr().println("guardian: " + message);
        if (GuardianCommand.debug(cmd)) {
            ex.printStackTrace(cmd.getErr());
        } else if (code == ExitCodes.INTERNAL) {
            cmd.getErr().println("guardian: this is a bug; run again with --debug for the stack trace");
        }
        cmd.getErr().flush();
        return code;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        cmd.getErr().println("guardian: " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, cmd.getErr());
        cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        cmd.getErr().flush();
        return ExitCodes.USAGE;
    }

    /**
     * Expected failures of the lower modules that reach here unwrapped (e.g. from {@code guardian run}
     * opening a damaged data directory) get their exit code; anything else is a bug.
     */
    private static int domainExitCode(Exception ex) {
        if (ex instanceof dev.guardian.wal.WalException w) {
            return dev.guardian.cli.wal.WalCli.toCli(w, false).exitCode();
        }
        if (ex instanceof dev.guardian.vault.VaultException v) {
            return switch (v.reason()) {
                case NOT_FOUND -> ExitCodes.NOT_FOUND;
                case CORRUPT, BAD_INPUT -> ExitCodes.BAD_INPUT;
                case UNAVAILABLE, IO -> ExitCodes.UNAVAILABLE;
            };
        }
        if (ex instanceof dev.guardian.config.ConfigException) {
            return ExitCodes.BAD_INPUT;
        }
        return ExitCodes.INTERNAL;
    }

    private static String describe(Throwable ex) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = ex; t != null && sb.length() < 400; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }
}
