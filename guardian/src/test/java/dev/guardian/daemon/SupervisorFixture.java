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

    /** The faulty learner (faults on demand: agents/faulty/faulty_learner.py). */
    static final String FAULTY = Path.of(System.getProperty("guardian.repo", "..")).toAbsolutePath().normalize()
            .resolve("guardian/src/test/resources/agents/faulty/faulty_learner.py").toString();

    /** Opens everything on {@code data} with this config (YAML, {@code data_dir} added) and waits until OPEN. */
    static SupervisorFixture open(Path data, String configYaml) {
        SupervisorFixture f = start(data, configYaml);
        await().atMost(Duration.ofSeconds(20)).until(() -> f.supervisor.phase() == PrimarySupervisor.Phase.OPEN);
        return f;
    }

    /**
     * As {@link #open(Path, String)}, with a log that starts a new cycle file for each second of {@code walClock}
     * ({@code TEST_SECONDLY}; the clock also stamps the records): a test that advances it spreads the log over
     * several files, which it can then damage one by one. The roll cycle stays the log's for good (it is in its
     * marker file), whichever clock or configuration opens it later.
     */
    static SupervisorFixture open(Path data, String configYaml, java.time.Clock walClock) {
        SupervisorFixture f = start(data, configYaml, walClock);
        await().atMost(Duration.ofSeconds(20)).until(() -> f.supervisor.phase() == PrimarySupervisor.Phase.OPEN);
        return f;
    }

    /** Opens everything and starts the supervisor, without waiting for anything: a Guardian the moment it starts. */
    static SupervisorFixture start(Path data, String configYaml) {
        return start(data, configYaml, null);
    }

    private static SupervisorFixture start(Path data, String configYaml, java.time.Clock walClock) {
        GuardianConfig config = ConfigLoader.parse(configYaml + "\ndata_dir: " + data + "\n", "test.yaml");
        Wal wal = walClock == null ? Wal.open(data.resolve("wal"), Daemon.walConfig(config.wal()))
                : Wal.open(data.resolve("wal"), Daemon.walConfig(config.wal()).withRollCycle("TEST_SECONDLY"), walClock);
        Vault vault = Vault.open(data.resolve("vault"), Daemon.vaultConfig(config.checkpoint()));
        VersionStore versions = new VersionStore(vault, new DataDirectory(data), PrimarySupervisor.LINEAGE);
        versions.registerConfigured(config.agent(), java.time.Instant.now());
        PrimarySupervisor s = new PrimarySupervisor(config, Launcher.local(), new RequestLog(wal, JSON, "primary", "v1"),
                vault, Clock.system(), versions, versions.current(), null);
        s.start();
        return new SupervisorFixture(wal, vault, s, versions, config);
    }

    /** Submits and waits for the outcome. */
    Outcome submit(String payloadJson, String key) throws Exception {
        return supervisor.submit(JSON.readTree(payloadJson), key).get(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** The learner's count for {@code key}, asked without a key. */
    int count(String key) throws Exception {
        Outcome o = submit("{\"op\":\"ask\",\"key\":\"" + key + "\"}", null);
        org.assertj.core.api.Assertions.assertThat(o).isInstanceOf(Outcome.Answered.class);
        return ((Outcome.Answered) o).payload().get("count").asInt();
    }

    /** SIGKILLs the primary's agent process, as a crash from outside would. */
    void killAgent() {
        var stats = supervisor.status().instance();
        org.assertj.core.api.Assertions.assertThat(stats).isNotNull();
        long pid = Long.parseLong(stats.where().replace("pid ", ""));
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** The WAL's records of {@code type}, in order. */
    java.util.List<dev.guardian.wal.WalRecord> records(String type) {
        java.util.List<dev.guardian.wal.WalRecord> out = new java.util.ArrayList<>();
        try (dev.guardian.wal.WalCursor cursor = wal.read(1)) {
            for (dev.guardian.wal.WalRecord r = cursor.next(); r != null; r = cursor.next()) {
                if (r.type().equals(type)) {
                    out.add(r);
                }
            }
        }
        return out;
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
