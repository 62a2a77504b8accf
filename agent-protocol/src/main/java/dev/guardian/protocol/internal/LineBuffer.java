package dev.guardian.protocol.internal;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Collects one encoded message and hands it back as a line, newline included. The generator
 * buffers a typical message whole and writes it here once, at close: this buffer is then sized
 * exactly on that write and returned without a copy (a {@code ByteArrayOutputStream} would
 * allocate a block up front and copy it again at the end). Not thread-safe: one per message.
 */
public final class LineBuffer extends OutputStream {

    private static final byte[] EMPTY = new byte[0];

    private byte[] bytes = EMPTY;
    private int length;

    @Override
    public void write(int b) {
        ensureRoom(1);
        bytes[length++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensureRoom(len);
        System.arraycopy(b, off, bytes, length, len);
        length += len;
    }

    /** The bytes written, followed by a newline. */
    public byte[] line() {
        ensureRoom(0);
        bytes[length] = '\n';
        return length + 1 == bytes.length ? bytes : Arrays.copyOf(bytes, length + 1);
    }

    /** Keeps room for {@code n} more bytes and the newline. */
    private void ensureRoom(int n) {
        long needed = (long) length + n + 1;
        if (needed > bytes.length) {
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("a message of more than 2 GB cannot be one line");
            }
            int grown = length == 0 ? (int) needed : (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 8, 2L * bytes.length));
            bytes = Arrays.copyOf(bytes, grown);
        }
    }
}
