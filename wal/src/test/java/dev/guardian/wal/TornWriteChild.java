package dev.guardian.wal;

import java.nio.file.Path;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Dies in the middle of writing a document, deterministically: opens the queue directly, starts a
 * document, writes half a record's worth of bytes and halts the JVM without closing it, which is
 * what a SIGKILL during an append leaves behind. Args: directory.
 */
public final class TornWriteChild {

    private TornWriteChild() {
    }

    @SuppressWarnings("resource")
    public static void main(String[] args) {
        SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(Path.of(args[0])).rollCycle(RollCycles.FAST_HOURLY).build();
        ExcerptAppender a = q.createAppender();
        DocumentContext dc = a.writingDocument();
        dc.wire().bytes().writeInt(0x47570001).writeLong(999_999L).write(new byte[500]);
        System.out.println("HALF-WRITTEN");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
