package dev.guardian.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size in bytes, written as {@code 512MB}, {@code 2GiB}, {@code 64k} or a plain number; 0 means none. */
public record ByteSize(long bytes) {

    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b?)");

    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size must be >= 0, but was " + bytes);
        }
    }

    public static final ByteSize NONE = new ByteSize(0);

    @JsonCreator
    public static ByteSize parse(String value) {
        Matcher m = FORM.matcher(value == null ? "" : value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a size (use e.g. 512MB, 2GB, 64KB or bytes)");
        }
        int shift = "kmgt".indexOf(m.group(2).isEmpty() ? 'x' : m.group(2).charAt(0)) + 1;
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw tooLarge(value);
        }
        if (n > Long.MAX_VALUE >> (10 * shift)) {
            throw tooLarge(value);
        }
        // Powers of 1024 for both MB and MiB: memory caps are meant in binary units.
        return new ByteSize(n << (10 * shift));
    }

    private static IllegalArgumentException tooLarge(String value) {
        return new IllegalArgumentException("'" + value + "' is too large a size (at most " + Long.MAX_VALUE + " bytes)");
    }

    @JsonCreator
    public static ByteSize ofBytes(long bytes) {
        return new ByteSize(bytes);
    }

    @JsonValue
    @Override
    public String toString() {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GB";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MB";
        }
        return Long.toString(bytes);
    }
}
