package dev.guardian.vault;

import java.util.Locale;

/**
 * A checkpoint's id: {@code ckpt-000042}, a per-vault sequence number that only grows, so ids sort
 * by creation and are short enough to type. {@link #parse} also accepts {@code ckpt-42}.
 */
public record CheckpointId(long seq) implements Comparable<CheckpointId> {
    private static final String PREFIX = "ckpt-";

    public CheckpointId {
        if (seq < 1) {
            throw new IllegalArgumentException("checkpoint id sequence must be >= 1, but was " + seq);
        }
    }

    public static CheckpointId of(long seq) {
        return new CheckpointId(seq);
    }

    /** Parses {@code ckpt-000042} or {@code ckpt-42}; throws IllegalArgumentException with a clear message. */
    public static CheckpointId parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith(PREFIX)) {
            String digits = t.substring(PREFIX.length());
            if (!digits.isEmpty() && digits.length() <= 18 && digits.chars().allMatch(Character::isDigit)) {
                long n = Long.parseLong(digits);
                if (n >= 1) {
                    return new CheckpointId(n);
                }
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a checkpoint id (expected ckpt-NNNNNN, e.g. ckpt-000042)");
    }

    @Override
    public int compareTo(CheckpointId o) {
        return Long.compare(seq, o.seq);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, PREFIX + "%06d", seq);
    }
}
