package dev.guardian.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.evolution.version.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code DIR/daemon.json}: the running daemon's pid, addresses, and the version (and command) the
 * primary runs now — rewritten when a promotion, rollback or escalation changes it.
 *
 * <p>Threading: {@link #versionChanged} may be called under the supervisor's locks, so it only
 * queues the write; one thread writes, in order. {@link #close} waits for queued writes and then
 * removes the file, so that none recreates it after the daemon has gone.
 */
final class DaemonFile implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DaemonFile.class);

    private final Path file;
    private final ObjectMapper json;
    private final String frontDoor;
    private final String admin;
    private final Instant started = Instant.now();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "guardian-daemon-file");
        t.setDaemon(true);
        return t;
    });

    private DaemonFile(Path file, ObjectMapper json, String frontDoor, String admin) {
        this.file = file;
        this.json = json;
        this.frontDoor = frontDoor;
        this.admin = admin;
    }

    /** Writes the file for {@code current} now (the CLI finds the daemon through it). */
    static DaemonFile write(Path file, ObjectMapper json, String frontDoor, String admin, Version current) throws IOException {
        DaemonFile f = new DaemonFile(file, json, frontDoor, admin);
        f.writeNow(current);
        return f;
    }

    /** The primary runs {@code current} from now on. */
    void versionChanged(Version current) {
        try {
            writer.execute(() -> {
                try {
                    writeNow(current);
                } catch (IOException e) {
                    LOG.warn("could not update {} for version {}: {}", file, current.id(), e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closing: the file is about to go.
        }
    }

    private void writeNow(Version current) throws IOException {
        ObjectNode info = json.createObjectNode()
                .put("pid", ProcessHandle.current().pid())
                .put("front_door", frontDoor)
                .put("admin", admin)
                .put("version", current.id())
                .put("started", started.toString());
        info.putPOJO("command", current.command());
        dev.guardian.files.AtomicFile.write(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(info));
    }

    /** Waits for queued writes, then removes the file. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("a write of {} did not finish within 5 s", file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", file, e.getMessage());
        }
    }
}
