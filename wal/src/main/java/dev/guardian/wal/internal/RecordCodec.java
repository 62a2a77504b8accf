package dev.guardian.wal.internal;

import dev.guardian.wal.WalRecord;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The record format inside one Chronicle document (all integers big-endian):
 *
 * <pre>
 *   int   magic      0x47570001 ("GW", format 1)
 *   long  sequence
 *   long  timeMicros
 *   u8    typeLength      then that many UTF-8 bytes
 *   u8    instanceLength  then that many UTF-8 bytes
 *   u8    versionLength   then that many UTF-8 bytes
 *   int   payloadLength   then that many bytes
 *   int   crc32c     over every byte above
 * </pre>
 *
 * Chronicle's document header (length + "complete" bit, written last) keeps a half-written document
 * invisible to readers; the CRC catches what framing cannot (e.g. pages lost by an OS crash).
 * Not thread-safe: one codec per writer (guarded by its lock) or per cursor.
 */
final class RecordCodec {
    static final int MAGIC = 0x47570001;
    static final int FIXED_BYTES = 4 + 8 + 8 + 1 + 1 + 1 + 4 + 4;

    private byte[] buf = new byte[256];
    private final CRC32C crc = new CRC32C();

    static byte[] tag(String name, String value, boolean required) {
        String v = value == null ? "" : value;
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        if (b.length > 255) {
            throw new IllegalArgumentException(name + " must be at most 255 UTF-8 bytes, but was " + b.length);
        }
        if (required && b.length == 0) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return b;
    }

    static int encodedLength(byte[] type, byte[] instance, byte[] version, byte[] payload) {
        return FIXED_BYTES + type.length + instance.length + version.length + payload.length;
    }

    /** Encodes into this codec's buffer; returns the buffer (valid up to {@code encodedLength}). */
    byte[] encode(long seq, long timeMicros, byte[] type, byte[] instance, byte[] version, byte[] payload) {
        int len = encodedLength(type, instance, version, payload);
        ensure(len);
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
        bb.putInt(MAGIC).putLong(seq).putLong(timeMicros);
        bb.put((byte) type.length).put(type);
        bb.put((byte) instance.length).put(instance);
        bb.put((byte) version.length).put(version);
        bb.putInt(payload.length).put(payload);
        crc.reset();
        crc.update(buf, 0, len - 4);
        bb.putInt((int) crc.getValue());
        return buf;
    }

    byte[] buffer(int len) {
        ensure(len);
        return buf;
    }

    /** Decodes {@code len} bytes of the buffer, or returns {@code null} if they are not a valid record. */
    WalRecord decode(int len) {
        if (len < FIXED_BYTES) {
            return null;
        }
        crc.reset();
        crc.update(buf, 0, len - 4);
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
        if (bb.getInt(len - 4) != (int) crc.getValue() || bb.getInt() != MAGIC) {
            return null;
        }
        try {
            long seq = bb.getLong();
            long time = bb.getLong();
            String type = string(bb);
            String instance = string(bb);
            String version = string(bb);
            int plen = bb.getInt();
            if (plen < 0 || plen != bb.remaining() - 4) {
                return null;
            }
            byte[] payload = new byte[plen];
            bb.get(payload);
            return new WalRecord(seq, time, type, instance, version, payload);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String string(ByteBuffer bb) {
        int n = bb.get() & 0xff;
        if (n > bb.remaining()) {
            throw new BufferUnderflowException();
        }
        String s = new String(bb.array(), bb.position(), n, StandardCharsets.UTF_8);
        bb.position(bb.position() + n);
        return s;
    }

    private void ensure(int len) {
        if (buf.length < len) {
            buf = new byte[Math.max(len, buf.length * 2)];
        }
    }
}
