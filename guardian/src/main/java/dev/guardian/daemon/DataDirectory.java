package dev.guardian.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The layout of a data directory, and the lock that lets one daemon at a time own it.
 * <pre>
 * DIR/guardian.lock   held while a daemon runs      DIR/daemon.json   its pid and addresses
 * DIR/admin.token     bearer token for the admin API, mode 0600
 * DIR/wal/  DIR/vault/  DIR/logs/  DIR/instances/  (pid + start time of each live agent, to reap orphans)
 * </pre>
 */
public final class DataDirectory implements AutoCloseable {

    private final Path root;
    private FileChannel lockChannel;
    private FileLock lock;

    public DataDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Path wal() {
        return root.resolve("wal");
    }

    public Path vault() {
        return root.resolve("vault");
    }

    public Path logs() {
        return root.resolve("logs");
    }

    /** Each version's files, in a directory named by its id. */
    public Path versions() {
        return root.resolve("versions");
    }

    /** Which version the primary runs (written on promotion and rollback). */
    public Path currentVersionFile() {
        return root.resolve("current-version.json");
    }

    public Path instances() {
        return root.resolve("instances");
    }

    public Path daemonFile() {
        return root.resolve("daemon.json");
    }

    public Path tokenFile() {
        return root.resolve("admin.token");
    }

    /** Creates the directory if needed and locks it; fails with a clear message when another daemon holds it. */
    public void lock() throws IOException {
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new IOException("the data directory " + root + " is a file, not a directory");
        }
        Files.createDirectories(root);
        lockChannel = FileChannel.open(root.resolve("guardian.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new IOException("the data directory " + root + " is in use by another guardian daemon"
                    + runningPid() + "; use `guardian status --data-dir " + root + "`");
        }
    }

    /** True when a daemon holds the lock now. */
    public boolean inUse() {
        Path lockFile = root.resolve("guardian.lock");
        if (!Files.exists(lockFile)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
            return true;
        }
    }

    /** The admin token, created (random, mode 0600) on first use; refused when others may read it. */
    public String adminToken() throws IOException {
        Path file = tokenFile();
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(
                    Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
            Files.writeString(file, HexFormat.of().formatHex(random) + "\n", StandardCharsets.UTF_8);
        }
        return readToken();
    }

    /** Reads the existing token (for the CLI); checks that only its owner can read it. */
    public String readToken() throws IOException {
        Path file = tokenFile();
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
            throw new IOException(file + " must be readable by its owner only (chmod 600), but is "
                    + PosixFilePermissions.toString(perms));
        }
        String token = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (token.isEmpty()) {
            // A daemon nobody could authenticate to (and that `guardian stop` could not stop).
            throw new IOException(file + " is empty: delete it, and the next guardian run makes a new token");
        }
        return token;
    }

    private String runningPid() {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"pid\"\\s*:\\s*(\\d+)")
                    .matcher(Files.readString(daemonFile()));
            return m.find() ? " (pid " + m.group(1) + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // The lock dies with the process anyway.
        }
    }
}
