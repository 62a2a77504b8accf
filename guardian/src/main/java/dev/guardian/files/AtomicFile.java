package dev.guardian.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file whole or not at all, durably: the bytes go to a fresh temporary file beside it, are
 * forced to disk, renamed over the target, and the rename is forced too. A crash leaves the old file or
 * the new one, never a torn one, and never loses a write that returned. The vault has its own variant
 * (several parts per file, one directory fsync per batch of changes), in its own module.
 */
public final class AtomicFile {

    private AtomicFile() {
    }

    /** Writes {@code bytes} to {@code target}, readable and writable by its owner only (0600). */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, bytes, null);
    }

    /**
     * Writes {@code bytes} to {@code target} with exactly {@code permissions} (never wider at any moment:
     * the temporary file is created with them), or 0600 when null.
     */
    public static void write(Path target, byte[] bytes, Set<PosixFilePermission> permissions) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        // A fresh name: a fixed "NAME.tmp" could be another file in the same directory.
        Path tmp = permissions == null ? Files.createTempFile(parent, ".guardian-", ".tmp")
                : Files.createTempFile(parent, ".guardian-", ".tmp", PosixFilePermissions.asFileAttribute(permissions));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            if (permissions != null) {
                // The umask may have taken bits away at creation; what was asked is what the file gets.
                Files.setPosixFilePermissions(tmp, permissions);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(parent);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Makes renames in {@code dir} durable (Linux: fsync on a read-only descriptor of the directory). */
    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
