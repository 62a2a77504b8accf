package dev.guardian.vault.internal;

import dev.guardian.vault.Checkpoint;
import dev.guardian.vault.CheckpointData;
import dev.guardian.vault.CheckpointId;
import dev.guardian.vault.DeploymentRecord;
import dev.guardian.vault.NewCheckpoint;
import dev.guardian.vault.ProofRecord;
import dev.guardian.vault.Tag;
import dev.guardian.vault.Vault;
import dev.guardian.vault.VaultConfig;
import dev.guardian.vault.VaultException;
import dev.guardian.vault.VaultException.Reason;
import dev.guardian.vault.VerifyResult;
import dev.guardian.vault.VersionRecord;
import dev.guardian.vault.event.VaultEvent;
import dev.guardian.vault.event.VaultListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vault as plain files, every change one atomic file replacement.
 *
 * <p>Layout of the vault directory:
 * <pre>
 * vault.format                      "guardian-vault/2": marks a vault; locked (FileChannel.tryLock) while open
 * checkpoints/ckpt-000042.ckpt      "GUARDIAN-CKPT 1\n" + metadata JSON line + "\n" + stored (maybe LZ4) memory
 * checkpoints/ckpt-000042.meta.json pin and tags, when changed after the save (a sidecar: pinning a 64 MB
 *                                   checkpoint rewrites ~100 bytes, not the checkpoint)
 * versions/ deployments/ proofs/    one JSON file per record, named by its (escaped) id
 * </pre>
 *
 * <p>Every write: temp file {@code .tmp-*} in the target's directory, {@code force(true)}, atomic
 * rename onto the final name, fsync of the directory. A reader (or a restart after kill -9) sees
 * either the old file or the complete new one, never a partial one; a kill leaves at worst a
 * {@code .tmp-*} file, deleted by the next open. {@code save} returns after the directory fsync,
 * so a returned checkpoint is durable.
 *
 * <p>Threading: writers are serialized by {@code writeLock} (their file I/O is the write being
 * committed; checksums and compression happen before taking it). The in-memory index is a
 * concurrent map: a checkpoint enters it only once durable and leaves it before its file is
 * deleted; readers take no lock and read files directly (a file pruned under a reader is reported as NOT_FOUND, as if it had been pruned
 * just before).
 */
public final class FileVault implements Vault {
    private static final Logger LOG = LoggerFactory.getLogger(FileVault.class);
    static final String FORMAT = "guardian-vault/2";
    static final String FORMAT_FILE = "vault.format";
    /** The MapDB file of format guardian-vault/1 (releases before the file storage). */
    static final String LEGACY_FILE = "vault.db";
    static final String TMP_PREFIX = ".tmp-";
    static final String MAGIC = "GUARDIAN-CKPT";
    static final int CKPT_FILE_VERSION = 1;
    private static final byte[] MAGIC_LINE = (MAGIC + " " + CKPT_FILE_VERSION + "\n").getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEADER = 64 * 1024;
    private static final int HEAD_GUESS = 4096;
    private static final Pattern CKPT_FILE = Pattern.compile("ckpt-(\\d{1,18})\\.ckpt");
    private static final Pattern SIDECAR_FILE = Pattern.compile("ckpt-(\\d{1,18})\\.meta\\.json");
    /** Vault directories open in this JVM: a second FileChannel on a locked file must never be closed (POSIX drops the lock). */
    private static final Set<Path> OPEN_HERE = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path key;
    private final Path checkpointsDir;
    private final Path versionsDir;
    private final Path deploymentsDir;
    private final Path proofsDir;
    private final VaultConfig config;
    private final Clock clock;
    private final VaultListener listener;
    private final FileChannel lockChannel;
    private final FileLock fileLock;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Durable checkpoints by seq (changed only under writeLock; added once durable, removed before deletion). */
    private final ConcurrentSkipListMap<Long, StoredMeta> index = new ConcurrentSkipListMap<>();
    /** Checkpoint files whose header or sidecar cannot be read, with the reason. */
    private final ConcurrentSkipListMap<Long, String> unreadable = new ConcurrentSkipListMap<>();
    /**
     * Highest id handed out; guarded by writeLock. At open: the highest id of any checkpoint file
     * (readable or not). Ids are never reused after pruning because retention never removes the
     * newest checkpoint of a lineage (keepLast >= 1), so the highest id always stays on disk.
     */
    private long lastId;
    private volatile boolean closed;
    /** Opened beside a writer in another process: no lock taken, nothing changed on disk. */
    private final boolean readOnly;

    private FileVault(Path dir, Path key, VaultConfig config, Clock clock, VaultListener listener,
                      FileChannel lockChannel, FileLock fileLock) {
        this.readOnly = lockChannel == null;
        this.dir = dir;
        this.key = key;
        this.checkpointsDir = dir.resolve("checkpoints");
        this.versionsDir = dir.resolve("versions");
        this.deploymentsDir = dir.resolve("deployments");
        this.proofsDir = dir.resolve("proofs");
        this.config = config;
        this.clock = clock;
        this.listener = listener;
        this.lockChannel = lockChannel;
        this.fileLock = fileLock;
    }

    public static Vault open(Path dir, VaultConfig config, Clock clock, VaultListener listener, boolean create) {
        Path formatFile = Vault.file(dir);
        if (!Files.isRegularFile(formatFile)) {
            if (Files.isRegularFile(dir.resolve(LEGACY_FILE))) {
                throw new VaultException(Reason.UNAVAILABLE, dir + " holds a MapDB vault (" + dir.resolve(LEGACY_FILE)
                        + ", format guardian-vault/1) that this release cannot read; it stores the vault as files ("
                        + FORMAT + ")");
            }
            if (!create) {
                throw new VaultException(Reason.UNAVAILABLE, "no vault in " + dir + " (" + formatFile + " does not exist)");
            }
            try {
                boolean existed = Files.isDirectory(dir);
                Files.createDirectories(dir);
                if (!existed && dir.toAbsolutePath().getParent() != null) {
                    fsyncDir(dir.toAbsolutePath().getParent());
                }
                createFormatFile(dir, formatFile);
            } catch (IOException e) {
                throw new VaultException(Reason.IO, "cannot create vault in " + dir + ": " + e, e);
            }
        }
        Path key = canonical(dir);
        if (!OPEN_HERE.add(key)) {
            throw inUse(formatFile, null);
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(formatFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw inUse(formatFile, null);
            }
            String format = readFormat(ch);
            if (!format.equals(FORMAT)) {
                throw new VaultException(Reason.UNAVAILABLE, formatFile + " has format '" + format
                        + "', this release reads '" + FORMAT + "' (written by a newer Guardian?)");
            }
            FileVault v = new FileVault(dir, key, config, clock, listener, ch, lock);
            v.load(create);
            return v;
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                try {
                    ch.close(); // also releases the lock
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            OPEN_HERE.remove(key);
            throw e instanceof VaultException ve ? ve
                    : new VaultException(Reason.IO, "cannot open vault " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens an existing vault to read only, beside a writer that may hold its lock in another
     * process: takes no lock, deletes and writes nothing, and refuses every change. Safe because
     * every file is written to a temp name and renamed into place whole, and is immutable after
     * (sidecars are replaced the same way), so a reader sees each file before or after a change,
     * never during one. A checkpoint pruned meanwhile reads as NOT_FOUND.
     */
    public static Vault openReadOnly(Path dir, VaultConfig config) {
        Path formatFile = Vault.file(dir);
        if (!Files.isRegularFile(formatFile)) {
            throw new VaultException(Reason.UNAVAILABLE, "no vault in " + dir + " (" + formatFile + " does not exist)");
        }
        try {
            String format = Files.readString(formatFile, StandardCharsets.UTF_8).trim();
            if (!format.equals(FORMAT)) {
                throw new VaultException(Reason.UNAVAILABLE, formatFile + " has format '" + format
                        + "', this release reads '" + FORMAT + "' (written by a newer Guardian?)");
            }
            FileVault v = new FileVault(dir, canonical(dir), config, Clock.systemUTC(), VaultListener.NOOP, null, null);
            v.load(false);
            return v;
        } catch (IOException e) {
            throw new VaultException(Reason.IO, "cannot read vault " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates {@code vault.format} complete and durable, without ever replacing one that another
     * process created (and may hold locked) meanwhile: a hard link fails if the name exists,
     * where a rename would replace it.
     */
    private static void createFormatFile(Path dir, Path formatFile) throws IOException {
        Path tmp = dir.resolve(TMP_PREFIX + FORMAT_FILE + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap((FORMAT + "\n").getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            try {
                Files.createLink(formatFile, tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another process created it first: use theirs
            }
            fsyncDir(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static VaultException inUse(Path formatFile, Throwable cause) {
        return new VaultException(Reason.UNAVAILABLE, formatFile + " is in use by another process (is a guardian daemon"
                + " running on this data directory? stop it first; going through the daemon is not built yet)", cause);
    }

    private static Path canonical(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }

    private static String readFormat(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(256);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // read up to 256 bytes
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
    }

    /** Under the file lock, before anyone else sees this instance. */
    private void load(boolean create) throws IOException {
        if (!readOnly) {
            deleteTempFiles(dir);
        }
        for (Path d : List.of(checkpointsDir, versionsDir, deploymentsDir, proofsDir)) {
            if (Files.isDirectory(d)) {
                if (!readOnly) {
                    deleteTempFiles(d);
                }
            } else if (create) {
                Files.createDirectories(d);
                fsyncDir(dir);
            }
        }
        if (!Files.isDirectory(checkpointsDir)) {
            return;
        }
        TreeMap<Long, Path> files = new TreeMap<>();
        TreeMap<Long, Path> sidecars = new TreeMap<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(checkpointsDir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                Matcher m = CKPT_FILE.matcher(name);
                Matcher sm = SIDECAR_FILE.matcher(name);
                if (m.matches() && Long.parseLong(m.group(1)) > 0) {
                    files.put(Long.parseLong(m.group(1)), p);
                } else if (sm.matches()) {
                    sidecars.put(Long.parseLong(sm.group(1)), p);
                } else if (!name.startsWith(TMP_PREFIX)) {
                    LOG.warn("vault {}: ignoring unknown file {}", dir, p);
                }
            }
        }
        for (Map.Entry<Long, Path> e : files.entrySet()) {
            long seq = e.getKey();
            lastId = Math.max(lastId, seq);
            try (FileChannel ch = FileChannel.open(e.getValue(), StandardOpenOption.READ)) {
                Header h = readHeader(ch, seq);
                Checkpoint c = h.checkpoint();
                Path sidecar = sidecars.get(seq);
                if (sidecar != null) {
                    try {
                        c = Json.readMutable(Files.readAllBytes(sidecar), c);
                    } catch (IOException | RuntimeException ex) {
                        throw new IOException("pin/tag sidecar " + sidecar.getFileName() + " is unreadable: "
                                + ex.getMessage(), ex);
                    }
                }
                index.put(seq, new StoredMeta(c, h.length()));
            } catch (IOException | RuntimeException ex) {
                if (readOnly && prunedMeanwhile(e.getValue(), ex)) {
                    // Listed, then pruned by the writer before it was read: it is simply gone, as if
                    // it had been pruned before the listing. Nothing is wrong with the vault.
                    LOG.debug("vault {}: {} was pruned while it was being read", dir, e.getValue().getFileName());
                    continue;
                }
                unreadable.put(seq, "metadata is unreadable: " + ex.getMessage());
            }
        }
        // A sidecar without its checkpoint: the checkpoint was pruned and the kill came before the sidecar went.
        for (Map.Entry<Long, Path> e : sidecars.entrySet()) {
            if (!readOnly && !files.containsKey(e.getKey())) {
                Files.deleteIfExists(e.getValue());
            }
        }
        if (!unreadable.isEmpty()) {
            LOG.warn("vault {}: {} checkpoint(s) with unreadable metadata: {}", dir, unreadable.size(), unreadable.keySet());
        }
    }

    /**
     * True when reading a listed checkpoint failed because its file (or its sidecar, which goes
     * right after it) no longer exists, and the checkpoint file is gone now: the writer pruned it
     * between the listing and the read. A sidecar missing beside a checkpoint still there is not that.
     */
    private static boolean prunedMeanwhile(Path checkpointFile, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NoSuchFileException) {
                return !Files.exists(checkpointFile);
            }
        }
        return false;
    }

    private static void deleteTempFiles(Path d) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d, TMP_PREFIX + "*")) {
            for (Path p : s) {
                LOG.info("deleting {}, left by an interrupted write", p);
                Files.deleteIfExists(p);
            }
        }
    }

    // ---- file primitives

    /**
     * Writes {@code parts} to a temp file in {@code targetDir}, forces it to disk and renames it
     * atomically onto {@code target}. The caller fsyncs the directory (once per change).
     */
    private static void writeAtomically(Path targetDir, Path target, int slice, byte[]... parts) throws IOException {
        Path tmp = targetDir.resolve(TMP_PREFIX + target.getFileName() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (byte[] part : parts) {
                    // Slices: a heap buffer is copied into a temporary direct buffer of its size by the JDK.
                    for (int off = 0; off < part.length; ) {
                        ByteBuffer b = ByteBuffer.wrap(part, off, Math.min(slice, part.length - off));
                        while (b.hasRemaining()) {
                            off += ch.write(b);
                        }
                    }
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Makes renames and deletions in {@code d} durable (Linux: fsync on a read-only directory descriptor). */
    private static void fsyncDir(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Creates a record or checkpoint directory missing from a vault opened with openExisting. */
    private void ensureDir(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            Files.createDirectories(d);
            fsyncDir(dir);
        }
    }

    private Path checkpointFile(long seq) {
        return checkpointsDir.resolve(CheckpointId.of(seq) + ".ckpt");
    }

    private Path sidecarFile(long seq) {
        return checkpointsDir.resolve(CheckpointId.of(seq) + ".meta.json");
    }

    private record Header(Checkpoint checkpoint, int length, byte[] head, int headRead) {
    }

    /** Reads and checks the magic line and the metadata line of a checkpoint file. */
    private static Header readHeader(FileChannel ch, long seq) throws IOException {
        // The metadata line is a few hundred bytes: read 4 KiB, more (up to MAX_HEADER) only if needed.
        byte[] head = readHead(ch, HEAD_GUESS);
        if (indexOf(head, indexOf(head, 0) + 1) < 0 && head.length == HEAD_GUESS) {
            head = readHead(ch, MAX_HEADER);
        }
        int nl1 = indexOf(head, 0);
        String magic = new String(head, 0, Math.max(nl1, 0), StandardCharsets.US_ASCII);
        if (nl1 < 0 || !magic.startsWith(MAGIC + " ")) {
            throw new IOException("not a checkpoint file (no '" + MAGIC + "' line)");
        }
        int version;
        try {
            version = Integer.parseInt(magic.substring(MAGIC.length() + 1));
        } catch (NumberFormatException e) {
            throw new IOException("bad checkpoint file version line '" + magic + "'");
        }
        if (version < 1 || version > CKPT_FILE_VERSION) {
            throw new IOException("checkpoint file version " + version + " (written by a newer Guardian?), this release"
                    + " reads up to " + CKPT_FILE_VERSION);
        }
        int nl2 = indexOf(head, nl1 + 1);
        if (nl2 < 0) {
            throw new IOException("no complete metadata line in the first " + head.length + " bytes");
        }
        Checkpoint c = Json.readHeader(Arrays.copyOfRange(head, nl1 + 1, nl2));
        if (c.id().seq() != seq) {
            throw new IOException("file of " + CheckpointId.of(seq) + " holds metadata of " + c.id());
        }
        return new Header(c, nl2 + 1, head, head.length);
    }

    private static byte[] readHead(FileChannel ch, int max) throws IOException {
        byte[] head = new byte[(int) Math.min(ch.size(), max)];
        ByteBuffer b = ByteBuffer.wrap(head);
        while (b.hasRemaining()) {
            if (ch.read(b, b.position()) < 0) {
                throw new IOException("checkpoint file ends after " + b.position() + " bytes");
            }
        }
        return head;
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    // ---- checkpoints

    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public Checkpoint save(NewCheckpoint nc) {
        return store(nc.lineage(), nc.versionId(), nc.walSeq(), nc.memory(), nc.tags(), nc.parent(), null, false);
    }

    private Checkpoint store(String lineage, String versionId, long walSeq, byte[] memory, Set<Tag> tags,
                             Optional<CheckpointId> parent, Instant createdAt, boolean pinned) {
        if (memory.length > config.maxMemoryBytes()) {
            throw new VaultException(Reason.BAD_INPUT, "checkpoint memory of lineage '" + lineage + "' is " + memory.length
                    + " bytes, more than vault.maxMemoryBytes " + config.maxMemoryBytes());
        }
        // Outside the lock: checksum and compression touch only the caller's bytes.
        MemoryCodec.Encoded enc = MemoryCodec.encode(memory, config.compressThreshold());
        Instant at = createdAt != null ? createdAt : clock.instant();
        List<StoredMeta> pruned;
        Checkpoint c;
        writeLock.lock();
        try {
            ensureWritable();
            long seq = lastId + 1;
            c = new Checkpoint(CheckpointId.of(seq), lineage, versionId, walSeq, at, memory.length,
                    enc.storedSize(), enc.compression(), enc.checksum(), tags, pinned, parent);
            byte[] header = Json.writeHeader(c);
            StoredMeta m = new StoredMeta(c, MAGIC_LINE.length + header.length + 1);
            List<StoredMeta> lineageNewestFirst = new ArrayList<>();
            lineageNewestFirst.add(m);
            for (StoredMeta s : index.descendingMap().values()) {
                if (s.checkpoint().lineage().equals(lineage)) {
                    lineageNewestFirst.add(s);
                }
            }
            pruned = config.pruneOnSave() ? toPrune(lineageNewestFirst) : List.of();
            lastId = seq; // even if the write fails: an id that may be on disk is never handed out twice
            try {
                ensureDir(checkpointsDir);
                writeAtomically(checkpointsDir, checkpointFile(seq), config.chunkSize(),
                        MAGIC_LINE, header, new byte[] {'\n'}, enc.stored());
            } catch (IOException e) {
                throw new VaultException(Reason.IO, "cannot save a checkpoint of lineage '" + lineage + "' in " + dir
                        + ": " + e, e);
            }
            // Out of the index before their files go, so that a reader who finds a file missing also
            // finds it gone from the index (NOT_FOUND, "pruned meanwhile") rather than CORRUPT.
            pruned.forEach(p -> index.remove(p.seq()));
            IOException failed = deleteAll(pruned);
            try {
                fsyncDir(checkpointsDir); // the commit: the rename (and the deletions) are durable
            } catch (IOException e) {
                failed = failed != null ? failed : e;
            }
            if (failed != null) {
                throw new VaultException(Reason.IO, "cannot save a checkpoint of lineage '" + lineage + "' in " + dir
                        + " durably: " + failed, failed);
            }
            index.put(seq, m);
        } finally {
            writeLock.unlock();
        }
        pruned.forEach(p -> emit(new VaultEvent.CheckpointPruned(clock.instant(), p.checkpoint().id(),
                p.checkpoint().lineage())));
        return c;
    }

    /** Deletes checkpoint files then their sidecars (an orphan sidecar is removed at the next open); first failure. */
    private IOException deleteAll(List<StoredMeta> pruned) {
        IOException failed = null;
        for (StoredMeta p : pruned) {
            try {
                Files.deleteIfExists(checkpointFile(p.seq()));
                Files.deleteIfExists(sidecarFile(p.seq()));
            } catch (IOException e) {
                failed = failed != null ? failed : e;
            }
        }
        return failed;
    }

    /** Beyond the newest {@code keepLast}: all but the pinned ones and the newest {@code keepKnownGood} known-good ones. */
    private List<StoredMeta> toPrune(List<StoredMeta> lineageNewestFirst) {
        List<StoredMeta> out = new ArrayList<>();
        int knownGood = 0;
        for (int i = 0; i < lineageNewestFirst.size(); i++) {
            StoredMeta s = lineageNewestFirst.get(i);
            boolean good = s.checkpoint().hasTag(Tag.KNOWN_GOOD);
            if (good) {
                knownGood++;
            }
            boolean kept = i < config.keepLast() || s.checkpoint().pinned() || good && knownGood <= config.keepKnownGood();
            if (!kept) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public Optional<Checkpoint> find(CheckpointId id) {
        ensureOpen();
        return Optional.ofNullable(index.get(id.seq())).map(StoredMeta::checkpoint);
    }

    @Override
    public Checkpoint get(CheckpointId id) {
        return find(id).orElseThrow(() -> notFound(id));
    }

    private VaultException notFound(CheckpointId id) {
        return new VaultException(Reason.NOT_FOUND, "no checkpoint '" + id + "' in " + dir);
    }

    @Override
    public List<Checkpoint> list() {
        ensureOpen();
        return index.values().stream().map(StoredMeta::checkpoint).toList();
    }

    @Override
    public List<Checkpoint> list(String lineage) {
        ensureOpen();
        return index.values().stream().map(StoredMeta::checkpoint).filter(c -> c.lineage().equals(lineage)).toList();
    }

    @Override
    public List<String> lineages() {
        ensureOpen();
        return List.copyOf(new TreeSet<>(index.values().stream().map(s -> s.checkpoint().lineage()).toList()));
    }

    @Override
    public CheckpointData read(CheckpointId id) {
        ensureOpen();
        StoredMeta m = index.get(id.seq());
        if (m == null) {
            String bad = unreadable.get(id.seq());
            if (bad == null) {
                throw notFound(id);
            }
            emit(new VaultEvent.CorruptCheckpoint(clock.instant(), id, "?", bad));
            throw new VaultException(Reason.CORRUPT, "checkpoint " + id + " is corrupt: " + bad);
        }
        Checkpoint c = m.checkpoint();
        try {
            byte[] stored = readStored(c);
            byte[] memory = MemoryCodec.decode(stored, c.compression(), c.storedSize(), c.size(), c.checksum());
            return new CheckpointData(c, memory);
        } catch (NoSuchFileException e) {
            if (!index.containsKey(id.seq())) {
                throw notFound(id); // pruned meanwhile
            }
            return corrupt(c, "checkpoint file " + e.getFile() + " is missing");
        } catch (IOException e) {
            return corrupt(c, "checkpoint file cannot be read: " + e.getMessage());
        } catch (MemoryCodec.CorruptException e) {
            return corrupt(c, e.getMessage());
        }
    }

    private CheckpointData corrupt(Checkpoint c, String problem) {
        emit(new VaultEvent.CorruptCheckpoint(clock.instant(), c.id(), c.lineage(), problem));
        throw new VaultException(Reason.CORRUPT, "checkpoint " + c.id() + " is corrupt: " + problem);
    }

    /** The stored bytes of a checkpoint file, after checking its header against the index. */
    private byte[] readStored(Checkpoint c) throws IOException, MemoryCodec.CorruptException {
        try (FileChannel ch = FileChannel.open(checkpointFile(c.id().seq()), StandardOpenOption.READ)) {
            Header h;
            try {
                h = readHeader(ch, c.id().seq());
            } catch (NoSuchFileException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new MemoryCodec.CorruptException("metadata is unreadable: " + e.getMessage());
            }
            Checkpoint d = h.checkpoint();
            if (d.size() != c.size() || d.storedSize() != c.storedSize() || !d.compression().equals(c.compression())
                    || !d.checksum().equals(c.checksum())) {
                throw new MemoryCodec.CorruptException("metadata in the file changed since it was loaded (now " + d.checksum()
                        + ", " + d.size() + " bytes, was " + c.checksum() + ", " + c.size() + " bytes)");
            }
            long length = ch.size() - h.length();
            if (length != c.storedSize()) {
                throw new MemoryCodec.CorruptException("stored size is " + length + " bytes, metadata says " + c.storedSize());
            }
            byte[] stored = new byte[(int) length];
            int have = Math.min(h.headRead() - h.length(), stored.length);
            System.arraycopy(h.head(), h.length(), stored, 0, have);
            long pos = h.length() + (long) have;
            for (int off = have; off < stored.length; ) {
                ByteBuffer b = ByteBuffer.wrap(stored, off, Math.min(config.chunkSize(), stored.length - off));
                while (b.hasRemaining()) {
                    int n = ch.read(b, pos);
                    if (n < 0) {
                        throw new MemoryCodec.CorruptException("checkpoint file ends early, at " + pos + " bytes");
                    }
                    pos += n;
                    off += n;
                }
            }
            return stored;
        }
    }

    @Override
    public Optional<CheckpointData> latestValid(String lineage) {
        List<Checkpoint> all = list(lineage);
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                return Optional.of(read(all.get(i).id()));
            } catch (VaultException e) {
                if (e.reason() == Reason.CORRUPT) {
                    LOG.warn("vault {}: {}; falling back to the previous checkpoint of lineage '{}'",
                            dir, e.getMessage(), lineage);
                } else if (e.reason() != Reason.NOT_FOUND) { // NOT_FOUND: pruned meanwhile
                    throw e;
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public VerifyResult verify(CheckpointId id) {
        try {
            return VerifyResult.ok(read(id).checkpoint());
        } catch (VaultException e) {
            if (e.reason() != Reason.CORRUPT) {
                throw e;
            }
            Optional<String> lineage = find(id).map(Checkpoint::lineage);
            String prefix = "checkpoint " + id + " is corrupt: ";
            String problem = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
            return VerifyResult.corrupt(id, lineage, problem);
        }
    }

    @Override
    public List<VerifyResult> verifyAll() {
        ensureOpen();
        TreeSet<Long> seqs = new TreeSet<>(index.keySet());
        seqs.addAll(unreadable.keySet());
        List<VerifyResult> out = new ArrayList<>();
        for (long seq : seqs) {
            try {
                out.add(verify(CheckpointId.of(seq)));
            } catch (VaultException e) {
                if (e.reason() != Reason.NOT_FOUND) {
                    throw e;
                }
            }
        }
        return out;
    }

    @Override
    public Checkpoint setPinned(CheckpointId id, boolean pinned) {
        return updateMeta(id, c -> new Checkpoint(c.id(), c.lineage(), c.versionId(), c.walSeq(), c.createdAt(),
                c.size(), c.storedSize(), c.compression(), c.checksum(), c.tags(), pinned, c.parent()));
    }

    @Override
    public Checkpoint addTag(CheckpointId id, Tag tag) {
        return updateMeta(id, c -> {
            Set<Tag> tags = EnumSet.of(tag);
            tags.addAll(c.tags());
            return new Checkpoint(c.id(), c.lineage(), c.versionId(), c.walSeq(), c.createdAt(),
                    c.size(), c.storedSize(), c.compression(), c.checksum(), tags, c.pinned(), c.parent());
        });
    }

    /** Pin and tags live in the sidecar: one small atomic file, whatever the checkpoint's size. */
    private Checkpoint updateMeta(CheckpointId id, Function<Checkpoint, Checkpoint> change) {
        writeLock.lock();
        try {
            ensureWritable();
            StoredMeta m = index.get(id.seq());
            if (m == null) {
                throw notFound(id);
            }
            StoredMeta updated = new StoredMeta(change.apply(m.checkpoint()), m.headerLength());
            if (updated.equals(m)) {
                return m.checkpoint();
            }
            try {
                writeAtomically(checkpointsDir, sidecarFile(id.seq()), config.chunkSize(),
                        Json.writeMutable(updated.checkpoint()));
                fsyncDir(checkpointsDir);
            } catch (IOException e) {
                throw new VaultException(Reason.IO, "cannot update checkpoint " + id + " in " + dir + ": " + e, e);
            }
            index.put(id.seq(), updated);
            return updated.checkpoint();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public List<CheckpointId> prune() {
        List<StoredMeta> pruned = new ArrayList<>();
        writeLock.lock();
        try {
            ensureWritable();
            Map<String, List<StoredMeta>> byLineage = new TreeMap<>();
            for (StoredMeta s : index.descendingMap().values()) {
                byLineage.computeIfAbsent(s.checkpoint().lineage(), k -> new ArrayList<>()).add(s);
            }
            byLineage.values().forEach(l -> pruned.addAll(toPrune(l)));
            if (!pruned.isEmpty()) {
                pruned.forEach(p -> index.remove(p.seq())); // before the files go: see store()
                IOException failed = deleteAll(pruned);
                try {
                    fsyncDir(checkpointsDir);
                } catch (IOException e) {
                    failed = failed != null ? failed : e;
                }
                if (failed != null) {
                    throw new VaultException(Reason.IO, "cannot prune checkpoints in " + dir + ": " + failed, failed);
                }
            }
        } finally {
            writeLock.unlock();
        }
        pruned.forEach(p -> emit(new VaultEvent.CheckpointPruned(clock.instant(), p.checkpoint().id(),
                p.checkpoint().lineage())));
        return pruned.stream().map(p -> p.checkpoint().id()).sorted().toList();
    }

    @Override
    public byte[] exportCheckpoint(CheckpointId id) {
        return ExportFormat.write(read(id), clock.instant());
    }

    public static Checkpoint verifyExport(byte[] document) {
        return decodeExport(document).checkpoint();
    }

    private static ExportFormat.Imported decodeExport(byte[] document) {
        try {
            return ExportFormat.read(document);
        } catch (IOException e) {
            throw new VaultException(Reason.BAD_INPUT, e.getMessage(), e);
        }
    }

    @Override
    public Checkpoint importCheckpoint(byte[] document) {
        ExportFormat.Imported in = decodeExport(document);
        Checkpoint c = in.checkpoint();
        try {
            // Same validation as a fresh save.
            NewCheckpoint.of(c.lineage(), c.versionId(), c.walSeq(), in.memory());
        } catch (IllegalArgumentException e) {
            throw new VaultException(Reason.BAD_INPUT, e.getMessage(), e);
        }
        return store(c.lineage(), c.versionId(), c.walSeq(), in.memory(), c.tags(), c.parent(), c.createdAt(), c.pinned());
    }

    // ---- records: one JSON file each

    @Override
    public void registerVersion(VersionRecord v) {
        putRecord(versionsDir, "version", v.id(), Json.write(v), true);
    }

    @Override
    public Optional<VersionRecord> version(String id) {
        return getRecord(versionsDir, "version", id, Json::readVersion);
    }

    @Override
    public List<VersionRecord> versions() {
        return allRecords(versionsDir, "version", Json::readVersion, VersionRecord::id);
    }

    @Override
    public void putDeployment(DeploymentRecord d) {
        putRecord(deploymentsDir, "deployment", d.id(), Json.write(d), false);
    }

    @Override
    public Optional<DeploymentRecord> deployment(String id) {
        return getRecord(deploymentsDir, "deployment", id, Json::readDeployment);
    }

    @Override
    public List<DeploymentRecord> deployments() {
        return allRecords(deploymentsDir, "deployment", Json::readDeployment, DeploymentRecord::id);
    }

    @Override
    public void putProof(ProofRecord p) {
        putRecord(proofsDir, "proof", p.id(), Json.write(p), true);
    }

    @Override
    public Optional<ProofRecord> proof(String id) {
        return getRecord(proofsDir, "proof", id, Json::readProof);
    }

    @Override
    public List<ProofRecord> proofs() {
        return allRecords(proofsDir, "proof", Json::readProof, ProofRecord::id);
    }

    /**
     * The file name of a record: the id with every byte outside {@code [A-Za-z0-9_.-]} (and a
     * leading dot) written as {@code %XX}; a long result is shortened to a prefix plus a SHA-256
     * of the id ({@code ~} marks it, and never occurs otherwise). The id itself is in the file.
     */
    static String recordFileName(String id) {
        StringBuilder sb = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char ch = (char) (b & 0xff);
            boolean safe = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '_' || ch == '-' || (ch == '.' && sb.length() > 0);
            if (safe) {
                sb.append(ch);
            } else {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        if (sb.length() > 150) {
            try {
                byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
                return sb.substring(0, 100) + "~" + HexFormat.of().formatHex(h) + ".json";
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return sb + ".json";
    }

    private void putRecord(Path kindDir, String kind, String id, byte[] json, boolean immutable) {
        writeLock.lock();
        try {
            ensureWritable();
            Path f = kindDir.resolve(recordFileName(id));
            try {
                byte[] old = Files.isRegularFile(f) ? Files.readAllBytes(f) : null;
                if (old != null && Arrays.equals(old, json)) {
                    return;
                }
                if (old != null && immutable) {
                    throw new VaultException(Reason.BAD_INPUT, kind + " '" + id + "' already exists with different content ("
                            + kind + "s are immutable)");
                }
                ensureDir(kindDir);
                writeAtomically(kindDir, f, config.chunkSize(), json);
                fsyncDir(kindDir);
            } catch (IOException e) {
                throw new VaultException(Reason.IO, "cannot store " + kind + " '" + id + "' in " + dir + ": " + e, e);
            }
        } finally {
            writeLock.unlock();
        }
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(byte[] b) throws IOException;
    }

    private <T> Optional<T> getRecord(Path kindDir, String kind, String id, Reader<T> reader) {
        ensureOpen();
        Path f = kindDir.resolve(recordFileName(id));
        byte[] b;
        try {
            b = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new VaultException(Reason.IO, "cannot read " + kind + " '" + id + "' in " + dir + ": " + e, e);
        }
        return Optional.of(decodeRecord(kind, f.getFileName().toString(), b, reader));
    }

    private <T> List<T> allRecords(Path kindDir, String kind, Reader<T> reader, Function<T, String> idOf) {
        ensureOpen();
        if (!Files.isDirectory(kindDir)) {
            return List.of();
        }
        TreeMap<String, T> out = new TreeMap<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(kindDir, "*.json")) {
            for (Path f : s) {
                String name = f.getFileName().toString();
                if (name.startsWith(TMP_PREFIX)) {
                    continue;
                }
                byte[] b;
                try {
                    b = Files.readAllBytes(f);
                } catch (NoSuchFileException e) {
                    continue;
                }
                T r = decodeRecord(kind, name, b, reader);
                out.put(idOf.apply(r), r);
            }
        } catch (IOException e) {
            throw new VaultException(Reason.IO, "cannot list " + kind + "s in " + dir + ": " + e, e);
        }
        return List.copyOf(out.values());
    }

    private <T> T decodeRecord(String kind, String fileName, byte[] b, Reader<T> reader) {
        try {
            return reader.read(b);
        } catch (IOException | RuntimeException e) {
            throw new VaultException(Reason.CORRUPT, kind + " file " + fileName + " in " + dir + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    // ---- plumbing

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("vault " + dir + " is closed");
        }
    }

    private void ensureWritable() {
        ensureOpen();
        if (readOnly) {
            throw new VaultException(Reason.UNAVAILABLE, "vault " + dir + " is open read-only (another process writes it)");
        }
    }

    private void emit(VaultEvent e) {
        try {
            listener.onEvent(e);
        } catch (RuntimeException ex) {
            LOG.warn("vault listener failed on {}", e, ex);
        }
    }

    /** Test hook: flips one byte in the middle of a checkpoint's stored bytes in its file, as a bad disk would. */
    void corruptStoredBytes(CheckpointId id) {
        StoredMeta m = index.get(id.seq());
        if (m == null) {
            throw notFound(id);
        }
        if (m.checkpoint().storedSize() == 0) {
            throw new IllegalStateException(id + " has no stored bytes to damage");
        }
        flipByte(checkpointFile(id.seq()), m.headerLength() + m.checkpoint().storedSize() / 2);
    }

    /** Test hook: overwrites the start of a checkpoint's metadata line with bytes that are not JSON (seen after reopening). */
    void corruptStoredMetadata(CheckpointId id) {
        if (!index.containsKey(id.seq())) {
            throw notFound(id);
        }
        try (FileChannel ch = FileChannel.open(checkpointFile(id.seq()), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("{not json".getBytes(StandardCharsets.UTF_8)), MAGIC_LINE.length);
            ch.force(true);
        } catch (IOException e) {
            throw new VaultException(Reason.IO, e.toString(), e);
        }
    }

    private static void flipByte(Path file, long pos) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, pos);
            b.put(0, (byte) (b.get(0) ^ 0x5A));
            b.rewind();
            ch.write(b, pos);
            ch.force(true);
        } catch (IOException e) {
            throw new VaultException(Reason.IO, e.toString(), e);
        }
    }

    /** The checkpoint file of an id (tests and tools). */
    Path checkpointFileOf(CheckpointId id) {
        return checkpointFile(id.seq());
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (!closed && readOnly) {
                closed = true;
            } else if (!closed) {
                closed = true;
                try {
                    fileLock.release();
                    lockChannel.close();
                } catch (IOException e) {
                    LOG.warn("vault {}: closing the lock file failed", dir, e);
                } finally {
                    OPEN_HERE.remove(key);
                }
            }
        } finally {
            writeLock.unlock();
        }
    }
}
