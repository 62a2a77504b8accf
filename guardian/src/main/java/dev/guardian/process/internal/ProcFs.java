package dev.guardian.process.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads what Linux tells about a process in /proc. Every method returns -1 when the process is gone. */
public final class ProcFs {

    private static final long PAGE_SIZE = 4096;
    /** USER_HZ: the unit of times in /proc/PID/stat; 100 on every Linux we run on. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;
    private static final ThreadLocal<ByteBuffer> BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocate(16 * 1024));

    private ProcFs() {
    }

    /** Resident set size in bytes. */
    public static long rssBytes(long pid) {
        String statm = read(pid, "statm");
        if (statm == null) {
            return -1;
        }
        String[] f = statm.trim().split("\\s+");
        return f.length > 1 ? Long.parseLong(f[1]) * PAGE_SIZE : -1;
    }

    /** The parent's pid (field 4 of stat); -1 when gone. */
    static long parent(long pid) {
        String stat = read(pid, "stat");
        return stat == null ? -1 : field(stat, 1);
    }

    /** User + system CPU time in nanoseconds. */
    public static long cpuNanos(long pid) {
        String stat = read(pid, "stat");
        if (stat == null) {
            return -1;
        }
        // utime is field 14, stime 15.
        long ticks = field(stat, 11) + field(stat, 12);
        return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    /**
     * Nanoseconds the process's threads have spent waiting on a run queue — runnable, but not given
     * a CPU — summed over its threads ({@code /proc/PID/task/TID/schedstat}, second field); -1 when gone
     * or when the kernel keeps no scheduler statistics.
     */
    public static long cpuWaitNanos(long pid) {
        long total = -1;
        for (int tid : Priorities.threads(pid)) {
            long w = threadCpuWaitNanos(pid, tid);
            if (w >= 0) {
                total = Math.max(total, 0) + w;
            }
        }
        return total;
    }

    /** True when one of the process's threads is running or waiting for a CPU (state R). */
    public static boolean anyThreadRunnable(long pid) {
        return Priorities.threads(pid).stream().anyMatch(tid -> threadRunnable(pid, tid));
    }

    /** True when a thread of a process is running or waiting for a CPU (state R in its stat). */
    public static boolean threadRunnable(long pid, int tid) {
        String stat = read(pid, "task/" + tid + "/stat");
        if (stat == null) {
            return false;
        }
        int close = stat.lastIndexOf(')');
        return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'R';
    }

    /** As {@link #cpuWaitNanos} for one thread of a process; -1 when gone. */
    public static long threadCpuWaitNanos(long pid, int tid) {
        String s = read(pid, "task/" + tid + "/schedstat");
        if (s == null) {
            return -1;
        }
        String[] f = s.trim().split("\\s+");
        return f.length >= 2 ? Long.parseLong(f[1]) : -1;
    }

    /** Start time in clock ticks after boot (field 22): with the pid, identifies a process across pid reuse. */
    public static long startTime(long pid) {
        String stat = read(pid, "stat");
        return stat == null ? -1 : field(stat, 19);
    }

    /** The session id (field 6): the pid of the session's leader; -1 when gone. */
    public static long session(long pid) {
        String stat = read(pid, "stat");
        return stat == null ? -1 : field(stat, 3);
    }

    /** The nice value (field 19). */
    public static long niceness(long pid) {
        String stat = read(pid, "stat");
        return stat == null ? Long.MIN_VALUE : field(stat, 16);
    }

    /** The scheduling policy of the process's main thread (field 41: 0 SCHED_OTHER, 5 SCHED_IDLE, ...); -1 when gone. */
    public static int policy(long pid) {
        String stat = read(pid, "stat");
        return stat == null ? -1 : (int) field(stat, 38);
    }

    /** The text of /proc/PID/limits, or null. */
    public static String limits(long pid) {
        return read(pid, "limits");
    }

    /**
     * A numeric field of a stat line, by its index counted from the state (field 3) as 0. Found by
     * scanning, not by splitting the line: a split made ~50 strings per read, and the process-tree
     * snapshot reads every process's stat four times a second.
     */
    static long field(String stat, int index) {
        // The command name may hold spaces and parentheses: fields start after the last ')'.
        int start = stat.lastIndexOf(')') + 2;
        for (int n = 0; n < index; n++) {
            start = stat.indexOf(' ', start) + 1;
            if (start == 0) {
                throw new IllegalArgumentException("a stat line without field " + index + ": " + stat);
            }
        }
        int end = start;
        while (end < stat.length() && !Character.isWhitespace(stat.charAt(end))) {
            end++;
        }
        return Long.parseLong(stat, start, end, 10);
    }

    /**
     * Reads a /proc file whole into this thread's buffer. Why not {@code Files.readString}: a /proc file
     * reports size 0, so each read allocated an 8 KB array (and copies) for a few hundred bytes. With
     * many instances the heartbeats and the process-tree snapshots read hundreds of these a second,
     * and that garbage alone set the pace of young collections, which pause the primary too.
     */
    static String read(long pid, String file) {
        Path path = Path.of("/proc", Long.toString(pid), file);
        try (FileChannel channel = FileChannel.open(path)) {
            ByteBuffer buffer = BUFFER.get().clear();
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // until the end of the file, or the buffer is full
            }
            if (!buffer.hasRemaining()) {
                return Files.readString(path); // larger than the buffer (none of the files read here is)
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
