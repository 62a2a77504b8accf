package dev.guardian.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * How a version's files land in {@code DATA/versions/ID/}: their names stay inside that directory,
 * each file gets exactly the permission bits asked for (never wider: the temporary file is created
 * with them, so not even the moment before the final {@code chmod} exposes more), and the
 * directories Guardian makes for them are 0700, because a file that was unreachable for others in
 * its source tree (inside a 0700 directory) must not become reachable in the copy; only the daemon's
 * user, which runs the agents, needs them.
 */
final class VersionFiles {

    /** A file without a mode of its own: readable, not executable (what files got before modes existed). */
    static final String DEFAULT_MODE = "0644";
    private static final Pattern OCTAL = Pattern.compile("[0-7]{1,4}");
    private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private VersionFiles() {
    }

    /** A version's file names stay inside its directory. */
    static String checkedName(String name) {
        Path p = Path.of(name).normalize();
        if (name.isBlank() || p.isAbsolute() || p.startsWith("..") || p.toString().isEmpty()) {
            throw new IllegalArgumentException("files: '" + name + "' must be a relative path inside the version's directory");
        }
        return p.toString();
    }

    /** No name is also the directory of another ({@code a} and {@code a/b}): one of the two could not be written. */
    static void checkNoneIsADirectoryOfAnother(Collection<String> names) {
        TreeSet<String> sorted = new TreeSet<>(names);
        for (String name : sorted) {
            String inside = sorted.higher(name + "/");
            if (inside != null && inside.startsWith(name + "/")) {
                throw new IllegalArgumentException("files: '" + name + "' is a file, but '" + inside + "' needs it to be a directory");
            }
        }
    }

    /**
     * {@code mode} as four octal digits, or an error naming {@code field}: permission bits only, at
     * most 0777. Setuid, setgid and sticky bits are refused, not dropped: a deploy must not make a
     * setuid program, and silently writing something other than what was asked hides the mistake.
     */
    static String checkedMode(String field, String mode) {
        if (mode == null || !OCTAL.matcher(mode).matches() || (Integer.parseInt(mode, 8) & ~0777) != 0) {
            throw new IllegalArgumentException(field + " must be octal permission bits of at most 0777 such as \"0644\""
                    + " (no setuid, setgid or sticky bit), but was " + (mode == null ? "not a string" : "\"" + mode + "\""));
        }
        return String.format("%04o", Integer.parseInt(mode, 8));
    }

    /** Writes {@code bytes} to {@code target} atomically and durably, with exactly the permission bits {@code mode}. */
    static void write(Path target, byte[] bytes, String mode) throws IOException {
        Set<PosixFilePermission> perms = permissions(mode);
        Path parent = target.getParent();
        Files.createDirectories(parent, DIRECTORY);
        dev.guardian.files.AtomicFile.write(target, bytes, perms);
    }

    private static Set<PosixFilePermission> permissions(String mode) {
        int bits = Integer.parseInt(mode, 8);
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ (0400) ... OTHERS_EXECUTE (0001)
        for (int i = 0; i < all.length; i++) {
            if ((bits & (0400 >> i)) != 0) {
                perms.add(all[i]);
            }
        }
        return perms;
    }
}
