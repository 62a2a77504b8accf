package dev.guardian.instance;

/** Why a request or a handshake did not get an answer; {@link #kind()} tells the client-visible class. */
public final class InstanceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** No answer within the timeout. */
        TIMEOUT,
        /** The instance ended before answering. */
        GONE,
        /** The instance's stdin queue is full. */
        OVERLOADED,
        /** The agent broke the protocol (no ready, bad handshake). */
        PROTOCOL
    }

    private final Kind kind;

    public InstanceException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
