package dev.guardian.protocol;

import dev.guardian.protocol.internal.MessageParser;
import java.io.IOException;

/**
 * Reads frames from one stream: messages, rejected lines and the end. Never throws; memory is
 * bounded by the codec's maximum line size. Not thread-safe: one reading thread per stream.
 */
public final class ProtocolReader {

    private final LineReader lines;
    private final MessageParser parser;

    ProtocolReader(LineReader lines, MessageParser parser) {
        this.lines = lines;
        this.parser = parser;
    }

    /** Blocks for the next frame. Blank lines are skipped. After a {@link Frame.Closed}, returns it again. */
    public Frame next() {
        while (true) {
            LineReader.Result r;
            try {
                r = lines.next();
            } catch (IOException | RuntimeException e) {
                return new Frame.Closed("read failed: " + e);
            }
            switch (r) {
                case END:
                    return new Frame.Closed(null);
                case TOO_LONG:
                    return new Frame.Rejected(new ProtocolError(ProtocolError.Kind.LINE_TOO_LONG,
                            "line of " + lines.fullLength() + " bytes exceeds the maximum of " + lines.maxLineBytes(),
                            ProtocolError.quote(lines.buffer(), 0, lines.length()), lines.fullLength()));
                default:
                    if (!isBlank(lines.buffer(), lines.length())) {
                        return parser.parse(lines.buffer(), 0, lines.length());
                    }
            }
        }
    }

    /** Bytes held by this reader; bounded by the maximum line size plus one read buffer. */
    public long retainedBytes() {
        return lines.retainedBytes();
    }

    private static boolean isBlank(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
    }
}
