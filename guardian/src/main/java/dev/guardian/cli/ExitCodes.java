package dev.guardian.cli;

/** Named exit codes of the {@code guardian} command; scripts may rely on them. */
public final class ExitCodes {
    /** Everything asked for was done, every check passed. */
    public static final int OK = 0;
    /** The command ran, and what it checked failed (agent-check, verify). */
    public static final int CHECK_FAILED = 1;
    /** The command line itself is wrong. */
    public static final int USAGE = 2;
    /** A named thing (checkpoint, version, proof, file) does not exist. */
    public static final int NOT_FOUND = 3;
    /** A resource cannot be used now: a locked or missing data directory, a daemon that does not answer. */
    public static final int UNAVAILABLE = 4;
    /** Input that was read is invalid (a config file, an import file). */
    public static final int BAD_INPUT = 5;
    /** A bug in Guardian. */
    public static final int INTERNAL = 70;

    private ExitCodes() {
    }
}
