package dev.guardian.process.internal;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Finds the directory of a process's CPU cgroup from the text of {@code /proc/PID/cgroup} and of
 * {@code /proc/self/mountinfo}: cgroup v1's {@code cpu} hierarchy when one is mounted, else the v2
 * hierarchy. Kept apart from the files so that both layouts can be tested on any machine.
 */
final class CgroupPaths {

    private CgroupPaths() {
    }

    static Optional<Path> cpuCgroup(String procCgroup, String mountInfo) {
        String v1 = null;
        String v2 = null;
        for (String line : procCgroup.split("\n")) {
            // hierarchy-id:controllers:path; the path may itself hold colons.
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                v2 = f[2];
            } else if (Arrays.asList(f[1].split(",")).contains("cpu")) {
                v1 = f[2];
            }
        }
        for (String line : mountInfo.split("\n")) {
            // id parent major:minor root mount-point options [optional...] - fstype source super-options
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] before = line.substring(0, dash).split(" ");
            String[] after = line.substring(dash + 3).split(" ");
            if (before.length < 5 || after.length < 3) {
                continue;
            }
            String root = unescape(before[3]);
            String mountPoint = unescape(before[4]);
            if (v1 != null && after[0].equals("cgroup") && Arrays.asList(after[2].split(",")).contains("cpu")) {
                return under(mountPoint, root, v1);
            }
            if (v1 == null && v2 != null && after[0].equals("cgroup2")) {
                return under(mountPoint, root, v2);
            }
        }
        return Optional.empty();
    }

    /** The cgroup's directory: its path is from the hierarchy's root, of which the mount shows {@code root}. */
    private static Optional<Path> under(String mountPoint, String root, String cgroup) {
        String relative;
        if (root.equals("/")) {
            relative = cgroup;
        } else if (cgroup.equals(root) || cgroup.startsWith(root + "/")) {
            relative = cgroup.substring(root.length());
        } else {
            // The cgroup lies outside what is mounted here (another namespace's view).
            return Optional.empty();
        }
        String trimmed = relative.replaceAll("^/+", "");
        return Optional.of(trimmed.isEmpty() ? Path.of(mountPoint) : Path.of(mountPoint, trimmed));
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes ({@code \040}). */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
