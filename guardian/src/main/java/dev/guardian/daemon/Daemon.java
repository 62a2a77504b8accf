package dev.guardian.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.config.GuardianConfig;
import dev.guardian.evolution.Clock;
import dev.guardian.http.NettyHttpServer;
import dev.guardian.process.Launcher;
import dev.guardian.evolution.version.Version;
import dev.guardian.vault.Vault;
import dev.guardian.vault.VaultConfig;
import dev.guardian.wal.Durability;
import dev.guardian.wal.Wal;
import dev.guardian.wal.WalConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running guardian daemon: the data directory locked, orphans of a previous life reaped, the WAL
 * and the vault open, the primary supervised, and the front door and admin API listening.
 * {@link #close()} undoes it all in reverse; it is also what SIGTERM triggers. A SIGKILL skips it,
 * and the next start recovers from the data directory.
 */
public final class Daemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final DataDirectory dir;
    private final List<AutoCloseable> resources;
    private final PrimarySupervisor supervisor;
    private final NettyHttpServer frontDoor;
    private final NettyHttpServer admin;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Set once the daemon listens; removed on close, after everything else has stopped. */
    private volatile DaemonFile daemonFile;

    private Daemon(DataDirectory dir, List<AutoCloseable> resources, PrimarySupervisor supervisor, NettyHttpServer frontDoor,
            NettyHttpServer admin) {
        this.dir = dir;
        this.resources = resources;
        this.supervisor = supervisor;
        this.frontDoor = frontDoor;
        this.admin = admin;
    }

    /** Starts a daemon for {@code config}; returns once it listens (the agent may still be starting). */
    public static Daemon start(GuardianConfig config) throws IOException {
        return start(config, true);
    }

    /**
     * As {@link #start(GuardianConfig)}; without {@code httpFrontDoor} (wrap mode) clients reach the
     * agent through {@link #supervisor()} only.
     */
    public static Daemon start(GuardianConfig config, boolean httpFrontDoor) throws IOException {
        ObjectMapper json = new ObjectMapper();
        DataDirectory dir = new DataDirectory(config.dataDir());
        dir.lock();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            OrphanReaper reaper = new OrphanReaper(dir.instances());
            int orphans = reaper.reap();
            if (orphans > 0) {
                LOG.warn("killed {} agent process(es) left by a previous guardian", orphans);
            }
            Wal wal = Wal.open(dir.wal(), walConfig(config.wal()));
            opened.add(wal);
            Vault vault = Vault.open(dir.vault(), vaultConfig(config.checkpoint()));
            opened.add(vault);
            VersionStore versions = new VersionStore(vault, dir, PrimarySupervisor.LINEAGE);
            versions.registerConfigured(config.agent(), java.time.Instant.now());
            Version current = versions.current();
            String version = current.id();
            PrimarySupervisor supervisor = new PrimarySupervisor(config, Launcher.local(),
                    new RequestLog(wal, json, "primary", version), vault, Clock.system(), versions, current, reaper);
            opened.add(supervisor);
            Rollouts rollouts = new Rollouts(supervisor, versions, vault, Launcher.local(), config, Clock.system());
            opened.add(rollouts);
            // The agent (and the keys' load) start now, and boot while the HTTP servers are set up: nobody can
            // send a request before the front door listens, and a restart is that much shorter (bench/restart.sh).
            supervisor.start();
            Metrics metrics = new Metrics(supervisor);
            NettyHttpServer front = null;
            if (httpFrontDoor) {
                front = NettyHttpServer.start("front", config.frontDoor(), new FrontDoorApi(supervisor, json, metrics),
                        config.http().limits(config.protocol().maxLineBytes()), 2, 4);
                opened.add(front);
                metrics.watch("front_door", front);
            }
            Daemon[] self = new Daemon[1];
            NettyHttpServer admin = NettyHttpServer.start("admin", config.admin(),
                    new AdminApi(supervisor, vault, rollouts, new EvolutionApi(rollouts, versions, supervisor, json), json, dir.adminToken(), () -> self[0].close(), metrics),
                    config.http().limits(64 << 20), 1, 2);
            opened.add(admin);
            metrics.watch("admin", admin);
            Daemon daemon = new Daemon(dir, opened, supervisor, front, admin);
            self[0] = daemon;
            daemon.daemonFile = DaemonFile.write(dir.daemonFile(), json, front == null ? "stdio" : front.endpoint().toString(),
                    admin.endpoint().toString(), current);
            versions.onCurrentChange(daemon.daemonFile::versionChanged);
            return daemon;
        } catch (IOException | RuntimeException e) {
            closeAll(opened);
            dir.close();
            throw e;
        }
    }

    public PrimarySupervisor supervisor() {
        return supervisor;
    }

    /** The front door's bound address, or null in wrap mode. */
    public dev.guardian.config.Endpoint frontDoor() {
        return frontDoor == null ? null : frontDoor.endpoint();
    }

    public dev.guardian.config.Endpoint admin() {
        return admin.endpoint();
    }

    /** Blocks until the daemon has been closed (by the admin API, a signal or a caller). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        LOG.info("stopping");
        closeAll(resources);
        DaemonFile f = daemonFile;
        if (f != null) {
            f.close();
        }
        dir.close();
        stopped.countDown();
    }

    /** Closes in reverse order of opening, each failure logged, none stopping the rest. */
    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("error while closing {}: {}", resources.get(i).getClass().getSimpleName(), e.toString());
            }
        }
    }

    static VaultConfig vaultConfig(GuardianConfig.Checkpoint checkpoint) {
        return VaultConfig.ofDefaults().withKeepLast(checkpoint.keepLast()).withKeepKnownGood(checkpoint.keepKnownGood());
    }

    static WalConfig walConfig(GuardianConfig.Wal wal) {
        return WalConfig.ofDefaults()
                .withDurability(Durability.valueOf(wal.durability().toUpperCase(Locale.ROOT)))
                .withGroup(wal.groupMaxBatch(), wal.groupMaxDelay())
                .withGroupForcers(wal.groupForcers())
                .withMinFreeBytes(wal.minFree().bytes());
    }

}
