package dev.guardian.process.internal;

import com.sun.jna.LastErrorException;
import dev.guardian.process.Signal;

/** Signals by pid, for a process we may no longer hold a handle to (an orphan). */
public final class Signals {

    private Signals() {
    }

    /** Signals the process group led by {@code pid}, or the process alone if it leads none; false when gone. */
    public static boolean kill(long pid, Signal signal) {
        try {
            LibC.INSTANCE.kill((int) -pid, signal.number());
            return true;
        } catch (LastErrorException groupGone) {
            try {
                LibC.INSTANCE.kill((int) pid, signal.number());
                return true;
            } catch (LastErrorException gone) {
                return false;
            }
        }
    }
}
