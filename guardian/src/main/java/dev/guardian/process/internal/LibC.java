package dev.guardian.process.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;

/**
 * The few libc calls the JDK does not offer (jna-platform lacks kill, prlimit and setpriority).
 * Each declares {@link LastErrorException} so that a failure carries its errno.
 */
public interface LibC extends Library {

    LibC INSTANCE = Native.load("c", LibC.class);

    int RLIMIT_CPU = 0;
    int RLIMIT_NOFILE = 7;
    int RLIMIT_AS = 9;
    int PRIO_PROCESS = 0;
    /** errno: no such process. */
    int ESRCH = 3;

    int kill(int pid, int signal) throws LastErrorException;

    int prlimit(int pid, int resource, Rlimit newLimit, Rlimit oldLimit) throws LastErrorException;

    int setpriority(int which, int who, int priority) throws LastErrorException;

    /** struct rlimit on 64-bit Linux. */
    @Structure.FieldOrder({"rlim_cur", "rlim_max"})
    class Rlimit extends Structure {
        public long rlim_cur;
        public long rlim_max;

        public Rlimit() {
        }

        public Rlimit(long soft, long hard) {
            this.rlim_cur = soft;
            this.rlim_max = hard;
        }
    }
}
