package dev.guardian.process;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * One running instance of an agent, wherever it runs. Thread-safe: signals and usage may be asked
 * from any thread; each stream belongs to one reader or writer.
 */
public interface AgentProcess {

    String instanceId();

    /** Where it runs, for people: {@code pid 1234}, or a pod name. */
    String describe();

    /** The local process id, when it is a local process. */
    OptionalLong pid();

    /** An opaque identity that survives a Guardian restart (pid + start time), to find orphans. */
    String identity();

    /** Guardian → agent protocol lines. */
    OutputStream stdin();

    /** Agent → Guardian protocol lines. */
    InputStream stdout();

    /** Completes when the instance has ended. */
    CompletableFuture<ExitStatus> onExit();

    boolean alive();

    /** Sends a signal to the instance's whole process group; false when it is already gone. */
    boolean signal(Signal signal);

    /**
     * Sets the CPU priority of every thread of the instance and its descendants (a promoted shadow goes
     * back to normal); false when it cannot (raising priority needs CAP_SYS_NICE or an RLIMIT_NICE that
     * allows it).
     */
    default boolean setPriority(CpuPriority priority) {
        return false;
    }

    /** True when one of the instance's threads is running or waiting for a CPU right now. */
    default boolean runnable() {
        return false;
    }

    /** Current memory and CPU use. */
    ResourceUsage usage();
}
