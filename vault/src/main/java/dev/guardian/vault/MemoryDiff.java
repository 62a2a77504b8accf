package dev.guardian.vault;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Structural difference of two JSON memories as JSON Pointer paths (RFC 6901): what was added,
 * removed or changed. Objects are compared by key, arrays by index.
 */
public final class MemoryDiff {

    public enum Kind { ADDED, REMOVED, CHANGED }

    /** One difference; {@code before} is null for ADDED, {@code after} for REMOVED. */
    public record Change(Kind kind, String path, JsonNode before, JsonNode after) {
    }

    private MemoryDiff() {
    }

    public static List<Change> diff(JsonNode before, JsonNode after) {
        List<Change> out = new ArrayList<>();
        walk("", before, after, out);
        return out;
    }

    private static void walk(String path, JsonNode a, JsonNode b, List<Change> out) {
        if (a.isObject() && b.isObject()) {
            Set<String> keys = new LinkedHashSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
                keys.add(it.next());
            }
            for (String k : keys) {
                String p = path + "/" + escape(k);
                JsonNode x = a.get(k);
                JsonNode y = b.get(k);
                if (x == null) {
                    out.add(new Change(Kind.ADDED, p, null, y));
                } else if (y == null) {
                    out.add(new Change(Kind.REMOVED, p, x, null));
                } else {
                    walk(p, x, y, out);
                }
            }
        } else if (a.isArray() && b.isArray()) {
            int n = Math.max(a.size(), b.size());
            for (int i = 0; i < n; i++) {
                String p = path + "/" + i;
                if (i >= a.size()) {
                    out.add(new Change(Kind.ADDED, p, null, b.get(i)));
                } else if (i >= b.size()) {
                    out.add(new Change(Kind.REMOVED, p, a.get(i), null));
                } else {
                    walk(p, a.get(i), b.get(i), out);
                }
            }
        } else if (!sameValue(a, b)) {
            out.add(new Change(Kind.CHANGED, path, a, b));
        }
    }

    /** 1, 1.0 and 1.00 are the same number. */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
