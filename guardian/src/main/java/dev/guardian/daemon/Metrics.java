package dev.guardian.daemon;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
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

    private Counter counter(String outcome) {
        return Counter.builder("guardian_requests").tag("outcome", outcome).register(registry);
    }

    void record(Outcome outcome, long nanos) {
        latency.record(nanos, TimeUnit.NANOSECONDS);
        if (outcome instanceof Outcome.Answered a) {
            (a.ok() ? answered : agentErrors).increment();
        } else {
            failures.get(((Outcome.Failed) outcome).kind()).increment();
        }
    }

    String scrape() {
        return registry.scrape();
    }

    /** p50/p95/p99 of recent front-door latency, in milliseconds. */
    ObjectNode latencySummary() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (ValueAtPercentile v : latency.takeSnapshot().percentileValues()) {
            out.put("p" + Math.round(v.percentile() * 100), Math.round(v.value(TimeUnit.MICROSECONDS)) / 1000.0);
        }
        out.put("count", latency.count());
        return out;
    }
}
