package dev.guardian.wal.internal;

import dev.guardian.wal.WalException;
import dev.guardian.wal.WalException.Reason;
import dev.guardian.wal.WalRecord;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what can be read of a cut cycle file, at open, by the writer (which holds the directory's lock).
 * The cut file is moved aside ({@code NAME.cut-MILLIS}, for an operator to look at) and its readable
 * records are written again, with their sequences and times; the records after the cut are lost, and
 * the log's user learns where from the gap they leave ({@link CycleFiles#gaps}) or from the log's end.
 */
final class CycleSalvage {
    private static final Logger log = LoggerFactory.getLogger(CycleSalvage.class);

    private CycleSalvage() {
    }

    /**
     * Older files cut or damaged (no end marker: every later file is out of a forward reader's reach) are
     * written again in place, the same cycle and name, with their readable records and an end marker; one
     * with nothing readable is only moved aside (a missing file is no obstacle to a reader).
     */
    static SingleChronicleQueue olderCycles(Path dir, SingleChronicleQueue queue, RollCycle rc, List<CycleFiles.Span> spans,
            Supplier<SingleChronicleQueue> reopen, Clock clock) {
        for (CycleFiles.Span s : spans) {
            if (s.intact()) {
                continue;
            }
            Path file = dir.resolve(s.file());
            if (!Files.isRegularFile(file)) {
                throw new WalException(Reason.IO, dir + ": cycle " + s.cycle() + " is cut or damaged, and its file cannot be "
                        + "found to salvage it: move the damaged cycle file aside to open the log (its records are lost)");
            }
            Path scratch = dir.resolve("salvage-" + s.cycle() + ".tmp");
            deleteTree(scratch);
            Path rebuilt = s.hasRecords() ? rewrite(queue, rc, s, scratch) : null;
            queue.close();
            Path aside = moveAside(file, clock);
            if (rebuilt != null) {
                move(rebuilt, file);
            }
            deleteTree(scratch);
            forceDirectory(dir);
            log.error("{}: cycle file {} is cut or damaged before its end (a reader stops there for good, and every later "
                    + "file would be out of reach): moved it aside to {}{}", dir, s.file(), aside.getFileName(),
                    s.hasRecords() ? "; wrote its readable records again, seq " + s.first() + " to " + s.last() + ", with an end marker"
                            : "; it held no readable record");
            queue = reopen.get();
        }
        return queue;
    }

    /**
     * Writes the readable records of {@code s} into a cycle file of the same cycle in a scratch queue, and its
     * end marker: Chronicle writes one only when an appender rolls to the next cycle, so the scratch
     * appender rolls (into a file of the next cycle that stays in the scratch directory and is deleted).
     */
    private static Path rewrite(SingleChronicleQueue queue, RollCycle rc, CycleFiles.Span s, Path scratch) {
        long start = queue.epoch() + (long) s.cycle() * rc.lengthInMillis();
        AtomicLong now = new AtomicLong(start);
        Path file;
        int written = 0;
        try (SingleChronicleQueue out = SingleChronicleQueueBuilder.binary(scratch).rollCycle(rc).epoch(queue.epoch())
                .timeProvider(now::get).build();
                ExcerptAppender appender = out.createAppender();
                RecordTailer in = new RecordTailer(queue)) {
            RecordCodec codec = new RecordCodec();
            if (in.moveToCycle(s.cycle())) {
                try {
                    for (WalRecord r = in.next(); r != null && in.cycle() == s.cycle() && r.sequence() <= s.last(); r = in.next()) {
                        write(appender, codec, r);
                        written++;
                    }
                } catch (RuntimeException | InternalError | AssertionError e) {
                    if (!RecordTailer.isFault(e)) {
                        throw e;
                    }
                    // the cut: s.last() said where it is, this read went as far as it could
                }
            }
            file = appender.currentFile() == null ? null : appender.currentFile().toPath();
            now.set(start + rc.lengthInMillis());
            try (DocumentContext dc = appender.writingDocument(true)) {
                dc.wire().bytes().writeByte((byte) 0); // the roll that ends cycle s; this file is thrown away
            }
        }
        if (file == null || written == 0 || !file.getFileName().toString().equals(s.file())) {
            throw new WalException(Reason.IO, queue.fileAbsolutePath() + ": could not write the readable records of the cut "
                    + "cycle file " + s.file() + " again (" + written + " written to " + file + "): move it aside to open the "
                    + "log (its records are lost)");
        }
        force(file);
        return file;
    }

    /**
     * The newest file cut short inside its records: Chronicle would append after its recorded end, beyond
     * the cut, where no reader ever gets (the bytes between read as zeros), so every record written from
     * now on would be lost at the next open. Its readable records are appended again to a fresh file
     * (appending keeps the log in sequence order: nothing comes after them).
     */
    static SingleChronicleQueue newestCycle(Path dir, SingleChronicleQueue queue, Supplier<SingleChronicleQueue> reopen,
            Clock clock) {
        List<WalRecord> kept = new java.util.ArrayList<>();
        int lastCycle = queue.lastCycle();
        try (RecordTailer in = new RecordTailer(queue)) {
            if (in.moveToCycle(lastCycle)) {
                for (WalRecord r = in.next(); r != null && in.cycle() == lastCycle; r = in.next()) {
                    kept.add(r);
                }
            }
        } catch (RuntimeException | InternalError | AssertionError e) {
            if (!RecordTailer.isFault(e)) {
                throw e;
            }
            // the cut: everything before it is in kept
        }
        queue.close();
        Path aside = moveAside(newestCycleFile(dir), clock);
        log.error("{}: moved the cut cycle file aside to {}; appending its {} readable records again (seq {} to {})", dir,
                aside.getFileName(), kept.size(), kept.isEmpty() ? "-" : kept.get(0).sequence(),
                kept.isEmpty() ? "-" : kept.get(kept.size() - 1).sequence());
        SingleChronicleQueue fresh = reopen.get();
        RecordCodec codec = new RecordCodec();
        try (ExcerptAppender appender = fresh.createAppender()) {
            for (WalRecord r : kept) {
                write(appender, codec, r);
            }
        }
        if (!kept.isEmpty()) {
            // On disk before the log counts them as durable (the writer starts with everything up to its end durable).
            force(newestCycleFile(dir));
        }
        return fresh; // with nothing readable left, the next append starts a new file
    }

    private static void write(ExcerptAppender appender, RecordCodec codec, WalRecord r) {
        byte[] type = RecordCodec.tag("type", r.type(), true);
        byte[] instance = RecordCodec.tag("instance", r.instance(), false);
        byte[] version = RecordCodec.tag("version", r.version(), false);
        byte[] buf = codec.encode(r.sequence(), r.timeMicros(), type, instance, version, r.payload());
        int len = RecordCodec.encodedLength(type, instance, version, r.payload());
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(buf, 0, len);
        }
    }

    private static Path moveAside(Path damaged, Clock clock) {
        Path aside = damaged.resolveSibling(damaged.getFileName() + ".cut-" + clock.millis());
        try {
            Files.move(damaged, aside);
            return aside;
        } catch (IOException e) {
            throw new WalException(Reason.IO, "cannot move the cut cycle file " + damaged + " aside: " + e.getMessage(), e);
        }
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new WalException(Reason.IO, "cannot move the salvaged cycle file " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    private static Path newestCycleFile(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).max(Comparator.naturalOrder())
                    .orElseThrow(() -> new WalException(Reason.IO, dir + ": no cycle file to move aside"));
        } catch (IOException e) {
            throw new WalException(Reason.IO, "cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void force(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            throw new WalException(Reason.IO, "cannot force the salvaged records of " + file + ": " + e.getMessage(), e);
        }
    }

    private static void forceDirectory(Path dir) {
        try {
            WalDirectory.forceDirectory(dir);
        } catch (IOException e) {
            throw new WalException(Reason.IO, "cannot force " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new WalException(Reason.IO, "cannot delete the scratch directory " + root + ": " + e.getMessage(), e);
        }
    }
}
