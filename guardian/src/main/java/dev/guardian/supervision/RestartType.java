package dev.guardian.supervision;

/** OTP's restart types: whether an instance that ended is started again. */
public enum RestartType {
    /** Always restarted. */
    PERMANENT,
    /** Restarted only when it ended abnormally. */
    TRANSIENT,
    /** Never restarted. */
    TEMPORARY;

    /** The whole restart rule: type × how it ended. */
    public boolean restarts(ExitReason reason) {
        switch (this) {
            case PERMANENT:
                return true;
            case TRANSIENT:
                return reason.abnormal();
            default:
                return false;
        }
    }
}
