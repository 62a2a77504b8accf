package dev.guardian.cli.checkpoints;

import dev.guardian.cli.AdminClient;
import dev.guardian.cli.CliException;
import dev.guardian.vault.Checkpoint;
import dev.guardian.vault.CheckpointData;
import dev.guardian.vault.CheckpointId;
import dev.guardian.vault.VerifyResult;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The catalog of a vault that a running daemon holds: reads go to the files directly (every vault
 * write is an atomic rename, so reading beside the daemon is safe), changes go through the daemon's
 * admin API, and their result is then read back from the files.
 */
final class DaemonCheckpointCatalog implements CheckpointCatalog {

    private final CheckpointCatalog files;
    private final Supplier<CheckpointCatalog> reopen;
    private final AdminClient daemon;

    /** {@code reopen} gives a fresh view of the files: a read-only vault shows them as they were when opened. */
    DaemonCheckpointCatalog(Supplier<CheckpointCatalog> reopen, AdminClient daemon) {
        this.files = reopen.get();
        this.reopen = reopen;
        this.daemon = daemon;
    }

    @Override
    public String location() {
        return files.location() + " (through the running daemon)";
    }

    @Override
    public List<Checkpoint> list(Optional<String> lineage) {
        return files.list(lineage);
    }

    @Override
    public CheckpointData read(CheckpointId id) {
        return files.read(id);
    }

    @Override
    public VerifyResult verify(CheckpointId id) {
        return files.verify(id);
    }

    @Override
    public List<VerifyResult> verifyAll() {
        return files.verifyAll();
    }

    @Override
    public byte[] export(CheckpointId id) {
        return files.export(id);
    }

    @Override
    public Checkpoint importDocument(byte[] document) {
        return readBack(daemon.post("/admin/checkpoints/import", document).path("id").asText());
    }

    @Override
    public Checkpoint setPinned(CheckpointId id, boolean pinned) {
        return readBack(daemon.post("/admin/checkpoints/" + id + (pinned ? "/pin" : "/unpin")).path("id").asText());
    }

    private Checkpoint readBack(String id) {
        CheckpointId parsed = CheckpointId.parse(id);
        try (CheckpointCatalog now = reopen.get()) {
            return now.list(Optional.empty()).stream().filter(c -> c.id().equals(parsed)).findFirst()
                    .orElseThrow(() -> CliException.unavailable("the daemon reported " + id + " but it is not in "
                            + now.location(), null));
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
