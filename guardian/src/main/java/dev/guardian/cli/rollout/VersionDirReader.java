package dev.guardian.cli.rollout;

import dev.guardian.cli.CliException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code deploy --version-dir DIR}: every regular file under DIR, with its bytes and its
 * permission bits. DIR itself may be a link (it is resolved first). Inside it, nothing is followed
 * blindly, because the copy lands in the data directory beside {@code admin.token}:
 * <ul>
 * <li>a link to a regular file inside DIR is copied as that file (its bytes and mode, under the
 *     link's name): the daemon writes regular files only, and a kept link could lead anywhere;
 * <li>a link that leads outside DIR, a dangling link, a link to a directory, and anything that is
 *     neither a regular file nor a directory (a FIFO, a device, a socket) is refused by name.
 * </ul>
 * Every problem is collected before the refusal, so one run names them all; nothing is sent then.
 * Setuid, setgid and sticky bits are not read (only the 0777 bits travel): a copy is never more
 * permissive than its source.
 */
final class VersionDirReader {

    /** A directory's content: {@code manifest} is its top-level {@code version.yaml} (or null), not among {@code files}. */
    record Content(Path dir, Path manifest, Map<String, byte[]> files, Map<String, String> modes) {
    }

    private static final String MANIFEST = "version.yaml";

    private final Path dir;
    private final long maxBytes;
    /** Name in the version → the regular file to read (the link's target, for a link). */
    private final Map<String, Path> sources = new TreeMap<>();
    private final List<String> problems = new ArrayList<>();

    private VersionDirReader(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    static Content read(Path given, long maxBytes) throws IOException {
        VersionDirReader r = new VersionDirReader(resolve(given), maxBytes);
        r.walk();
        return r.content();
    }

    /** {@code given}, links resolved; refused unless it is a directory. */
    private static Path resolve(Path given) throws IOException {
        Path abs = given.toAbsolutePath().normalize();
        try {
            Path real = abs.toRealPath();
            if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
                return real;
            }
        } catch (NoSuchFileException e) {
            if (Files.isSymbolicLink(abs)) {
                throw CliException.notFound("--version-dir: " + abs + " is a link to " + Files.readSymbolicLink(abs)
                        + ", which does not exist");
            }
        } catch (FileSystemException e) {
            throw CliException.badInput("--version-dir: " + abs + " cannot be resolved: " + e.getMessage());
        }
        throw CliException.notFound("--version-dir: no directory " + abs);
    }

    private void walk() throws IOException {
        // No FOLLOW_LINKS: a link is visited as itself, and judged by visitLink.
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) throws IOException {
                String name = dir.relativize(p).toString();
                if (attrs.isRegularFile()) {
                    sources.put(name, p);
                } else if (attrs.isSymbolicLink()) {
                    visitLink(name, p);
                } else if (!attrs.isDirectory()) {
                    problems.add("'" + name + "' is " + kind(p) + ", not a regular file or a directory");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path p, IOException e) {
                problems.add("'" + dir.relativize(p) + "' cannot be read: " + e.getMessage());
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void visitLink(String name, Path link) throws IOException {
        String says = "link '" + name + "' -> '" + Files.readSymbolicLink(link) + "'";
        Path target;
        try {
            target = link.toRealPath();
        } catch (NoSuchFileException e) {
            problems.add(says + " is dangling (nothing is there)");
            return;
        } catch (FileSystemException e) {
            problems.add(says + " cannot be resolved: " + e.getMessage());
            return;
        }
        if (!target.startsWith(dir)) {
            problems.add(says + " leads outside the directory (to " + target + ")");
        } else if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            problems.add(says + " leads to a directory (links are copied only as the file they lead to)");
        } else if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            problems.add(says + " leads to " + kind(target) + ", not a regular file");
        } else {
            sources.put(name, target);
        }
    }

    private Content content() throws IOException {
        if (!problems.isEmpty()) {
            throw CliException.badInput("--version-dir " + dir + ": nothing was deployed, " + problems.size()
                    + (problems.size() == 1 ? " entry is" : " entries are") + " refused: " + String.join("; ", problems)
                    + ". A link is copied only as the regular file it leads to, inside the directory.");
        }
        Path manifest = sources.remove(MANIFEST);
        Map<String, byte[]> files = new TreeMap<>();
        Map<String, String> modes = new TreeMap<>();
        long total = 0;
        for (Map.Entry<String, Path> e : sources.entrySet()) {
            Path source = e.getValue();
            total += Files.size(source);
            if (total > maxBytes) {
                throw CliException.badInput("--version-dir " + dir + " holds more than " + (maxBytes >> 20) + " MB of files");
            }
            // NOFOLLOW_LINKS: the source was a regular file when judged; if a link took its place since, fail instead of following it.
            try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
                files.put(e.getKey(), in.readAllBytes());
            } catch (IOException ex) {
                throw CliException.badInput("--version-dir " + dir + ": '" + e.getKey() + "' cannot be read: " + ex.getMessage());
            }
            modes.put(e.getKey(), octal(Files.getPosixFilePermissions(source, LinkOption.NOFOLLOW_LINKS)));
        }
        return new Content(dir, manifest, files, modes);
    }

    /** The permission bits as four octal digits ("0755"). */
    static String octal(java.util.Set<PosixFilePermission> perms) {
        int bits = 0;
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ (0400) ... OTHERS_EXECUTE (0001)
        for (int i = 0; i < all.length; i++) {
            if (perms.contains(all[i])) {
                bits |= 0400 >> i;
            }
        }
        return String.format("%04o", bits);
    }

    /** What kind of special file {@code p} is, for a message. */
    private static String kind(Path p) {
        try {
            int type = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
            return switch (type) {
                case 0010000 -> "a FIFO";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "a special file";
        }
    }
}
