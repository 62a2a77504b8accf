package dev.guardian.vault;

/**
 * An expected failure of a vault operation, with a one-line message fit for a user and a
 * {@link Reason} that callers (the CLI, the admin API) map to their own codes.
 */
public class VaultException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** A checkpoint, record or file that was named does not exist. */
        NOT_FOUND,
        /** The vault cannot be used now: missing, or locked by another process. */
        UNAVAILABLE,
        /** Stored bytes failed their checksum or cannot be decoded. */
        CORRUPT,
        /** Input handed to the vault is invalid (an import file, a conflicting immutable record). */
        BAD_INPUT,
        /** The disk or the file system failed. */
        IO
    }

    private final Reason reason;

    public VaultException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public VaultException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
