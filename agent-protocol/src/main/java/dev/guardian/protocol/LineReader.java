package dev.guardian.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines with a hard bound on memory: a line longer than
 * {@code maxLineBytes} is skipped up to its newline without ever being held whole, and reported
 * as {@link Result#TOO_LONG}. Not thread-safe: one reader thread per stream.
 *
 * <p>Written by hand because no JDK or Jackson reader bounds a line's length without buffering
 * it: {@code BufferedReader.readLine} holds the whole line, and Jackson's root-value reader holds a
 * whole value.
 */
public final class LineReader {

    /** What {@link #next()} found. */
    public enum Result {
        /** A line is in {@link #buffer()}, {@link #length()} bytes, without its line terminator. */
        LINE,
        /** A line longer than the maximum was skipped; its first bytes are in {@link #buffer()}. */
        TOO_LONG,
        /** End of stream; no more lines. */
        END
    }

    private static final int READ_CHUNK = 64 * 1024;
    private static final int INITIAL_LINE = 1024;

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] chunk = new byte[READ_CHUNK];
    private int chunkPos;
    private int chunkLimit;
    private byte[] line = new byte[INITIAL_LINE];
    private int lineLength;
    /** Length of the current line so far once it is being skipped (0 while it fits). */
    private long skippedLength;
    private boolean ended;

    public LineReader(InputStream in, int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be >= 1, but was " + maxLineBytes);
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Reads the next line. A final line without a newline is returned as a line. A {@code \r}
     * before the newline is dropped.
     *
     * @throws IOException only when the underlying stream fails
     */
    public Result next() throws IOException {
        lineLength = 0;
        skippedLength = 0;
        boolean skipping = false;
        while (true) {
            if (chunkPos == chunkLimit) {
                if (ended || !fill()) {
                    ended = true;
                    if (skipping) {
                        return Result.TOO_LONG;
                    }
                    return lineLength > 0 ? Result.LINE : Result.END;
                }
            }
            int start = chunkPos;
            int nl = indexOfNewline(chunk, start, chunkLimit);
            int end = nl >= 0 ? nl : chunkLimit;
            int segment = end - start;
            chunkPos = nl >= 0 ? nl + 1 : chunkLimit;
            if (skipping) {
                skippedLength += segment;
            } else if (lineLength + segment > maxLineBytes) {
                // Keep only a quotable prefix, then count the rest without storing it.
                int keep = Math.max(0, Math.min(segment, ProtocolError.QUOTE_BYTES - lineLength));
                append(start, keep);
                skippedLength = (long) lineLength - keep + segment;
                skipping = true;
            } else {
                append(start, segment);
            }
            if (nl >= 0) {
                if (skipping) {
                    return Result.TOO_LONG;
                }
                if (lineLength > 0 && line[lineLength - 1] == '\r') {
                    lineLength--;
                }
                return Result.LINE;
            }
        }
    }

    /** The bytes of the last line (or, after {@link Result#TOO_LONG}, of its quotable prefix). */
    public byte[] buffer() {
        return line;
    }

    /** Bytes of the last line in {@link #buffer()}. */
    public int length() {
        return lineLength;
    }

    /** The full length of the last line, including what was skipped. */
    public long fullLength() {
        return skippedLength > 0 ? skippedLength : lineLength;
    }

    /** Bytes this reader holds now; never more than the maximum line size plus one read chunk. */
    public long retainedBytes() {
        return (long) line.length + chunk.length;
    }

    public int maxLineBytes() {
        return maxLineBytes;
    }

    private boolean fill() throws IOException {
        int n = in.read(chunk, 0, chunk.length);
        if (n <= 0) {
            // A zero-length read from a blocking stream would spin; treat it, like -1, as the end.
            return false;
        }
        chunkPos = 0;
        chunkLimit = n;
        return true;
    }

    private void append(int from, int count) {
        if (count <= 0) {
            return;
        }
        int needed = lineLength + count;
        if (needed > line.length) {
            int grown = (int) Math.min((long) maxLineBytes, Math.max((long) line.length * 2, needed));
            line = Arrays.copyOf(line, grown);
        }
        System.arraycopy(chunk, from, line, lineLength, count);
        lineLength = needed;
    }

    private static int indexOfNewline(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
