package dev.guardian.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.protocol.Message;
import dev.guardian.wal.Wal;
import dev.guardian.wal.WalCursor;
import dev.guardian.wal.WalReader;
import dev.guardian.wal.WalRecord;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What a start spends reading the whole log for idempotency keys, in a fresh JVM as at a restart (run by
 * {@code bench/restart.sh scan}; one mode per JVM): what every start did up to main eaf1c74, before the keys got a
 * journal of their own (now a start reads the journal and only the log after its last mark). The modes add one step
 * each:
 * {@code iterate} reads every record from the first (Chronicle and the record codec only), {@code tree} also
 * parses every payload into a Jackson tree, {@code rebuild} also does what PrimarySupervisor.rebuildFromLog
 * did with them (a map of keys to requests, each response's answer built and attached), copied here with public types
 * only so that this probe does not depend on the daemon's internals. Prints one line: mode, records, keys, open ms,
 * scan ms.
 */
public final class LogScanProbe {

    public static void main(String[] args) throws Exception {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        String mode = args[0];
        Path dir = Path.of(args[1]);
        ObjectMapper json = new ObjectMapper();
        long t0 = System.nanoTime();
        try (WalReader wal = Wal.openReadOnly(dir)) {
            long t1 = System.nanoTime();
            long records = 0;
            long bytes = 0;
            Map<String, Object[]> byKey = new HashMap<>();
            Map<Long, String> keyOf = new HashMap<>();
            try (WalCursor c = wal.read(1)) {
                WalRecord r;
                while ((r = c.next()) != null) {
                    records++;
                    bytes += r.payload().length;
                    if (mode.equals("iterate")) {
                        continue;
                    }
                    JsonNode n = json.readTree(r.payload());
                    if (mode.equals("tree")) {
                        continue;
                    }
                    switch (r.type()) {
                        case "request" -> {
                            String key = n.hasNonNull("key") ? n.get("key").asText() : null;
                            if (key != null) {
                                byKey.put(key, new Object[] {r.sequence(), n.path("id").asText(), n.get("payload"), null});
                                keyOf.put(r.sequence(), key);
                            }
                        }
                        case "response" -> {
                            String key = keyOf.get(n.path("seq").asLong());
                            if (key != null) {
                                Message.Response resp = n.path("ok").asBoolean()
                                        ? Message.Response.ok(n.path("id").asText(), n.get("payload"))
                                        : Message.Response.error(n.path("id").asText(), n.path("error").path("code").asText(),
                                                n.path("error").path("message").asText());
                                Object[] k = byKey.get(key);
                                if (k != null) {
                                    k[3] = CompletableFuture.completedFuture(resp);
                                }
                            }
                        }
                        default -> {
                        }
                    }
                }
            }
            long t2 = System.nanoTime();
            System.out.printf(java.util.Locale.ROOT, "%s records %d bytes %d keys %d open_ms %.1f scan_ms %.1f%n", mode, records,
                    bytes, byKey.size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
        System.exit(0);
    }
}
