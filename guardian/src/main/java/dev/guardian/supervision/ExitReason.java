package dev.guardian.supervision;

/** Why an instance ended, as supervision sees it. */
public enum ExitReason {
    /** Exited by itself with status 0. */
    NORMAL(false),
    /** Exited by itself with a non-zero status, or was killed by a signal it did not get from us. */
    CRASHED(true),
    /** Stopped answering pings; Guardian killed it. */
    HUNG(true),
    /** Went over its memory cap; Guardian killed it. */
    LEAKED(true),
    /** Did not become ready, or could not be started at all. */
    FAILED_TO_START(true),
    /** Broke the protocol too often; Guardian killed it. */
    PROTOCOL_VIOLATION(true),
    /** Guardian stopped it on purpose (shutdown, rollback, promotion). */
    STOPPED(false);

    private final boolean abnormal;

    ExitReason(boolean abnormal) {
        this.abnormal = abnormal;
    }

    public boolean abnormal() {
        return abnormal;
    }
}
