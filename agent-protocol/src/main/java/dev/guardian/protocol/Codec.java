package dev.guardian.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.guardian.protocol.internal.MessageParser;
import dev.guardian.protocol.internal.MessageWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Encodes and decodes protocol lines. Immutable and thread-safe; readers and writers it creates
 * belong to one stream each.
 */
public final class Codec {

    /** Default maximum line size, both directions (docs/protocol.md §1). */
    public static final int DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
    /** Deeper JSON is rejected as malformed. */
    public static final int MAX_NESTING_DEPTH = 1000;
    private static final int MAX_NUMBER_LENGTH = 1000;

    private final int maxLineBytes;
    private final ObjectMapper mapper;
    private final MessageParser parser;

    private Codec(int maxLineBytes) {
        if (maxLineBytes < 64) {
            throw new IllegalArgumentException("protocol.max_line_bytes must be >= 64, but was " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .maxStringLength(maxLineBytes)
                        .build())
                .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET)
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        this.parser = new MessageParser(mapper);
    }

    public static Codec ofDefaults() {
        return new Codec(DEFAULT_MAX_LINE_BYTES);
    }

    /** A codec whose readers skip lines longer than {@code maxLineBytes}. */
    public static Codec withMaxLineBytes(int maxLineBytes) {
        return new Codec(maxLineBytes);
    }

    public int maxLineBytes() {
        return maxLineBytes;
    }

    /** The mapper behind this codec, to build payload trees that it writes as they are. */
    public ObjectMapper mapper() {
        return mapper;
    }

    /** The message as one line, newline included. */
    public byte[] encode(Message message) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(256)) {
            writeTo(message, out);
            out.write('\n');
            return out.toByteArray();
        }
    }

    /** Writes the message without its newline. */
    void writeTo(Message message, OutputStream out) {
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            MessageWriter.write(message, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes one line (without its newline). Never throws: a bad line is a {@link Frame.Rejected}. */
    public Frame decode(byte[] line, int offset, int length) {
        return parser.parse(line, offset, length);
    }

    public Frame decode(byte[] line) {
        return decode(line, 0, line.length);
    }

    public ProtocolReader reader(InputStream in) {
        return new ProtocolReader(new LineReader(in, maxLineBytes), parser);
    }

    public ProtocolWriter writer(OutputStream out) {
        return new ProtocolWriter(this, out);
    }
}
