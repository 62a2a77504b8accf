package dev.guardian.protocol.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A JSON value that the protocol carries without interpreting it (a payload, a memory): either a
 * tree that a caller built, or the bytes of the value exactly as they stood in a decoded line,
 * parsed into a tree only when {@link #tree()} is first called. Raw bytes are written back as they
 * are, so relaying a decoded message never parses its payload.
 *
 * <p>Why: building and walking payload trees was about half of the decode time (BENCHMARKS.md,
 * "Codec (issue 2)"), and a relay or a router never looks inside a payload.
 *
 * <p>Raw values are made only by {@link MessageParser}, from bytes that it has checked to be one
 * valid JSON value under the codec's limits (depth, number length, UTF-8); the tree is parsed
 * by a reader of the codec's mapper, so it is the tree that decoding the line as a whole would have
 * built. (An {@code ObjectReader} rather than {@code ObjectMapper.readTree}: its root deserializer
 * is resolved once, which made a small payload's parse about a fifth faster here.)
 * The bytes are kept as sent: insignificant whitespace, repeated keys (the tree keeps the last,
 * as before) and the digits of numbers survive a relay unchanged.
 *
 * <p>Equality is JSON equality of the trees (Jackson's {@code JsonNode.equals}), whichever way
 * each side was built; two raw values with the same bytes are equal without parsing.
 *
 * <p>Thread-safe: the tree is built at most once (double-checked under this object's lock), so
 * every caller gets the same tree instance. Like any {@link JsonNode} handed out, it must not be
 * mutated while the message is in use.
 */
public final class LazyJson {

    /** The value's bytes when decoded; null when built from a tree. */
    private final byte[] raw;
    /** Parses {@link #raw} (the codec's tree reader); null when built from a tree. */
    private final ObjectReader reader;
    private volatile JsonNode tree;

    private LazyJson(byte[] raw, ObjectReader reader, JsonNode tree) {
        this.raw = raw;
        this.reader = reader;
        this.tree = tree;
    }

    /** A value built from a tree; null stays null (an absent value). */
    public static LazyJson of(JsonNode tree) {
        return tree == null ? null : new LazyJson(null, null, tree);
    }

    /**
     * A value kept as bytes {@code [from, to)} of {@code line} (copied). Only for the parser, which
     * has checked that they are one valid JSON value.
     */
    static LazyJson raw(byte[] line, int from, int to, ObjectReader reader) {
        return new LazyJson(Arrays.copyOfRange(line, from, to), reader, null);
    }

    /** The value as a tree: parsed on the first call if it was decoded, then cached. */
    public JsonNode tree() {
        JsonNode t = tree;
        if (t == null) {
            synchronized (this) {
                t = tree;
                if (t == null) {
                    try {
                        t = reader.readTree(raw);
                    } catch (IOException e) {
                        // Cannot happen: the parser checked these bytes with the same limits.
                        throw new UncheckedIOException("a decoded JSON value no longer parses", e);
                    }
                    tree = t;
                }
            }
        }
        return t;
    }

    /** True while the value is held as decoded bytes and has not been parsed yet. */
    public boolean isUnparsed() {
        return raw != null && tree == null;
    }

    /**
     * The value as UTF-8 JSON: a copy of the bytes as received when it was decoded, else the tree
     * written compactly.
     */
    public byte[] toBytes() {
        if (raw != null) {
            return raw.clone();
        }
        try {
            return Json.WRITER.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the value: raw bytes as they are, without parsing them; a tree as Jackson writes it. */
    public void write(JsonGenerator g) throws IOException {
        if (raw != null) {
            g.writeRawValue(new RawUtf8(raw));
        } else {
            g.writeTree(tree);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LazyJson)) {
            return false;
        }
        LazyJson other = (LazyJson) o;
        if (raw != null && other.raw != null && Arrays.equals(raw, other.raw)) {
            return true; // same bytes, same tree
        }
        return tree().equals(other.tree());
    }

    @Override
    public int hashCode() {
        return tree().hashCode();
    }

    /** The value as compact JSON (from the tree, so that equal values print alike). */
    @Override
    public String toString() {
        return tree().toString();
    }

    /** Writes the tree of a value built by a caller, for {@link #toBytes()}. */
    private static final class Json {
        static final ObjectMapper WRITER = new ObjectMapper();
    }

    /**
     * Raw UTF-8 bytes for {@link JsonGenerator#writeRawValue(SerializableString)}: the byte
     * generator copies them straight into its buffer; the quoted forms are never used for a raw
     * value but are implemented for completeness.
     */
    private static final class RawUtf8 implements SerializableString {
        private final byte[] bytes;
        private String value;

        RawUtf8(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public String getValue() {
            if (value == null) {
                value = new String(bytes, StandardCharsets.UTF_8);
            }
            return value;
        }

        @Override
        public int charLength() {
            return getValue().length();
        }

        @Override
        public byte[] asUnquotedUTF8() {
            return bytes;
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int offset) {
            if (offset + bytes.length > buffer.length) {
                return -1;
            }
            System.arraycopy(bytes, 0, buffer, offset, bytes.length);
            return bytes.length;
        }

        @Override
        public int appendUnquoted(char[] buffer, int offset) {
            String s = getValue();
            if (offset + s.length() > buffer.length) {
                return -1;
            }
            s.getChars(0, s.length(), buffer, offset);
            return s.length();
        }

        @Override
        public int writeUnquotedUTF8(OutputStream out) throws IOException {
            out.write(bytes);
            return bytes.length;
        }

        @Override
        public int putUnquotedUTF8(ByteBuffer out) {
            if (out.remaining() < bytes.length) {
                return -1;
            }
            out.put(bytes);
            return bytes.length;
        }

        private SerializedString quoted() {
            return new SerializedString(getValue());
        }

        @Override
        public char[] asQuotedChars() {
            return quoted().asQuotedChars();
        }

        @Override
        public byte[] asQuotedUTF8() {
            return quoted().asQuotedUTF8();
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int offset) {
            return quoted().appendQuotedUTF8(buffer, offset);
        }

        @Override
        public int appendQuoted(char[] buffer, int offset) {
            return quoted().appendQuoted(buffer, offset);
        }

        @Override
        public int writeQuotedUTF8(OutputStream out) throws IOException {
            return quoted().writeQuotedUTF8(out);
        }

        @Override
        public int putQuotedUTF8(ByteBuffer buffer) {
            return quoted().putQuotedUTF8(buffer);
        }

        @Override
        public String toString() {
            return getValue();
        }
    }
}
