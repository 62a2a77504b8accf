package dev.guardian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code guardian status}: what the daemon on a data directory is doing. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the running daemon's instances and state.")
public final class StatusCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DataDirMixin dataDir;

    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode s = AdminClient.forDataDir(dataDir.resolve()).get("/admin/status");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(s.toPrettyString());
        } else {
            print(s, out);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void print(JsonNode s, PrintWriter out) {
        out.printf("phase:           %s%n", s.path("phase").asText());
        if (s.has("failed_reason")) {
            out.printf("failed because:  %s%n", s.path("failed_reason").asText());
        }
        out.printf("restarts:        %d since guardian started%s%s%n", s.path("restarts").asLong(),
                s.has("guardian_started") ? " at " + s.path("guardian_started").asText() : "",
                s.path("standby_takeovers").asLong() > 0 ? " (" + s.path("standby_takeovers").asLong() + " from the standby)" : "");
        out.printf("waiting:         %d requests%n", s.path("waiting").asLong());
        out.printf("wal position:    seq %d%n", s.path("wal_sequence").asLong());
        JsonNode c = s.path("last_checkpoint");
        out.printf("last checkpoint: %s%n", c.isMissingNode() ? "none yet"
                : c.path("id").asText() + " (seq " + c.path("wal_seq").asLong() + ", " + c.path("created").asText()
                        + (c.path("since_start").asBoolean(true) ? "" : ", written before guardian started") + ")");
        if (s.has("last_exit")) {
            out.printf("last exit:       %s%n", s.path("last_exit").asText());
        }
        if (s.has("storage_problem")) {
            out.printf("DEGRADED:        %s%n", s.path("storage_problem").asText());
        }
        for (JsonNode loss : s.path("log_losses")) {
            out.printf("LOG LOST:        seq %d..%d (%d sequences): %s%n", loss.path("from").asLong(), loss.path("to").asLong(),
                    loss.path("sequences").asLong(), loss.path("what").asText());
        }
        out.printf("latency:         %s%n", latency(s.path("latency_ms")));
        out.printf("version:         %s%n", s.path("version").asText("-"));
        JsonNode instances = s.path("instances");
        if (instances.isEmpty() && s.has("instance")) {
            instances = JSON.createArrayNode().add(s.path("instance"));
        }
        if (!instances.isEmpty()) {
            out.printf("%nINSTANCE                      ROLE     VERSION         STATE     WHERE       UPTIME    RSS      CPU      "
                    + "IN-FLIGHT  QUEUED  PROTO-ERR  P50ms   P99ms%n");
            for (JsonNode i : instances) {
                JsonNode il = i.path("latency_ms");
                out.printf("%-29s %-8s %-15s %-9s %-11s %-9s %-8s %-8s %-10d %-7d %-10d %-7.2f %.2f%n", i.path("id").asText(),
                        i.path("role").asText(), i.path("version").asText("-"), i.path("state").asText(), i.path("where").asText(),
                        seconds(i.path("uptime_ms").asLong()), mb(i.path("rss_bytes").asLong()), seconds(i.path("cpu_ms").asLong()),
                        i.path("in_flight").asInt(), i.path("stdin_queued").asInt(), i.path("protocol_errors").asLong(),
                        il.path("p50").asDouble(), il.path("p99").asDouble());
            }
        }
        for (JsonNode r : s.path("rollouts")) {
            out.printf("%nrollout %s: %s of %s against %s, %s%s, %d requests in this stage, agreement %.1f %%%n",
                    r.path("deployment").asText(), r.path("strategy").asText(), r.path("candidate").asText(),
                    r.path("baseline").asText(), r.path("state").asText(),
                    r.path("percent").asInt() > 0 ? " (" + r.path("percent").asInt() + " % of clients)" : "",
                    r.path("samples_in_stage").asLong(), 100 * r.path("agreement").asDouble());
        }
    }

    /** Percentiles only over the requests they describe: those of the recent window. */
    static String latency(JsonNode l) {
        long total = l.path("count").asLong();
        if (!l.has("window_count")) {
            // A daemon of an older release: its percentiles cover a decaying window, its count all requests.
            return String.format("p50 %s ms, p95 %s ms, p99 %s ms (recent); %d requests since guardian started",
                    l.path("p50").asText("-"), l.path("p95").asText("-"), l.path("p99").asText("-"), total);
        }
        long recent = l.path("window_count").asLong();
        String window = "the last " + l.path("window_s").asLong() + " s";
        if (recent == 0) {
            return "no requests in " + window + " (" + total + " since guardian started)";
        }
        return String.format("p50 %s ms, p95 %s ms, p99 %s ms over %d requests in %s (%d since guardian started)",
                l.path("p50").asText(), l.path("p95").asText(), l.path("p99").asText(), recent, window, total);
    }

    private static String seconds(long ms) {
        return ms < 0 ? "-" : String.format("%.1fs", ms / 1000.0);
    }

    private static String mb(long bytes) {
        return bytes < 0 ? "-" : (bytes >> 20) + "MB";
    }
}
