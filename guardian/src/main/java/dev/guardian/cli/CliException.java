package dev.guardian.cli;

/**
 * An expected failure of a command: printed as one line, mapped to an exit code, never with a
 * stack trace (unless {@code --debug}).
 */
public class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    public static CliException notFound(String message) {
        return new CliException(ExitCodes.NOT_FOUND, message);
    }

    public static CliException unavailable(String message, Throwable cause) {
        return new CliException(ExitCodes.UNAVAILABLE, message, cause);
    }

    public static CliException badInput(String message) {
        return new CliException(ExitCodes.BAD_INPUT, message);
    }
}
