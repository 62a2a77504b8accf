package dev.guardian.wal.internal;

import dev.guardian.wal.WalException;
import dev.guardian.wal.WalException.Reason;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What makes a directory a Guardian WAL: a marker file naming the format and roll cycle, Chronicle's
 * files, and a lock file that the single writer holds (an OS file lock, released by the kernel when
 * the writer dies, even by SIGKILL). Stateless helpers; {@link WriterLock} is owned by one log.
 */
final class WalDirectory {
    static final String MARKER = "guardian-wal.properties";
    static final String LOCK = "guardian-wal.lock";
    static final String FORMAT = "1";

    private WalDirectory() {
    }

    /** An existing WAL directory's roll cycle name; refuses anything else without touching it. */
    static String checkExisting(Path dir) {
        if (!Files.exists(dir)) {
            throw new WalException(Reason.NOT_FOUND, dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new WalException(Reason.NOT_A_WAL, dir + " is not a Guardian WAL directory (it is a file)");
        }
        if (!Files.isReadable(dir)) {
            throw new WalException(Reason.IO, dir + " is not readable");
        }
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker)) {
            List<String> names = list(dir);
            throw new WalException(Reason.NOT_A_WAL, dir + " is not a Guardian WAL directory ("
                    + (names.isEmpty() ? "it is empty" : "found " + String.join(", ", names.subList(0, Math.min(3, names.size())))
                    + (names.size() > 3 ? ", ..." : "")) + ")");
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(marker, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new WalException(Reason.IO, "cannot read " + marker + ": " + e.getMessage(), e);
        }
        String format = p.getProperty("format");
        String roll = p.getProperty("rollCycle");
        if (!FORMAT.equals(format) || roll == null || !RollCycleNames.isKnown(roll)) {
            throw new WalException(Reason.NOT_A_WAL, dir + " is not a Guardian WAL directory (" + MARKER
                    + " says format=" + format + ", rollCycle=" + roll + "; this version reads format " + FORMAT + ")");
        }
        return roll;
    }

    /**
     * Creates the directory if needed, takes the writer lock and writes the marker if absent.
     * Returns the roll cycle to use: the one the log was created with, else {@code wanted}.
     */
    static WriterLock lockForWrite(Path dir, String wanted) {
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new WalException(Reason.NOT_A_WAL, dir + " is not a Guardian WAL directory (it is a file)");
            }
            Files.createDirectories(dir);
            boolean hasMarker = Files.isRegularFile(dir.resolve(MARKER));
            if (!hasMarker) {
                List<String> foreign = list(dir).stream().filter(n -> !n.equals(LOCK)).collect(Collectors.toList());
                if (!foreign.isEmpty()) {
                    throw new WalException(Reason.NOT_A_WAL, dir + " is not a Guardian WAL directory (found "
                            + String.join(", ", foreign.subList(0, Math.min(3, foreign.size()))) + (foreign.size() > 3 ? ", ..." : "") + ")");
                }
            }
            FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                ch.close();
                throw new WalException(Reason.LOCKED, dir + " is locked: this process already has it open for writing");
            }
            if (lock == null) {
                String holder = readHolder(ch);
                ch.close();
                throw new WalException(Reason.LOCKED, dir + " is locked by another process" + (holder.isEmpty() ? "" : " (pid " + holder + ")"));
            }
            try {
                ch.truncate(0);
                ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                String roll = wanted;
                if (hasMarker) {
                    roll = checkExisting(dir);
                } else {
                    writeMarker(dir, wanted);
                }
                return new WriterLock(ch, lock, roll);
            } catch (RuntimeException | IOException e) {
                lock.release();
                ch.close();
                throw e;
            }
        } catch (AccessDeniedException e) {
            throw new WalException(Reason.IO, dir + " is not writable (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new WalException(Reason.IO, "cannot open " + dir + " for writing: " + e, e);
        }
    }

    private static void writeMarker(Path dir, String roll) throws IOException {
        Path tmp = dir.resolve(MARKER + ".tmp");
        String text = "# Guardian write-ahead log: do not edit; see wal/README.md\nformat=" + FORMAT + "\nrollCycle=" + roll + "\n";
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(MARKER), StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(dir);
    }

    /** Makes a directory's entries (a new file's name) durable. */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static String readHolder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            ch.read(b, 0);
            return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

    static List<String> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (NoSuchFileException e) {
            throw new WalException(Reason.NOT_FOUND, dir + " does not exist");
        } catch (IOException e) {
            throw new WalException(Reason.IO, "cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The writer's lock on a directory; released by {@link #close()} or by the process dying. */
    static final class WriterLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;
        final String rollCycle;

        WriterLock(FileChannel channel, FileLock lock, String rollCycle) {
            this.channel = channel;
            this.lock = lock;
            this.rollCycle = rollCycle;
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                // the lock dies with the channel anyway
            }
        }
    }
}
