package dev.guardian.evolution.compare.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guardian.evolution.compare.ComparisonConfig;
import dev.guardian.evolution.compare.OutputComparator;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One recursive walk for both comparators: {@code strictNumbers} makes it exact (numbers must have
 * the same JSON type and value), otherwise numbers compare by value within tolerance. Ignored
 * paths are matched against the segments of the current path, so an ignored subtree is never
 * visited.
 */
public final class JsonComparator implements OutputComparator {

    public static final JsonComparator EXACT = new JsonComparator(ComparisonConfig.ofDefaults(), true);

    private final List<String[]> ignored = new ArrayList<>();
    private final double absTolerance;
    private final double relTolerance;
    private final boolean strictNumbers;

    public JsonComparator(ComparisonConfig config, boolean strictNumbers) {
        for (String pointer : config.ignoredPaths()) {
            String[] raw = pointer.substring(1).split("/", -1);
            for (int i = 0; i < raw.length; i++) {
                raw[i] = raw[i].equals("*") ? null : unescape(raw[i]); // null = wildcard
            }
            ignored.add(raw);
        }
        this.absTolerance = config.absoluteTolerance();
        this.relTolerance = config.relativeTolerance();
        this.strictNumbers = strictNumbers;
    }

    @Override
    public Optional<String> firstDifference(JsonNode baseline, JsonNode candidate) {
        return Optional.ofNullable(diff(baseline, candidate, new ArrayList<>()));
    }

    /** The pointer of the first difference below {@code path}, or null when equal. */
    private String diff(JsonNode a, JsonNode b, List<String> path) {
        if (isIgnored(path)) {
            return null;
        }
        if (a == null || b == null || a.isMissingNode() || b.isMissingNode()) {
            boolean aAbsent = a == null || a.isMissingNode();
            boolean bAbsent = b == null || b.isMissingNode();
            return aAbsent == bAbsent ? null : pointer(path);
        }
        if (a.isNumber() && b.isNumber()) {
            return numbersEqual(a, b) ? null : pointer(path);
        }
        if (a.getNodeType() != b.getNodeType()) {
            return pointer(path);
        }
        if (a.isObject()) {
            Set<String> keys = new LinkedHashSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                path.add(key);
                String d = diff(a.get(key), b.get(key), path);
                path.remove(path.size() - 1);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (a.isArray()) {
            int n = Math.max(a.size(), b.size());
            for (int i = 0; i < n; i++) {
                path.add(Integer.toString(i));
                String d = diff(a.get(i), b.get(i), path);
                path.remove(path.size() - 1);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return a.equals(b) ? null : pointer(path);
    }

    private boolean numbersEqual(JsonNode a, JsonNode b) {
        if (!Double.isFinite(a.doubleValue()) || !Double.isFinite(b.doubleValue())) {
            // NaN and infinities (non-standard JSON) have no decimal value; equal only to themselves
            return Double.compare(a.doubleValue(), b.doubleValue()) == 0;
        }
        if (strictNumbers) {
            return a.getNodeType() == b.getNodeType() && a.isIntegralNumber() == b.isIntegralNumber()
                    && a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.decimalValue().compareTo(b.decimalValue()) == 0) {
            return true;
        }
        double x = a.doubleValue();
        double y = b.doubleValue();
        double delta = Math.abs(x - y);
        return delta <= absTolerance || delta <= relTolerance * Math.max(Math.abs(x), Math.abs(y));
    }

    private boolean isIgnored(List<String> path) {
        outer:
        for (String[] pattern : ignored) {
            if (pattern.length != path.size()) {
                continue;
            }
            for (int i = 0; i < pattern.length; i++) {
                if (pattern[i] != null && !pattern[i].equals(path.get(i))) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static String pointer(List<String> path) {
        StringBuilder sb = new StringBuilder();
        for (String segment : path) {
            sb.append('/').append(segment.replace("~", "~0").replace("/", "~1"));
        }
        return sb.toString();
    }

    private static String unescape(String segment) {
        return segment.replace("~1", "/").replace("~0", "~");
    }
}
