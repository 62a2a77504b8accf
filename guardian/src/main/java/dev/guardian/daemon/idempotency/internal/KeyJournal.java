package dev.guardian.daemon.idempotency.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotency keys on disk: append-only segment files {@code keys-NNNNNNNN.log} of checksummed
 * records, fsynced in batches. A batch ends with a {@link Kind#MARK} that names the WAL sequence up to
 * which every keyed event is in the journal; after a crash, the WAL is read only after the last mark
 * that was read back whole. Records after a torn or damaged record are not trusted (the file is cut
 * there at open): a mark is only believed if every record before it checked out.
 *
 * <p>Written by hand because it is small and must be exactly this: no embedded store on this
 * machine's list is both crash-safe and cheap to open (MapDB is not crash-safe; H2 or SQLite would
 * add a second database beside the WAL for a list of keys).
 *
 * <p>Record: {@code int length, int crc32c(body), body}; body: {@code byte kind, long walSeq, long
 * requestSeq, long timeMillis, long payloadHash, short keyLength, key (UTF-8), data}. Data is the
 * answer's JSON for {@link Kind#ANSWER}, the reason for {@link Kind#POISON}, empty otherwise.
 *
 * <p>Threading: one writer thread appends and syncs; any thread may {@link #read} an answer.
 */
public final class KeyJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KeyJournal.class);
    private static final int HEADER = 8;
    private static final int FIXED_BODY = 1 + 8 + 8 + 8 + 8 + 2;
    /** A record longer than this is damage, not data (answers are bounded by the protocol's line limit). */
    private static final int MAX_RECORD = 1 << 30;
    private static final String PREFIX = "keys-";
    private static final String SUFFIX = ".log";
    private static final byte[] EMPTY = new byte[0];
    private static final int BUFFER_BYTES = 1 << 20;

    /** What a record says. */
    public enum Kind {
        /** A keyed request was logged with this sequence. */
        REQUEST,
        /** Its answer (the WAL's response record). */
        ANSWER,
        /** It was set aside as poison. */
        POISON,
        /** Every keyed event up to {@code walSeq} is in the journal. */
        MARK;

        static Kind of(byte b) {
            Kind[] all = values();
            return b >= 0 && b < all.length ? all[b] : null;
        }
    }

    /** One record as read back; {@code ref} locates it for {@link #read}. */
    public record Entry(Kind kind, long walSeq, long requestSeq, long timeMillis, long payloadHash, String key, byte[] data,
            long ref) {
    }

    /** What opening found. */
    public record Loaded(long coveredSeq, long records, long damaged) {
    }

    private final Path dir;
    private final long segmentBytes;
    /** Open segments by number; the last one is written. Guarded by {@code this}. */
    private final TreeMap<Integer, Segment> segments = new TreeMap<>();
    private final CRC32C crc = new CRC32C();
    private ByteBuffer buffer = ByteBuffer.allocate(64 << 10);

    /** A segment: its channel, and what pruning needs to know of it. */
    private static final class Segment {
        final Path path;
        final FileChannel channel;
        long size;
        long newestMillis;
        long requests;

        Segment(Path path, FileChannel channel, long size) {
            this.path = path;
            this.channel = channel;
            this.size = size;
        }
    }

    private KeyJournal(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Opens the journal in {@code dir} (created if missing), reading every record to {@code each}
     * in order. A damaged record ends its segment: the file is cut there.
     */
    public static KeyJournal open(Path dir, long segmentBytes, java.util.function.Consumer<Entry> each) throws IOException {
        Files.createDirectories(dir);
        KeyJournal j = new KeyJournal(dir, segmentBytes);
        j.loaded = j.load(each);
        return j;
    }

    private Loaded loaded;

    public Loaded loaded() {
        return loaded;
    }

    private Loaded load(java.util.function.Consumer<Entry> each) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            s.forEach(files::add);
        }
        files.sort(null);
        long covered = 0;
        long records = 0;
        long damaged = 0;
        for (Path f : files) {
            int number = number(f);
            if (number < 0) {
                continue;
            }
            FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Segment seg = new Segment(f, ch, 0);
            long fileSize = ch.size();
            // Read through a mapping, not a pread per record: 100 000 keys loaded in ~1 s with two preads
            // per record (bench/idempotency.sh), a start must not wait for that.
            ByteBuffer in = fileSize == 0 ? ByteBuffer.allocate(0) : ch.map(FileChannel.MapMode.READ_ONLY, 0, fileSize);
            long pos = 0;
            CRC32C sum = new CRC32C();
            ByteBuffer view = in.duplicate(); // one view, moved along: no allocation per record
            while (pos + HEADER <= fileSize) {
                int p = (int) pos;
                int length = in.getInt(p);
                int expected = in.getInt(p + 4);
                if (length < FIXED_BODY || length > MAX_RECORD || pos + HEADER + length > fileSize) {
                    break;
                }
                sum.reset();
                view.limit(p + HEADER + length).position(p + HEADER);
                sum.update(view);
                view.position(p + HEADER);
                Entry e = (int) sum.getValue() != expected ? null : decode(view, ref(number, pos), false);
                if (e == null) {
                    break;
                }
                records++;
                seg.newestMillis = Math.max(seg.newestMillis, e.timeMillis());
                if (e.kind() == Kind.MARK) {
                    covered = Math.max(covered, e.walSeq());
                } else {
                    if (e.kind() == Kind.REQUEST) {
                        seg.requests++;
                    }
                    each.accept(e);
                }
                pos += HEADER + length;
            }
            if (pos < fileSize) {
                boolean zeros = allZero(ch, pos, fileSize);
                if (!zeros) {
                    damaged++;
                    LOG.warn("idempotency journal {}: damaged or torn record at byte {} of {}; cut there (the WAL after the "
                            + "last good mark fills in what is missing)", f.getFileName(), pos, fileSize);
                }
                ch.truncate(pos);
                ch.force(true);
            }
            seg.size = pos;
            segments.put(number, seg);
        }
        if (segments.isEmpty()) {
            roll(1);
        }
        return new Loaded(covered, records, damaged);
    }

    /** Appends a record (buffered until {@link #sync}); returns its ref. Writer thread. */
    public synchronized long append(Kind kind, long walSeq, long requestSeq, long timeMillis, long payloadHash, String key,
            byte[] data) {
        try {
            return appendLocked(kind, walSeq, requestSeq, timeMillis, payloadHash, key, data);
        } catch (IOException e) {
            throw new UncheckedIOException("idempotency journal: cannot write to " + dir, e);
        }
    }

    private long appendLocked(Kind kind, long walSeq, long requestSeq, long timeMillis, long payloadHash, String key,
            byte[] data) throws IOException {
        byte[] k = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
        if (k.length > 0xFFFF) {
            throw new IllegalArgumentException("an idempotency key of " + k.length + " bytes does not fit the journal");
        }
        byte[] d = data == null ? new byte[0] : data;
        int length = FIXED_BODY + k.length + d.length;
        Segment seg = segments.lastEntry().getValue();
        if (seg.size + buffer.position() + HEADER + length > segmentBytes && seg.size + buffer.position() > 0) {
            seg = rollLocked();
        }
        if (buffer.position() > BUFFER_BYTES) {
            flushLocked(); // written, not yet forced: the buffer stays small however large a batch is
        }
        ensure(HEADER + length);
        int start = buffer.position();
        buffer.putInt(length).putInt(0);
        buffer.put((byte) kind.ordinal()).putLong(walSeq).putLong(requestSeq).putLong(timeMillis).putLong(payloadHash)
                .putShort((short) k.length).put(k).put(d);
        crc.reset();
        crc.update(buffer.array(), start + HEADER, length);
        buffer.putInt(start + 4, (int) crc.getValue());
        long ref = ref(segments.lastKey(), seg.size + start);
        seg.newestMillis = Math.max(seg.newestMillis, timeMillis);
        if (kind == Kind.REQUEST) {
            seg.requests++;
        }
        return ref;
    }

    /** Writes what is buffered, then a mark for {@code coveredSeq}, and forces both to disk. Writer thread. */
    public synchronized void sync(long coveredSeq, long nowMillis) throws IOException {
        append(Kind.MARK, coveredSeq, 0, nowMillis, 0, null, null);
        flushLocked();
        segments.lastEntry().getValue().channel.force(false);
    }

    private void flushLocked() throws IOException {
        if (buffer.position() == 0) {
            return;
        }
        Segment seg = segments.lastEntry().getValue();
        buffer.flip();
        while (buffer.hasRemaining()) {
            seg.size += seg.channel.write(buffer, seg.size);
        }
        buffer.clear();
    }

    /** The answer (or poison reason) stored at {@code ref}, if it is still there and is for {@code key}. */
    public Entry read(long ref, String key) {
        Segment seg;
        synchronized (this) {
            seg = segments.get((int) (ref >>> 40));
        }
        if (seg == null) {
            return null; // pruned
        }
        long pos = ref & ((1L << 40) - 1);
        try {
            ByteBuffer head = ByteBuffer.allocate(HEADER);
            readFully(seg.channel, head, pos);
            int length = head.getInt(0);
            if (length < FIXED_BODY || length > MAX_RECORD) {
                return null;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            readFully(seg.channel, body, pos + HEADER);
            if (checksum(body.array(), length) != head.getInt(4)) {
                return null;
            }
            Entry e = decode(ByteBuffer.wrap(body.array(), 0, length), ref, true);
            return e != null && key.equals(e.key()) ? e : null;
        } catch (IOException | RuntimeException e) {
            LOG.warn("idempotency journal: cannot read the answer for key {} at {}: {}", key, ref, e.toString());
            return null;
        }
    }

    /**
     * Deletes the oldest segments whose records are all older than {@code oldestMillis}, or whose
     * requests are beyond the newest {@code maxKeys}. Never the segment being written. Writer thread.
     *
     * @return how many segments were deleted
     */
    public synchronized int prune(long oldestMillis, long maxKeys) throws IOException {
        long newer = 0;
        for (Segment s : segments.values()) {
            newer += s.requests;
        }
        int deleted = 0;
        while (segments.size() > 1) {
            var first = segments.firstEntry();
            Segment s = first.getValue();
            newer -= s.requests;
            if (s.newestMillis >= oldestMillis && newer < maxKeys) {
                break;
            }
            segments.remove(first.getKey());
            s.channel.close();
            Files.deleteIfExists(s.path);
            deleted++;
        }
        return deleted;
    }

    /** Bytes on disk, for status and the cost measurement. */
    public synchronized long bytes() {
        long total = buffer.position();
        for (Segment s : segments.values()) {
            total += s.size;
        }
        return total;
    }

    public synchronized int segmentCount() {
        return segments.size();
    }

    @Override
    public synchronized void close() {
        try {
            flushLocked();
        } catch (IOException e) {
            LOG.warn("idempotency journal: could not write its last records: {}", e.toString());
        }
        for (Segment s : segments.values()) {
            try {
                s.channel.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", s.path, e.toString());
            }
        }
        segments.clear();
    }

    private Segment rollLocked() {
        try {
            flushLocked();
            segments.lastEntry().getValue().channel.force(false);
            return roll(segments.lastKey() + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("idempotency journal: cannot start a new segment in " + dir, e);
        }
    }

    private Segment roll(int number) throws IOException {
        Path p = dir.resolve(String.format("%s%08d%s", PREFIX, number, SUFFIX));
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Segment seg = new Segment(p, ch, ch.size());
        segments.put(number, seg);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // the new file's name is durable before records in it are counted on
        }
        return seg;
    }

    private void ensure(int more) {
        if (buffer.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + more));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
    }

    /** A record's body; an answer's data only {@code withAnswer} (a start needs only where it is). */
    private static Entry decode(ByteBuffer in, long ref, boolean withAnswer) {
        Kind kind = Kind.of(in.get());
        if (kind == null) {
            return null;
        }
        long walSeq = in.getLong();
        long requestSeq = in.getLong();
        long time = in.getLong();
        long hash = in.getLong();
        int keyLength = Short.toUnsignedInt(in.getShort());
        if (keyLength > in.remaining()) {
            return null;
        }
        String key = null;
        if (keyLength > 0 || kind != Kind.MARK) {
            byte[] k = new byte[keyLength];
            in.get(k);
            key = new String(k, StandardCharsets.UTF_8);
        }
        byte[] data = in.remaining() == 0 || kind == Kind.ANSWER && !withAnswer ? EMPTY : new byte[in.remaining()];
        in.get(data);
        return new Entry(kind, walSeq, requestSeq, time, hash, key, data, ref);
    }

    private static int checksum(byte[] b, int length) {
        CRC32C c = new CRC32C();
        c.update(b, 0, length);
        return (int) c.getValue();
    }

    private static long ref(int segment, long pos) {
        return ((long) segment << 40) | pos;
    }

    private static int number(Path f) {
        String n = f.getFileName().toString();
        try {
            return Integer.parseInt(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static boolean allZero(FileChannel ch, long from, long to) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8192);
        for (long pos = from; pos < to; ) {
            b.clear();
            int n = ch.read(b, pos);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (b.get(i) != 0) {
                    return false;
                }
            }
            pos += n;
        }
        return true;
    }
}
