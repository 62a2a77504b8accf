package dev.guardian.evolution.compare;

import java.util.List;
import java.util.Objects;

/**
 * How the structural comparator decides that two answers are "the same": which parts to ignore
 * (fields that legitimately differ between instances, like timestamps or generated ids) and how far
 * numbers may drift (floating-point results of a refactored computation).
 *
 * @param ignoredPaths      JSON pointers (RFC 6901) whose whole subtree is ignored; a segment
 *                          {@code *} matches any one key or index, e.g. {@code /payload/items/*}{@code /id}
 * @param absoluteTolerance two numbers are equal when they differ by at most this much
 * @param relativeTolerance ... or by at most this fraction of the larger magnitude
 */
public record ComparisonConfig(List<String> ignoredPaths, double absoluteTolerance, double relativeTolerance) {

    public ComparisonConfig {
        Objects.requireNonNull(ignoredPaths, "ignoredPaths");
        ignoredPaths = List.copyOf(ignoredPaths);
        for (int i = 0; i < ignoredPaths.size(); i++) {
            String p = ignoredPaths.get(i);
            if (!p.startsWith("/")) {
                // "" would ignore the whole answer: a comparison that always agrees is a mistake, not a setting
                throw new IllegalArgumentException("ignoredPaths[" + i + "] must be a JSON pointer starting with '/', but was '" + p + "'");
            }
            if (p.matches(".*~(?![01]).*")) {
                throw new IllegalArgumentException("ignoredPaths[" + i + "] has an invalid escape ('~' must be followed by 0 or 1), but was '" + p + "'");
            }
        }
        if (!(absoluteTolerance >= 0) || Double.isInfinite(absoluteTolerance)) {
            throw new IllegalArgumentException("absoluteTolerance must be finite and >= 0, but was " + absoluteTolerance);
        }
        if (!(relativeTolerance >= 0 && relativeTolerance < 1)) {
            throw new IllegalArgumentException("relativeTolerance must be in [0, 1), but was " + relativeTolerance);
        }
    }

    /** Nothing ignored, numbers equal by value only (1 == 1.0). */
    public static ComparisonConfig ofDefaults() {
        return new ComparisonConfig(List.of(), 0.0, 0.0);
    }

    /** This config with these paths ignored instead. */
    public ComparisonConfig withIgnoredPaths(String... paths) {
        return new ComparisonConfig(List.of(paths), absoluteTolerance, relativeTolerance);
    }

    /** This config with these tolerances instead. */
    public ComparisonConfig withTolerance(double absolute, double relative) {
        return new ComparisonConfig(ignoredPaths, absolute, relative);
    }
}
