package dev.guardian.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes messages to one stream, one line each. Thread-safe: a whole line is written under this
 * writer's lock, so lines from several threads never interleave.
 */
public final class ProtocolWriter implements AutoCloseable {

    private final Codec codec;
    private final OutputStream out;
    private ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);

    ProtocolWriter(Codec codec, OutputStream out) {
        this.codec = codec;
        this.out = out;
    }

    /** Writes and flushes one message. */
    public synchronized void write(Message message) throws IOException {
        writeBuffered(message);
        out.flush();
    }

    /** Writes one message without flushing, for pipelining; call {@link #flush()} after a batch. */
    public synchronized void writeBuffered(Message message) throws IOException {
        buffer.reset();
        codec.writeTo(message, buffer);
        buffer.write('\n');
        buffer.writeTo(out);
        if (buffer.size() > 1024 * 1024) {
            // Do not keep a huge buffer alive because of one large checkpoint.
            buffer = new ByteArrayOutputStream(1024);
        }
    }

    /** Writes raw bytes as they are (used to test how a peer handles a bad line). */
    public synchronized void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
