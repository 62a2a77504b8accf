package dev.guardian.daemon;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.config.ConfigLoader;
import dev.guardian.config.GuardianConfig;
import dev.guardian.evolution.Clock;
import dev.guardian.process.Launcher;
import dev.guardian.vault.Vault;
import dev.guardian.vault.VaultConfig;
import dev.guardian.wal.Wal;
import java.nio.file.Path;
import java.time.Duration;

/** A real WAL, a real vault and a started supervisor on one data directory, for supervisor tests. */
final class SupervisorFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final Wal wal;
    final Vault vault;
    final PrimarySupervisor supervisor;
    final VersionStore versions;
    final GuardianConfig config;
    private Rollouts rollouts;

    private SupervisorFixture(Wal wal, Vault vault, PrimarySupervisor supervisor, VersionStore versions, GuardianConfig config) {
        this.wal = wal;
        this.vault = vault;
        this.supervisor = supervisor;
        this.versions = versions;
        this.config = config;
    }

    /** The daemon's rollout driver on this supervisor (created on first use). */
    synchronized Rollouts rollouts() {
        if (rollouts == null) {
            rollouts = new Rollouts(supervisor, versions, vault, Launcher.local(), config, Clock.system());
        }
        return rollouts;
    }

    /** Opens everything on {@code data} with this config (YAML, {@code data_dir} added) and waits until OPEN. */
    static SupervisorFixture open(Path data, String configYaml) {
        GuardianConfig config = ConfigLoader.parse(configYaml + "\ndata_dir: " + data + "\n", "test.yaml");
        Wal wal = Wal.open(data.resolve("wal"), Daemon.walConfig(config.wal()));
        Vault vault = Vault.open(data.resolve("vault"), VaultConfig.ofDefaults());
        VersionStore versions = new VersionStore(vault, new DataDirectory(data), PrimarySupervisor.LINEAGE);
        versions.registerConfigured(config.agent(), java.time.Instant.now());
        PrimarySupervisor s = new PrimarySupervisor(config, Launcher.local(), new RequestLog(wal, JSON, "primary", "v1"),
                vault, Clock.system(), versions, versions.current(), null);
        s.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> s.phase() == PrimarySupervisor.Phase.OPEN);
        return new SupervisorFixture(wal, vault, s, versions, config);
    }

    /** Closes everything as a stopping Guardian would. */
    @Override
    public void close() {
        if (rollouts != null) {
            rollouts.close();
        }
        supervisor.close();
        vault.close();
        wal.close();
    }
}
