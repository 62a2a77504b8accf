package dev.guardian.process.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Copies a stream (an agent's stderr) into a file that rotates by size: {@code name} is current,
 * {@code name.1} the previous, up to {@code keep} old files. Written by hand because Logback's
 * rolling appender rolls log events, not a raw byte stream, and we must not re-frame what the agent
 * wrote. Used by one pumping thread.
 */
public final class RotatingLog {

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private OutputStream out;
    private long written;

    public RotatingLog(Path file, long maxBytes, int keep) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.written = Files.exists(file) ? Files.size(file) : 0;
        this.out = open();
    }

    /** Copies until the stream ends; never throws (a failing disk must not kill the agent). */
    public void pump(InputStream in) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                write(buf, n);
            }
        } catch (IOException ignored) {
            // The agent is gone or the disk failed; what was written stays.
        } finally {
            try {
                out.close();
            } catch (IOException ignored) {
                // Nothing more to save.
            }
        }
    }

    private void write(byte[] buf, int n) throws IOException {
        int off = 0;
        while (off < n) {
            long room = maxBytes - written;
            if (room <= 0) {
                rotate();
                room = maxBytes;
            }
            int take = (int) Math.min(n - off, room);
            if (take < n - off) {
                // Cut at the last newline that fits, so lines stay whole where they can.
                int cut = lastNewline(buf, off, off + take);
                if (cut >= 0) {
                    take = cut - off + 1;
                } else if (written > 0) {
                    rotate();
                    continue;
                }
            }
            out.write(buf, off, take);
            written += take;
            off += take;
        }
        out.flush();
    }

    private static int lastNewline(byte[] buf, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void rotate() throws IOException {
        out.close();
        for (int i = keep - 1; i >= 1; i--) {
            Path older = Path.of(file + "." + i);
            if (Files.exists(older)) {
                Files.move(older, Path.of(file + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, Path.of(file + ".1"), StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(Path.of(file + "." + (keep + 1)));
        written = 0;
        out = open();
    }

    private OutputStream open() throws IOException {
        return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
