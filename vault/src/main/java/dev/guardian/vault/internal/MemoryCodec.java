package dev.guardian.vault.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Pure functions from memory bytes to stored bytes and back: CRC32C checksum over the
 * uncompressed memory, optional deflate, chunking. No state, no locks: callers run it outside
 * the vault's lock.
 */
final class MemoryCodec {
    static final String NONE = "none";
    static final String DEFLATE = "deflate";
    static final String CRC32C_PREFIX = "crc32c:";
    /** Deflate a sample first: incompressible memory (already compressed, random) is stored as is. */
    private static final int SAMPLE = 64 * 1024;
    private static final double WORTH_IT = 0.9;

    /** Stored form of one memory: compression name and the chunks to put in the map. */
    record Encoded(String checksum, String compression, long storedSize, List<byte[]> chunks) {
    }

    private MemoryCodec() {
    }

    static String checksum(byte[] memory) {
        CRC32C crc = new CRC32C();
        crc.update(memory, 0, memory.length);
        return CRC32C_PREFIX + String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    static Encoded encode(byte[] memory, int compressThreshold, int chunkSize) {
        String checksum = checksum(memory);
        byte[] stored = memory;
        String compression = NONE;
        if (memory.length >= compressThreshold && memory.length > 0 && worthCompressing(memory)) {
            byte[] deflated = deflate(memory, memory.length);
            if (deflated.length < memory.length * WORTH_IT) {
                stored = deflated;
                compression = DEFLATE;
            }
        }
        List<byte[]> chunks = new ArrayList<>(stored.length / chunkSize + 1);
        if (stored.length <= chunkSize) {
            chunks.add(stored);
        } else {
            for (int off = 0; off < stored.length; off += chunkSize) {
                chunks.add(Arrays.copyOfRange(stored, off, Math.min(stored.length, off + chunkSize)));
            }
        }
        return new Encoded(checksum, compression, stored.length, chunks);
    }

    private static boolean worthCompressing(byte[] memory) {
        if (memory.length <= SAMPLE * 2) {
            return true;
        }
        return deflate(memory, SAMPLE).length < SAMPLE * WORTH_IT;
    }

    private static byte[] deflate(byte[] data, int len) {
        Deflater d = new Deflater(Deflater.BEST_SPEED);
        try {
            d.setInput(data, 0, len);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, len / 4));
            byte[] buf = new byte[Math.min(1 << 20, Math.max(4096, len / 4))];
            while (!d.finished()) {
                int n = d.deflate(buf);
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    /**
     * Turns stored chunks back into verified memory.
     *
     * @throws CorruptException with the reason when anything does not match
     */
    static byte[] decode(List<byte[]> chunks, String compression, long storedSize, long size, String checksum)
            throws CorruptException {
        long total = 0;
        for (byte[] c : chunks) {
            total += c.length;
        }
        if (total != storedSize) {
            throw new CorruptException("stored size is " + total + " bytes, metadata says " + storedSize);
        }
        byte[] stored;
        if (chunks.size() == 1) {
            stored = chunks.get(0);
        } else {
            stored = new byte[(int) total];
            int off = 0;
            for (byte[] c : chunks) {
                System.arraycopy(c, 0, stored, off, c.length);
                off += c.length;
            }
        }
        byte[] memory;
        switch (compression) {
            case NONE -> memory = stored;
            case DEFLATE -> memory = inflate(stored, size);
            default -> throw new CorruptException("unknown compression '" + compression + "'");
        }
        if (memory.length != size) {
            throw new CorruptException("memory is " + memory.length + " bytes, metadata says " + size);
        }
        String actual = checksum(memory);
        if (!actual.equals(checksum)) {
            throw new CorruptException("checksum mismatch: stored " + checksum + ", computed " + actual);
        }
        return memory;
    }

    private static byte[] inflate(byte[] stored, long size) throws CorruptException {
        if (size > Integer.MAX_VALUE - 64) {
            throw new CorruptException("metadata size " + size + " is impossible");
        }
        Inflater inf = new Inflater();
        try {
            inf.setInput(stored);
            byte[] out = new byte[(int) size];
            int off = 0;
            while (off < out.length) {
                int n = inf.inflate(out, off, out.length - off);
                if (n == 0) {
                    break;
                }
                off += n;
            }
            if (off != out.length || !inf.finished()) {
                throw new CorruptException("compressed bytes inflate to " + (inf.finished() ? off : "more than " + off)
                        + " bytes, metadata says " + size);
            }
            return out;
        } catch (DataFormatException e) {
            throw new CorruptException("compressed bytes are damaged (" + e.getMessage() + ")");
        } finally {
            inf.end();
        }
    }

    /** A checked reason for corruption, turned into an event and a VaultException by the vault. */
    static final class CorruptException extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptException(String message) {
            super(message);
        }
    }
}
