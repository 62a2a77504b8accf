package dev.guardian.wal;

/**
 * An expected failure of the write-ahead log, with a message meant to be shown to a user as one
 * line (it names the directory and what is wrong). {@link #reason()} lets callers map it, e.g. to an
 * exit code.
 */
public class WalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of failure this is. */
    public enum Reason {
        /** The directory does not exist. */
        NOT_FOUND,
        /** The directory exists but holds something other than a Guardian WAL. */
        NOT_A_WAL,
        /** Another writer holds the log. */
        LOCKED,
        /** The directory or its files cannot be read or written. */
        IO,
        /** A record or argument is invalid (too large, bad tag). */
        INVALID,
        /** The log was closed. */
        CLOSED,
        /** The log's file system has too little free space left ({@code wal.minFreeBytes}); appends resume when it has. */
        NO_SPACE
    }

    private final Reason reason;

    public WalException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public WalException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
