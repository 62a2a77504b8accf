package dev.guardian.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.http.HttpApi;
import dev.guardian.instance.InstanceStats;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;

/**
 * The operators' API, on loopback only. Every endpoint but {@code /metrics} needs
 * {@code Authorization: Bearer <DIR/admin.token>}.
 * <pre>
 * GET  /admin/status       the primary: phase, instance, restarts, last checkpoint, WAL position
 * POST /admin/checkpoint   take a checkpoint now
 * POST /admin/stop         stop the daemon (the agent gets shutdown, then SIGTERM, then SIGKILL)
 * GET  /metrics            Prometheus text
 * </pre>
 */
final class AdminApi implements HttpApi {

    private final PrimarySupervisor supervisor;
    private final ObjectMapper json;
    private final byte[] token;
    private final Runnable stop;
    private final Metrics metrics;

    AdminApi(PrimarySupervisor supervisor, ObjectMapper json, String token, Runnable stop, Metrics metrics) {
        this.supervisor = supervisor;
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
            return done(error(401, "unauthorized", "send Authorization: Bearer <the token in admin.token of the data directory>"));
        }
        switch (request.method() + " " + request.path()) {
            case "GET /admin/status":
                return done(json(200, status(supervisor.status())));
            case "POST /admin/checkpoint":
                return supervisor.checkpointNow().handle((c, e) -> e != null
                        ? error(409, "no_checkpoint", e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                        : json(200, json.createObjectNode().put("checkpoint", String.valueOf(supervisor.status().lastCheckpoint().id()))
                                .put("wal_seq", c.seq())));
            case "POST /admin/stop":
                // After this reply has gone out: stopping closes this very server.
                CompletableFuture.delayedExecutor(100, java.util.concurrent.TimeUnit.MILLISECONDS).execute(stop);
                return done(json(202, json.createObjectNode().put("stopping", true)));
            default:
                return done(error(404, "not_found", "no admin endpoint " + request.method() + " " + request.path()));
        }
    }

    ObjectNode status(PrimarySupervisor.Status s) {
        ObjectNode root = json.createObjectNode();
        root.put("phase", s.phase().name());
        if (s.failedReason() != null) {
            root.put("failed_reason", s.failedReason());
        }
        root.put("restarts", s.restarts()).put("waiting", s.waiting()).put("wal_sequence", s.walSequence());
        if (s.lastExit() != null) {
            root.put("last_exit", s.lastExit());
        }
        if (s.lastCheckpoint() != null) {
            root.putObject("last_checkpoint").put("id", s.lastCheckpoint().id().toString())
                    .put("wal_seq", s.lastCheckpoint().walSeq()).put("created", s.lastCheckpoint().createdAt().toString())
                    .put("size", s.lastCheckpoint().size());
        }
        InstanceStats i = s.instance();
        if (i != null) {
            ObjectNode in = root.putObject("instance");
            in.put("id", i.id()).put("where", i.where()).put("role", "primary").put("state", i.state().name())
                    .put("uptime_ms", i.uptime().toMillis()).put("in_flight", i.inFlight()).put("stdin_queued", i.stdinQueued())
                    .put("protocol_errors", i.protocolErrors()).put("rss_bytes", i.usage().rssBytes())
                    .put("cpu_ms", i.usage().cpuNanos() < 0 ? -1 : i.usage().cpuNanos() / 1_000_000)
                    .put("missed_pings", i.missedPings());
        }
        root.set("latency_ms", metrics.latencySummary());
        return root;
    }

    private Reply json(int status, ObjectNode body) {
        try {
            return Reply.json(status, json.writeValueAsBytes(body));
        } catch (java.io.IOException e) {
            return Reply.text(500, e.getMessage());
        }
    }

    private Reply error(int status, String code, String message) {
        ObjectNode body = json.createObjectNode().put("ok", false);
        body.putObject("error").put("code", code).put("message", message);
        return json(status, body);
    }

    private static CompletableFuture<Reply> done(Reply r) {
        return CompletableFuture.completedFuture(r);
    }
}
