package dev.guardian.daemon;

import dev.guardian.process.AgentProcess;
import dev.guardian.process.Signal;
import dev.guardian.process.internal.ProcFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers each live agent's pid and start time in the data directory, so that a Guardian
 * restarted after SIGKILL can kill the agents its previous life left behind (the start time tells
 * a pid that was reused by another process from ours). Thread-safe: one file per instance.
 */
final class OrphanReaper {

    private static final Logger LOG = LoggerFactory.getLogger(OrphanReaper.class);

    private final Path dir;

    OrphanReaper(Path dir) {
        this.dir = dir;
    }

    void record(AgentProcess process) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(process.instanceId()), process.identity());
        } catch (IOException e) {
            LOG.warn("could not record {} for orphan reaping: {}", process.instanceId(), e.getMessage());
        }
    }

    void forget(String instanceId) {
        try {
            Files.deleteIfExists(dir.resolve(instanceId));
        } catch (IOException e) {
            LOG.warn("could not forget {}: {}", instanceId, e.getMessage());
        }
    }

    /** Kills every recorded agent that is still the same process; returns how many were killed. */
    int reap() {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int killed = 0;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.toList();
        } catch (IOException e) {
            LOG.warn("could not list {}: {}", dir, e.getMessage());
            return 0;
        }
        for (Path f : files) {
            try {
                String[] identity = Files.readString(f).trim().split(":");
                long pid = Long.parseLong(identity[0]);
                long start = Long.parseLong(identity[1]);
                if (ProcFs.startTime(pid) == start) {
                    LOG.warn("killing orphan {} (pid {}) left by a previous guardian", f.getFileName(), pid);
                    ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
                    dev.guardian.process.internal.Signals.kill(pid, Signal.KILL);
                    killed++;
                }
                Files.deleteIfExists(f);
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not reap {}: {}", f, e.toString());
            }
        }
        return killed;
    }
}
