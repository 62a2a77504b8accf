package dev.guardian.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A line that could not be used: what was wrong, and the start of the line quoted so that a log
 * or a report shows the culprit. Never thrown: the reader returns it as a {@link Frame.Rejected}.
 *
 * @param kind      what class of problem
 * @param detail    a human sentence naming the field and the value where there is one
 * @param line      the first {@value #QUOTE_BYTES} bytes of the line, decoded leniently
 * @param lineBytes the full length of the offending line in bytes
 */
public record ProtocolError(Kind kind, String detail, String line, long lineBytes) {

    /** How many bytes of an offending line are quoted. */
    public static final int QUOTE_BYTES = 200;

    public ProtocolError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(line, "line");
    }

    /** The classes of protocol error; {@link #code()} is the wire code of an {@code error} message. */
    public enum Kind {
        /** Not JSON, not an object, invalid UTF-8, too deep, or no string {@code type}. */
        MALFORMED("malformed"),
        /** Longer than the maximum line size; the line was skipped without being buffered. */
        LINE_TOO_LONG("line_too_long"),
        /** A {@code type} this side does not know, or one the other side must not send. */
        UNKNOWN_TYPE("unknown_type"),
        /** A required field is absent. */
        MISSING_FIELD("missing_field"),
        /** A field is present with a value of the wrong kind. */
        INVALID_FIELD("invalid_field");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /** Quotes the first {@value #QUOTE_BYTES} bytes of a line; invalid UTF-8 becomes U+FFFD. */
    public static String quote(byte[] bytes, int offset, int length) {
        int n = Math.min(length, QUOTE_BYTES);
        String s = new String(bytes, offset, n, StandardCharsets.UTF_8);
        return n < length ? s + "…" : s;
    }

    /**
     * Whether the offending line begins as a JSON object, and its top-level {@code type} and
     * {@code id} when they are strings within its quoted start (either may be null). For a {@link Kind#LINE_TOO_LONG} line, that names the
     * message that was lost: agents that write {@code type} and {@code id} first (the SDK and the
     * Python learner do) let Guardian fail the request it answered at once.
     */
    public LineStart lineStart() {
        return dev.guardian.protocol.internal.LineStart.read(line);
    }

    /**
     * What the quoted start of a line says it was: whether it begins as a JSON object, and its
     * top-level {@code type} and {@code id}; a field it does not show (or not as a string) is null.
     */
    public record LineStart(boolean object, String type, String id) {
    }

    /** One line for logs and reports: {@code malformed: <detail> in line "<quote>" (N bytes)}. */
    public String describe() {
        return kind.code() + ": " + detail + " in line \"" + line + "\" (" + lineBytes + " bytes)";
    }
}
