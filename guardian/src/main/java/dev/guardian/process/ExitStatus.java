package dev.guardian.process;

/**
 * How an instance ended: an exit code, or the signal that killed it.
 *
 * @param code   the exit code (for a signal death, 128 + signal, as a shell reports it)
 * @param signal the killing signal's number, or 0 when it exited by itself
 */
public record ExitStatus(int code, int signal) {

    /** From the value {@link Process#exitValue()} gives: the JDK reports a signal death as 128 + signal. */
    public static ExitStatus fromExitValue(int value) {
        return value > 128 && value < 128 + 65 ? new ExitStatus(value, value - 128) : new ExitStatus(value, 0);
    }

    public boolean normal() {
        return signal == 0 && code == 0;
    }

    @Override
    public String toString() {
        return signal != 0 ? "killed by signal " + signal : "exited with status " + code;
    }
}
