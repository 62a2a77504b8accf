package dev.guardian.process;

import java.io.IOException;

/** Starts agent instances: as local processes ({@link #local()}), or elsewhere by another implementation. */
public interface Launcher {

    /** Starts one instance. The caller owns the returned process and must end it. */
    AgentProcess launch(LaunchSpec spec) throws IOException;

    /** Local child processes, each in a process group of its own. */
    static Launcher local() {
        return new dev.guardian.process.internal.LocalLauncher();
    }
}
