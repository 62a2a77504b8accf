package dev.guardian.daemon;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The daemon's metrics (Micrometer, scraped as Prometheus text at {@code /metrics}). Thread-safe. */
final class Metrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer latency = Timer.builder("guardian_request_latency")
            .description("From request received to answer sent, front door")
            .publishPercentiles(0.5, 0.95, 0.99)
            .register(registry);
    /** What {@code guardian status} shows: the Timer's percentiles decay over minutes while its count never does. */
    private final RecentLatency recent = new RecentLatency(System::nanoTime);
    private final Counter answered = counter("answered");
    private final Counter agentErrors = counter("agent_error");
    private final Map<Outcome.Kind, Counter> failures = new EnumMap<>(Outcome.Kind.class);

    Metrics(PrimarySupervisor supervisor) {
        for (Outcome.Kind k : Outcome.Kind.values()) {
            failures.put(k, counter(k.name().toLowerCase(Locale.ROOT)));
        }
        Gauge.builder("guardian_restarts", supervisor, s -> s.status().restarts()).register(registry);
        Gauge.builder("guardian_requests_waiting", supervisor, s -> s.status().waiting()).register(registry);
        Gauge.builder("guardian_wal_sequence", supervisor, s -> s.status().walSequence()).register(registry);
        Gauge.builder("guardian_open", supervisor, s -> s.phase() == PrimarySupervisor.Phase.OPEN ? 1 : 0).register(registry);
        Gauge.builder("guardian_agent_rss_bytes", supervisor,
                s -> s.status().instance() == null ? -1 : s.status().instance().usage().rssBytes()).register(registry);
        Gauge.builder("guardian_log_lost_sequences", supervisor, s -> s.logLosses().stream().mapToLong(LogLosses.Loss::count).sum())
                .description("sequences the write-ahead log has lost (damage, a cut or deleted file), as found since this start")
                .register(registry);
        Gauge.builder("guardian_storage_degraded", supervisor, s -> s.storageProblem() == null ? 0 : 1)
                .description("1 while requests cannot be logged (a full disk, an I/O error)").register(registry);
        Gauge.builder("guardian_agent_protocol_errors", supervisor,
                s -> s.status().instance() == null ? 0 : s.status().instance().protocolErrors()).register(registry);
    }

    /** The connections of one HTTP server ({@code port}: front_door or admin), open and refused past the bound. */
    void watch(String port, dev.guardian.http.NettyHttpServer server) {
        Gauge.builder("guardian_http_connections", server, dev.guardian.http.NettyHttpServer::openConnections)
                .tag("port", port).description("connections open now").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("guardian_http_refused_connections", server,
                        dev.guardian.http.NettyHttpServer::refusedConnections)
                .tag("port", port).description("connections refused because http.max_connections were open").register(registry);
    }

    private Counter counter(String outcome) {
        return Counter.builder("guardian_requests").tag("outcome", outcome).register(registry);
    }

    void record(Outcome outcome, long nanos) {
        latency.record(nanos, TimeUnit.NANOSECONDS);
        recent.record(nanos);
        if (outcome instanceof Outcome.Answered a) {
            (a.ok() ? answered : agentErrors).increment();
        } else {
            failures.get(((Outcome.Failed) outcome).kind()).increment();
        }
    }

    String scrape() {
        return registry.scrape();
    }

    /**
     * Front-door latency for status: p50/p95/p99 in milliseconds over the {@code window_count}
     * requests answered in the last {@code window_s} seconds (no percentiles when there were none),
     * and {@code count}, every request since Guardian started.
     */
    ObjectNode latencySummary() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        RecentLatency.Window w = recent.window();
        if (w.count() > 0) {
            out.put("p50", w.p50Ms()).put("p95", w.p95Ms()).put("p99", w.p99Ms());
        }
        out.put("window_count", w.count()).put("window_s", RecentLatency.WINDOW.toSeconds());
        out.put("count", latency.count());
        return out;
    }
}
