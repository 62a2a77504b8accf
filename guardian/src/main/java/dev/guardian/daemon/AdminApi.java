package dev.guardian.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.http.HttpApi;
import dev.guardian.instance.InstanceStats;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.guardian.vault.Checkpoint;
import dev.guardian.vault.CheckpointId;
import dev.guardian.vault.Vault;
import dev.guardian.vault.VaultException;

/**
 * The operators' API, on loopback only. Every endpoint but {@code /metrics} needs
 * {@code Authorization: Bearer <DIR/admin.token>}.
 * <pre>
 * GET  /admin/status       the primary: phase, instance, restarts, last checkpoint, WAL position
 * POST /admin/checkpoint   take a checkpoint now
 * POST /admin/stop         stop the daemon (the agent gets shutdown, then SIGTERM, then SIGKILL)
 * POST /admin/restart      start a FAILED agent again, or restart a running one → {"restarted": "..."}
 * POST /admin/checkpoints/ID/pin | unpin   pin or unpin a checkpoint        → {"id": ...}
 * POST /admin/checkpoints/import           body: an export document         → {"id": ...}
 * versions and rollouts: see {@link EvolutionApi}
 * GET  /metrics            Prometheus text
 * </pre>
 */
final class AdminApi implements HttpApi {

    private static final Pattern PIN = Pattern.compile("/admin/checkpoints/([^/]+)/(pin|unpin)");

    private final PrimarySupervisor supervisor;
    private final ObjectMapper json;
    private final byte[] token;
    private final Runnable stop;
    private final Metrics metrics;
    private final Vault vault;
    private final Rollouts rollouts;
    private final EvolutionApi evolution;
    /**
     * When this Guardian process started (before recovery began): the counts in {@link #status} are
     * since then, and a checkpoint created before it was written by an earlier Guardian.
     */
    private final java.time.Instant started = java.time.Instant.now();

    AdminApi(PrimarySupervisor supervisor, Vault vault, Rollouts rollouts, EvolutionApi evolution, ObjectMapper json,
            String token, Runnable stop, Metrics metrics) {
        this.supervisor = supervisor;
        this.vault = vault;
        this.rollouts = rollouts;
        this.evolution = evolution;
        this.json = json;
        this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.stop = stop;
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<Reply> handle(Request request) {
        if (request.path().equals("/metrics")) {
            return done(new Reply(200, "text/plain; version=0.0.4; charset=utf-8",
                    metrics.scrape().getBytes(StandardCharsets.UTF_8), java.util.Map.of()));
        }
        String auth = request.header("authorization");
        if (auth == null || !MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8), token)) {
            return done(JsonReplies.error(json, 401, "unauthorized", "send Authorization: Bearer <the token in admin.token of the data directory>"));
        }
        switch (request.method() + " " + request.path()) {
            case "GET /admin/status":
                return done(JsonReplies.json(json, 200, status(supervisor.status())));
            case "POST /admin/checkpoint":
                return supervisor.checkpointNow().handle((c, e) -> e != null
                        ? JsonReplies.error(json, 409, "no_checkpoint", e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                        : JsonReplies.json(json, 200, json.createObjectNode().put("checkpoint", String.valueOf(supervisor.status().lastCheckpoint().id()))
                                .put("wal_seq", c.seq())));
            case "POST /admin/restart":
                return CompletableFuture.supplyAsync(() -> {
                    try {
                        return JsonReplies.json(json, 200, json.createObjectNode().put("restarted",
                                supervisor.restartAgent(java.time.Duration.ofSeconds(30))));
                    } catch (Exception e) {
                        return JsonReplies.error(json, 409, "not_restarted", PrimarySupervisor.rootMessage(e));
                    }
                });
            case "POST /admin/stop":
                // After this reply has gone out: stopping closes this very server.
                CompletableFuture.delayedExecutor(100, java.util.concurrent.TimeUnit.MILLISECONDS).execute(stop);
                return done(JsonReplies.json(json, 202, json.createObjectNode().put("stopping", true)));
            case "POST /admin/checkpoints/import":
                return done(changeVault(() -> vault.importCheckpoint(request.body())));
            default:
                Reply evolved = evolution == null ? null : evolution.handle(request);
                if (evolved != null) {
                    return done(evolved);
                }
                Matcher pin = PIN.matcher(request.path());
                if (request.method().equals("POST") && pin.matches()) {
                    boolean pinned = pin.group(2).equals("pin");
                    return done(changeVault(() -> vault.setPinned(CheckpointId.parse(pin.group(1)), pinned)));
                }
                return done(JsonReplies.error(json, 404, "not_found", "no admin endpoint " + request.method() + " " + request.path()));
        }
    }

    private ObjectNode instance(InstanceStats i, String role, String version) {
        ObjectNode in = json.createObjectNode();
        in.put("id", i.id()).put("where", i.where()).put("role", role).put("version", version).put("state", i.state().name())
                .put("uptime_ms", i.uptime().toMillis()).put("in_flight", i.inFlight()).put("stdin_queued", i.stdinQueued())
                .put("protocol_errors", i.protocolErrors()).put("rss_bytes", i.usage().rssBytes())
                .put("cpu_ms", i.usage().cpuNanos() < 0 ? -1 : i.usage().cpuNanos() / 1_000_000)
                .put("missed_pings", i.missedPings());
        in.putObject("latency_ms").put("count", i.latency().count()).put("p50", i.latency().p50Ms())
                .put("p95", i.latency().p95Ms()).put("p99", i.latency().p99Ms()).put("max", i.latency().maxMs());
        return in;
    }

    /** A change to the vault that the daemon holds; the CLI reads the result from the files afterwards. */
    private Reply changeVault(Supplier<Checkpoint> change) {
        try {
            return JsonReplies.json(json, 200, json.createObjectNode().put("id", change.get().id().toString()));
        } catch (VaultException e) {
            int status = switch (e.reason()) {
                case NOT_FOUND -> 404;
                case BAD_INPUT -> 400;
                case CORRUPT -> 409;
                case UNAVAILABLE, IO -> 503;
            };
            return JsonReplies.error(json, status, e.reason().name().toLowerCase(java.util.Locale.ROOT), e.getMessage());
        } catch (IllegalArgumentException e) {
            return JsonReplies.error(json, 400, "bad_input", e.getMessage());
        }
    }

    ObjectNode status(PrimarySupervisor.Status s) {
        ObjectNode root = json.createObjectNode();
        root.put("phase", s.phase().name());
        if (s.failedReason() != null) {
            root.put("failed_reason", s.failedReason());
        }
        // restarts and standby_takeovers count since this Guardian process started (guardian_started).
        root.put("guardian_started", started.toString());
        root.put("restarts", s.restarts()).put("standby_takeovers", s.standbyTakeovers()).put("waiting", s.waiting())
                .put("wal_sequence", s.walSequence());
        if (s.lastExit() != null) {
            root.put("last_exit", s.lastExit());
        }
        Checkpoint last = lastCheckpoint(s);
        if (last != null) {
            root.putObject("last_checkpoint").put("id", last.id().toString())
                    .put("wal_seq", last.walSeq()).put("created", last.createdAt().toString())
                    .put("size", last.size())
                    .put("since_start", !last.createdAt().isBefore(started));
        }
        root.put("version", supervisor.currentVersion().id());
        if (supervisor.storageProblem() != null) {
            root.put("storage_problem", supervisor.storageProblem());
        }
        var losses = root.putArray("log_losses");
        for (LogLosses.Loss loss : supervisor.logLosses()) {
            losses.addObject().put("from", loss.from()).put("to", loss.to()).put("sequences", loss.count())
                    .put("what", loss.what()).put("found", loss.found().toString());
        }
        InstanceStats i = s.instance();
        var instances = root.putArray("instances");
        if (i != null) {
            ObjectNode primary = instance(i, "primary", supervisor.currentVersion().id());
            root.set("instance", primary);
            instances.add(primary);
        }
        if (s.standby() != null) {
            instances.add(instance(s.standby().instance(), "standby", s.standby().versionId()).put("ready", s.standby().ready()));
        }
        if (rollouts != null) {
            var list = root.putArray("rollouts");
            for (Rollouts.RolloutStatus r : rollouts.status()) {
                list.addObject().put("deployment", r.id()).put("candidate", r.candidate()).put("baseline", r.baseline())
                        .put("strategy", r.strategy().name().toLowerCase(java.util.Locale.ROOT)).put("state", r.state())
                        .put("stage", r.stage()).put("percent", r.percent()).put("samples_in_stage", r.samplesInStage())
                        .put("agreement", r.agreement()).put("applied_up_to", r.appliedUpTo());
                if (r.instance() != null) {
                    instances.add(instance(r.instance(), r.percent() > 0 ? "canary" : "shadow", r.candidate()));
                }
                if (r.control() != null) {
                    instances.add(instance(r.control(), "control", r.baseline()));
                }
            }
        }
        root.set("latency_ms", metrics.latencySummary());
        return root;
    }



    /**
     * The data directory's newest checkpoint of the primary, whoever wrote it: after a Guardian
     * restart, the one an earlier process wrote until this one writes its own.
     */
    private Checkpoint lastCheckpoint(PrimarySupervisor.Status s) {
        java.util.List<Checkpoint> all = vault.list(PrimarySupervisor.LINEAGE);
        return all.isEmpty() ? s.lastCheckpoint() : all.get(all.size() - 1);
    }

    private static CompletableFuture<Reply> done(Reply r) {
        return CompletableFuture.completedFuture(r);
    }
}
