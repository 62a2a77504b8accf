package dev.guardian.config;

import dev.guardian.process.ResourceLimits;
import dev.guardian.supervision.RestartType;
import dev.guardian.supervision.SupervisionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code guardian run} needs. Absent keys take the defaults below; every check names the
 * key and the value. Cross-field checks are in the compact constructor of the record that holds
 * both fields.
 */
public record GuardianConfig(Agent agent, Path dataDir, Wal wal, Checkpoint checkpoint, Heartbeat heartbeat,
        Duration requestTimeout, Duration startupTimeout, Restart restart, Shutdown shutdown, Limits limits,
        Endpoint frontDoor, Endpoint admin, Protocol protocol, RolloutSettings rollout, Idempotency idempotency, Http http) {

    public GuardianConfig {
        if (agent == null) {
            throw new IllegalArgumentException("agent.command is required");
        }
        dataDir = dataDir == null ? Path.of("guardian-data") : dataDir;
        if (dataDir.toString().isBlank()) {
            throw new IllegalArgumentException("data_dir must name a directory, but was '" + dataDir + "'");
        }
        wal = wal == null ? new Wal(null, null, null, null, null) : wal;
        checkpoint = checkpoint == null ? new Checkpoint(null, null, null, null, null, null) : checkpoint;
        heartbeat = heartbeat == null ? new Heartbeat(null, null) : heartbeat;
        requestTimeout = positive("request_timeout", requestTimeout, Duration.ofSeconds(30));
        startupTimeout = positive("startup_timeout", startupTimeout, Duration.ofSeconds(10));
        restart = restart == null ? new Restart(null, null, null, null, null, null) : restart;
        shutdown = shutdown == null ? new Shutdown(null, null) : shutdown;
        limits = limits == null ? new Limits(null, null, null, null) : limits;
        frontDoor = frontDoor == null ? new Endpoint("127.0.0.1", 7070) : frontDoor;
        admin = admin == null ? new Endpoint("127.0.0.1", 7071) : admin;
        if (!admin.loopback()) {
            throw new IllegalArgumentException("admin must listen on a loopback address, but was " + admin);
        }
        protocol = protocol == null ? new Protocol(null) : protocol;
        rollout = rollout == null ? RolloutSettings.ofDefaults() : rollout;
        idempotency = idempotency == null ? new Idempotency(null) : idempotency;
        http = http == null ? new Http(null, null, null, null, null) : http;
    }

    /** A config for this command line with every other value at its default. */
    public static GuardianConfig forCommand(List<String> command) {
        return new GuardianConfig(new Agent(command, null, null), null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);
    }

    /** This config with another agent command (env and working directory kept). */
    public GuardianConfig withCommand(List<String> command) {
        return new GuardianConfig(new Agent(command, agent.env(), agent.workingDir()), dataDir, wal, checkpoint, heartbeat,
                requestTimeout, startupTimeout, restart, shutdown, limits, frontDoor, admin, protocol, rollout, idempotency, http);
    }

    public GuardianConfig withDataDir(Path dir) {
        return new GuardianConfig(agent, dir, wal, checkpoint, heartbeat, requestTimeout, startupTimeout, restart, shutdown,
                limits, frontDoor, admin, protocol, rollout, idempotency, http);
    }

    public GuardianConfig withDurability(String durability) {
        return new GuardianConfig(agent, dataDir, new Wal(durability, wal.groupMaxBatch(), wal.groupMaxDelay(), wal.groupForcers(), wal.minFree()), checkpoint,
                heartbeat, requestTimeout, startupTimeout, restart, shutdown, limits, frontDoor, admin, protocol, rollout, idempotency, http);
    }

    public GuardianConfig withEndpoints(Endpoint newFrontDoor, Endpoint newAdmin) {
        return new GuardianConfig(agent, dataDir, wal, checkpoint, heartbeat, requestTimeout, startupTimeout, restart,
                shutdown, limits, newFrontDoor, newAdmin, protocol, rollout, idempotency, http);
    }

    /** The agent to supervise. */
    public record Agent(List<String> command, Map<String, String> env, Path workingDir) {
        public Agent {
            if (command == null || command.isEmpty() || command.get(0) == null || command.get(0).isBlank()) {
                throw new IllegalArgumentException("agent.command must name a program, but was " + command);
            }
            command = List.copyOf(command);
            env = env == null ? Map.of() : Map.copyOf(env);
        }
    }

    /** WAL durability: sync, group (group commit) or async. */
    /** {@code min_free}: appends (requests) are refused while the log's file system has less free space than this. */
    public record Wal(String durability, Integer groupMaxBatch, Duration groupMaxDelay, Integer groupForcers, ByteSize minFree) {
        public Wal {
            durability = durability == null ? "group" : durability;
            if (!List.of("sync", "group", "async").contains(durability)) {
                throw new IllegalArgumentException("wal.durability must be sync, group or async, but was '" + durability + "'");
            }
            // Defaults are the WAL's own (measured there: BENCHMARKS.md, WAL).
            dev.guardian.wal.WalConfig walDefaults = dev.guardian.wal.WalConfig.ofDefaults();
            groupMaxBatch = groupMaxBatch == null ? walDefaults.groupMaxBatch() : groupMaxBatch;
            if (groupMaxBatch < 1) {
                throw new IllegalArgumentException("wal.group_max_batch must be >= 1, but was " + groupMaxBatch);
            }
            groupMaxDelay = nonNegative("wal.group_max_delay", groupMaxDelay, walDefaults.groupMaxDelay());
            // One forcer, not the WAL's 4: here an fdatasync costs the guest 100-160 us of CPU, and at the
            // daemon's rates (bounded by one agent) one force at a time makes fewer, fuller forces: less
            // server CPU per request in 9 of 9 paired rounds, more requests/s in 7 of 9 (BENCHMARKS.md,
            // Daemon). Any rate still fits: a force takes every record written while the previous one ran.
            groupForcers = groupForcers == null ? 1 : groupForcers;
            minFree = minFree == null ? ByteSize.ofBytes(walDefaults.minFreeBytes()) : minFree;
            if (groupForcers < 1 || groupForcers > 16) {
                throw new IllegalArgumentException("wal.group_forcers must be between 1 and 16, but was " + groupForcers);
            }
        }
    }

    /** When checkpoints are taken and how many are kept. */
    public record Checkpoint(Long everyRequests, Duration every, Boolean onAgentRequest, Integer keepLast,
            Duration knownGoodAfter, Integer keepKnownGood) {
        public Checkpoint {
            everyRequests = everyRequests == null ? 1000L : everyRequests;
            if (everyRequests < 0) {
                throw new IllegalArgumentException("checkpoint.every_requests must be >= 0 (0: never), but was " + everyRequests);
            }
            every = nonNegative("checkpoint.every", every, Duration.ofSeconds(30));
            onAgentRequest = onAgentRequest == null || onAgentRequest;
            keepLast = keepLast == null ? 10 : keepLast;
            if (keepLast < 1) {
                throw new IllegalArgumentException("checkpoint.keep_last must be >= 1, but was " + keepLast);
            }
            knownGoodAfter = positive("checkpoint.known_good_after", knownGoodAfter, Duration.ofSeconds(30));
            keepKnownGood = keepKnownGood == null ? 3 : keepKnownGood;
            if (keepKnownGood < 1) {
                throw new IllegalArgumentException("checkpoint.keep_known_good must be >= 1, but was " + keepKnownGood);
            }
        }
    }

    /** Liveness: a ping every interval; {@code misses} unanswered pings in a row mean hung. */
    public record Heartbeat(Duration interval, Integer misses) {
        public Heartbeat {
            interval = positive("heartbeat.interval", interval, Duration.ofSeconds(1));
            misses = misses == null ? 3 : misses;
            if (misses < 1) {
                throw new IllegalArgumentException("heartbeat.misses must be >= 1, but was " + misses);
            }
        }
    }

    /**
     * Restart type, backoff and intensity (see {@link SupervisionPolicy}). With {@code standby}, a
     * spare instance of the current version is kept booted (up to {@code ready}, not initialised):
     * a restart hands it the memory instead of waiting for a cold start, at the cost of one more
     * idle process.
     */
    public record Restart(RestartType type, Backoff backoff, Intensity intensity, Boolean standby, Poison poison,
            RetryFailed retryFailed) {
        public Restart {
            type = type == null ? RestartType.PERMANENT : type;
            standby = standby != null && standby;
            backoff = backoff == null ? new Backoff(null, null, null, null) : backoff;
            intensity = intensity == null ? new Intensity(null, null) : intensity;
            poison = poison == null ? new Poison(null, null) : poison;
            retryFailed = retryFailed == null ? new RetryFailed(null, null) : retryFailed;
        }

        public SupervisionPolicy policy() {
            return new SupervisionPolicy(type, backoff.initial(), backoff.max(), backoff.multiplier(), backoff.resetAfter(),
                    intensity.maxRestarts(), intensity.window());
        }
    }

    public record Backoff(Duration initial, Duration max, Double multiplier, Duration resetAfter) {
        public Backoff {
            SupervisionPolicy d = SupervisionPolicy.ofDefaults();
            initial = nonNegative("restart.backoff.initial", initial, d.backoffInitial());
            max = positive("restart.backoff.max", max, d.backoffMax());
            multiplier = multiplier == null ? d.backoffMultiplier() : multiplier;
            resetAfter = positive("restart.backoff.reset_after", resetAfter, d.stableAfter());
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("restart.backoff.max must be >= restart.backoff.initial ("
                        + Durations.format(initial) + "), but was " + Durations.format(max));
            }
            if (!(multiplier >= 1.0)) {
                throw new IllegalArgumentException("restart.backoff.multiplier must be >= 1, but was " + multiplier);
            }
        }
    }

    /**
     * A request the agent died on {@code strikes} times (while it was handling it) is set aside as
     * poison; the restarts of up to {@code forgivenPerWindow} such requests per intensity window do
     * not count towards {@code intensity.max_restarts}.
     */
    public record Poison(Integer strikes, Integer forgivenPerWindow) {
        public Poison {
            strikes = strikes == null ? 3 : strikes;
            if (strikes < 1 || strikes > 100) {
                throw new IllegalArgumentException("restart.poison.strikes must be between 1 and 100, but was " + strikes);
            }
            forgivenPerWindow = forgivenPerWindow == null ? 10 : forgivenPerWindow;
            if (forgivenPerWindow < 0) {
                throw new IllegalArgumentException("restart.poison.forgiven_per_window must be >= 0, but was " + forgivenPerWindow);
            }
        }
    }

    /**
     * FAILED is not forever: Guardian tries again {@code after} this long, doubling with each FAILED in
     * a row up to {@code max} (a version that stays up for {@code restart.backoff.reset_after} resets it).
     */
    public record RetryFailed(Duration after, Duration max) {
        public RetryFailed {
            after = positive("restart.retry_failed.after", after, Duration.ofMinutes(1));
            max = positive("restart.retry_failed.max", max, Duration.ofMinutes(30));
            if (max.compareTo(after) < 0) {
                throw new IllegalArgumentException("restart.retry_failed.max must be >= restart.retry_failed.after ("
                        + Durations.format(after) + "), but was " + Durations.format(max));
            }
        }
    }

    public record Intensity(Integer maxRestarts, Duration window) {
        public Intensity {
            SupervisionPolicy d = SupervisionPolicy.ofDefaults();
            maxRestarts = maxRestarts == null ? d.maxRestarts() : maxRestarts;
            if (maxRestarts < 0) {
                throw new IllegalArgumentException("restart.intensity.max_restarts must be >= 0, but was " + maxRestarts);
            }
            window = positive("restart.intensity.window", window, d.window());
        }
    }

    /** Shutdown escalation: shutdown message, {@code grace}, SIGTERM, {@code termGrace}, SIGKILL. */
    public record Shutdown(Duration grace, Duration termGrace) {
        public Shutdown {
            grace = nonNegative("shutdown.grace", grace, Duration.ofSeconds(5));
            termGrace = nonNegative("shutdown.term_grace", termGrace, Duration.ofSeconds(3));
        }
    }

    /** Resource caps; absent or 0: no cap. */
    public record Limits(ByteSize memory, ByteSize addressSpace, Duration cpuTime, Long openFiles) {
        public Limits {
            memory = memory == null ? ByteSize.NONE : memory;
            addressSpace = addressSpace == null ? ByteSize.NONE : addressSpace;
            cpuTime = nonNegative("limits.cpu_time", cpuTime, Duration.ZERO);
            openFiles = openFiles == null ? 0L : openFiles;
            if (openFiles < 0) {
                throw new IllegalArgumentException("limits.open_files must be >= 0 (0: no cap), but was " + openFiles);
            }
        }

        public ResourceLimits toResourceLimits() {
            return new ResourceLimits(addressSpace.bytes(), cpuTime.toSeconds(), openFiles, memory.bytes());
        }
    }

    /**
     * How long and how many idempotency keys are remembered (a retried key within the window gets
     * the first answer and is applied once), independent of checkpoint and WAL retention.
     */
    public record Idempotency(IdempotencyWindow window) {
        public Idempotency {
            window = window == null ? new IdempotencyWindow(null, null) : window;
        }
    }

    /** {@code time}: how long after its request a key is remembered; {@code keys}: how many at most (oldest go first). */
    public record IdempotencyWindow(Duration time, Long keys) {
        public IdempotencyWindow {
            dev.guardian.daemon.idempotency.IdempotencyIndex.Window d = dev.guardian.daemon.idempotency.IdempotencyIndex.Window.ofDefaults();
            time = positive("idempotency.window.time", time, d.time());
            keys = keys == null ? d.keys() : keys;
            if (keys < 1 || keys > 100_000_000) {
                throw new IllegalArgumentException("idempotency.window.keys must be between 1 and 100000000, but was " + keys);
            }
        }

        public dev.guardian.daemon.idempotency.IdempotencyIndex.Window toWindow() {
            return new dev.guardian.daemon.idempotency.IdempotencyIndex.Window(time, keys);
        }
    }

    /**
     * What one HTTP client may hold of the front door or the admin API (each port has its own bounds):
     * a request must arrive whole within {@code read_timeout} of its first byte, a connection without a
     * request is closed after {@code idle_timeout}, a reply not read within {@code write_timeout} is
     * dropped, at most {@code max_connections} are open per port, and the request line with the headers
     * is at most {@code max_header_bytes}.
     */
    public record Http(Duration readTimeout, Duration idleTimeout, Duration writeTimeout, Integer maxConnections,
            ByteSize maxHeaderBytes) {
        public Http {
            readTimeout = positive("http.read_timeout", readTimeout, Duration.ofSeconds(10));
            idleTimeout = positive("http.idle_timeout", idleTimeout, Duration.ofSeconds(60));
            writeTimeout = positive("http.write_timeout", writeTimeout, Duration.ofSeconds(30));
            maxConnections = maxConnections == null ? 10_000 : maxConnections;
            if (maxConnections < 1 || maxConnections > 1_000_000) {
                throw new IllegalArgumentException("http.max_connections must be between 1 and 1000000, but was " + maxConnections);
            }
            maxHeaderBytes = maxHeaderBytes == null ? ByteSize.ofBytes(16 << 10) : maxHeaderBytes;
            if (maxHeaderBytes.bytes() < 1024 || maxHeaderBytes.bytes() > (1 << 20)) {
                throw new IllegalArgumentException("http.max_header_bytes must be between 1KB and 1MB, but was " + maxHeaderBytes);
            }
        }

        /** The bounds of one port, whose bodies may be up to {@code maxBodyBytes}. */
        public dev.guardian.http.ServerLimits limits(int maxBodyBytes) {
            return new dev.guardian.http.ServerLimits(readTimeout, idleTimeout, writeTimeout, maxConnections,
                    (int) maxHeaderBytes.bytes(), maxBodyBytes);
        }
    }

    /** {@code max_line_bytes}: a size ({@code 1MB}, {@code 65536}) from 1 KiB to {@link #MAX_LINE_BYTES_CAP}. */
    public record Protocol(Integer maxLineBytes) {
        /**
         * 1 GiB. Far above any sane message, and below what breaks: a line or a client body is held in
         * one Java array (at most 2 GiB), and the front door reads a body of {@code max_line_bytes + 1}
         * bytes to tell an oversized one (2147483647 overflowed, failing every request).
         */
        public static final int MAX_LINE_BYTES_CAP = 1 << 30;

        public Protocol {
            maxLineBytes = maxLineBytes == null ? dev.guardian.protocol.Codec.DEFAULT_MAX_LINE_BYTES : maxLineBytes;
            if (maxLineBytes < 1024) {
                throw new IllegalArgumentException("protocol.max_line_bytes must be >= 1024, but was " + maxLineBytes);
            }
            if (maxLineBytes > MAX_LINE_BYTES_CAP) {
                throw tooLarge(Integer.toString(maxLineBytes));
            }
        }

        /** From YAML, where the value is a size like any other ({@code limits.memory: 200MB}). */
        @com.fasterxml.jackson.annotation.JsonCreator
        static Protocol fromYaml(@com.fasterxml.jackson.annotation.JsonProperty("max_line_bytes") ByteSize maxLineBytes) {
            if (maxLineBytes == null) {
                return new Protocol(null);
            }
            if (maxLineBytes.bytes() > MAX_LINE_BYTES_CAP) {
                throw tooLarge(maxLineBytes.toString());
            }
            return new Protocol((int) maxLineBytes.bytes());
        }

        private static IllegalArgumentException tooLarge(String value) {
            return new IllegalArgumentException("protocol.max_line_bytes must be at most 1GB (" + MAX_LINE_BYTES_CAP
                    + " bytes), but was " + value);
        }
    }

    private static Duration positive(String key, Duration value, Duration fallback) {
        Duration d = value == null ? fallback : value;
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be > 0, but was " + Durations.format(d));
        }
        return d;
    }

    private static Duration nonNegative(String key, Duration value, Duration fallback) {
        Duration d = value == null ? fallback : value;
        if (d.isNegative()) {
            throw new IllegalArgumentException(key + " must be >= 0, but was " + d);
        }
        return d;
    }
}
