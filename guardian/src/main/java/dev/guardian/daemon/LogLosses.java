package dev.guardian.daemon;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ranges of sequences the log has lost (a cut or deleted file, a damaged record, a log that ends
 * below what the vault and the keys journal say it reached), as found by this Guardian: logged at
 * ERROR when first found, shown by {@code guardian status} and {@code /metrics}. A loss is never
 * silent. Thread-safe.
 */
final class LogLosses {

    private static final Logger LOG = LoggerFactory.getLogger(LogLosses.class);

    /** Sequences {@code from}..{@code to} (inclusive) are gone; {@code what} says how it was found and what it costs. */
    record Loss(long from, long to, String what, Instant found) {

        long count() {
            return to - from + 1;
        }
    }

    private final Map<String, Loss> byRange = new LinkedHashMap<>();

    /** Records a lost range (once per range). */
    synchronized void report(long from, long to, String what) {
        if (to < from) {
            return;
        }
        String range = from + ".." + to;
        if (byRange.putIfAbsent(range, new Loss(from, to, what, Instant.now())) == null) {
            LOG.error("the log lost seq {} ({} sequences): {}", from == to ? String.valueOf(from) : range, to - from + 1, what);
        }
    }

    synchronized List<Loss> all() {
        return new ArrayList<>(byRange.values());
    }

    /** How many sequences the losses cover, in all. */
    synchronized long sequences() {
        return byRange.values().stream().mapToLong(Loss::count).sum();
    }
}
