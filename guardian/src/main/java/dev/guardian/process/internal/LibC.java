package dev.guardian.process.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;

/**
 * The few libc calls the JDK does not offer (jna-platform lacks kill, prlimit, setpriority and
 * sched_setscheduler).
 * Each declares {@link LastErrorException} so that a failure carries its errno.
 */
public interface LibC extends Library {

    LibC INSTANCE = Native.load("c", LibC.class);

    int RLIMIT_CPU = 0;
    int RLIMIT_NOFILE = 7;
    int RLIMIT_AS = 9;
    int PRIO_PROCESS = 0;
    int SCHED_OTHER = 0;
    int SCHED_IDLE = 5;
    /** errno: no such process. */
    int ESRCH = 3;

    int kill(int pid, int signal) throws LastErrorException;

    int prlimit(int pid, int resource, Rlimit newLimit, Rlimit oldLimit) throws LastErrorException;

    /** With PRIO_PROCESS, Linux takes {@code who} as a thread id: it sets one thread's nice value. */
    int setpriority(int which, int who, int priority) throws LastErrorException;

    /** Sets one thread's scheduling policy ({@code pid} is a thread id; 0: the calling thread). */
    int sched_setscheduler(int pid, int policy, SchedParam param) throws LastErrorException;

    int sched_getscheduler(int pid) throws LastErrorException;

    /** The calling thread's id (glibc 2.30 and later). */
    int gettid();

    /** struct sched_param: only a static priority, which is 0 for SCHED_OTHER and SCHED_IDLE. */
    @Structure.FieldOrder({"sched_priority"})
    class SchedParam extends Structure {
        public int sched_priority;
    }

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
