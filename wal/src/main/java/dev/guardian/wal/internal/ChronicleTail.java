package dev.guardian.wal.internal;

import dev.guardian.wal.WalCursor;
import dev.guardian.wal.WalRecord;
import dev.guardian.wal.WalTail;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tail: one daemon thread that owns a cursor (created on that thread, as Chronicle requires) and
 * hands records to the consumer. When nothing is new it parks, backing off from 20 µs to 1 ms.
 * A consumer that throws is logged and skipped; any other failure is logged and the cursor is
 * reopened after the last delivered record, so the thread never dies silently.
 * {@code running} and {@code lastDelivered} are volatile; everything else is confined to the thread.
 */
final class ChronicleTail implements WalTail {
    private static final Logger log = LoggerFactory.getLogger(ChronicleTail.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ChronicleWalReader reader;
    private final long from;
    private final Consumer<WalRecord> consumer;
    private final Consumer<ChronicleTail> onClose;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long lastDelivered;

    ChronicleTail(ChronicleWalReader reader, long from, Consumer<WalRecord> consumer, Consumer<ChronicleTail> onClose) {
        this.reader = reader;
        this.from = from;
        this.consumer = consumer;
        this.onClose = onClose;
        this.thread = new Thread(this::run, "wal-tail-" + IDS.incrementAndGet());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (running) {
            try (WalCursor cursor = reader.read(lastDelivered > 0 ? lastDelivered + 1 : from)) {
                long park = 20_000;
                while (running) {
                    WalRecord r = cursor.next();
                    if (r == null) {
                        LockSupport.parkNanos(park);
                        park = Math.min(park * 2, MAX_PARK_NANOS);
                        continue;
                    }
                    park = 20_000;
                    try {
                        consumer.accept(r);
                    } catch (RuntimeException e) {
                        log.warn("tail consumer failed on record {}; continuing with the next", r.sequence(), e);
                    }
                    lastDelivered = r.sequence();
                }
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                log.error("tail of {} failed after record {}; reopening", reader.directory(), lastDelivered, e);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    @Override
    public long lastDelivered() {
        return lastDelivered;
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        onClose.accept(this);
    }
}
