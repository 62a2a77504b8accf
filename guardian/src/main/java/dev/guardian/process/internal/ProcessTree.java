package dev.guardian.process.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which process is whose child, read from /proc once and shared for {@link #MAX_AGE_NANOS} by every
 * caller. {@code ProcessHandle.descendants()} reads every process's stat on each call; with many
 * instances, each sampled on every heartbeat and every rollout tick, that was most of what their
 * resource sampling cost (with 10 shadows about 0.1 core of the rollout thread, at normal
 * priority). A child younger than the snapshot is missed until the next one, which is harmless for
 * what it is used for: adding helper processes' memory to an agent's.
 */
final class ProcessTree {

    static final long MAX_AGE_NANOS = 250_000_000L;

    private record Snapshot(long readAt, Map<Long, List<Long>> children) {
    }

    private static volatile Snapshot snapshot;

    private ProcessTree() {
    }

    /** The process's descendants (children, their children, ...) as of a snapshot at most {@link #MAX_AGE_NANOS} old. */
    static List<Long> descendants(long pid) {
        Map<Long, List<Long>> children = current().children();
        List<Long> found = new ArrayList<>();
        ArrayDeque<Long> next = new ArrayDeque<>(children.getOrDefault(pid, List.of()));
        while (!next.isEmpty()) {
            Long p = next.poll();
            found.add(p);
            next.addAll(children.getOrDefault(p, List.of()));
        }
        return found;
    }

    private static Snapshot current() {
        Snapshot s = snapshot;
        return s != null && System.nanoTime() - s.readAt() <= MAX_AGE_NANOS ? s : refresh();
    }

    private static synchronized Snapshot refresh() {
        Snapshot s = snapshot;
        if (s != null && System.nanoTime() - s.readAt() <= MAX_AGE_NANOS) {
            return s; // another caller read it meanwhile
        }
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : all) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                long pid = Long.parseLong(name);
                long parent = ProcFs.parent(pid);
                if (parent > 0) {
                    children.computeIfAbsent(parent, k -> new ArrayList<>()).add(pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            // No /proc to read: no descendants known.
        }
        s = new Snapshot(System.nanoTime(), children);
        snapshot = s;
        return s;
    }
}
