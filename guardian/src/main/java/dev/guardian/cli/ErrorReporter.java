package dev.guardian.cli;

import picocli.CommandLine;

/**
 * The one place that turns an exception from any subcommand into one line on stderr and an
 * exit code. A stack trace is printed only with {@code --debug}.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        int code = ex instanceof CliException cli ? cli.exitCode() : ExitCodes.INTERNAL;
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
