package dev.guardian.wal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Semaphore;

/**
 * The writer that {@link WalCrashTest} kills: appends forever from several threads and prints
 * {@code A seq thread counter} for each record once it is acknowledged (durable under the mode).
 * Args: directory, durability, threads.
 */
public final class CrashChild {

    private CrashChild() {
    }

    /** The payload of a thread's n-th record: derivable by the parent from (thread, counter). */
    public static byte[] payload(int thread, long counter) {
        int filler = (int) ((counter * 7919 + thread * 104729L) % 3000);
        StringBuilder sb = new StringBuilder("t" + thread + "-c" + counter + "-");
        for (int i = 0; i < filler; i++) {
            sb.append((char) ('a' + (i + counter) % 26));
        }
        return sb.toString().getBytes(UTF_8);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Durability mode = Durability.valueOf(args[1]);
        int threads = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false, UTF_8);
        Wal wal = Wal.open(dir, WalConfig.ofDefaults().withDurability(mode).withGroup(64, Duration.ofMillis(1)));
        synchronized (out) {
            out.println("READY " + wal.lastSequence());
            out.flush();
        }
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                Semaphore window = new Semaphore(32);
                for (long c = 0; ; c++) {
                    window.acquireUninterruptibly();
                    long counter = c;
                    AppendTicket ticket = wal.append("request", "t" + id, "", payload(id, counter));
                    ticket.durable().thenAccept(seq -> {
                        synchronized (out) {
                            out.println("A " + seq + " " + id + " " + counter);
                            out.flush();
                        }
                        window.release();
                    });
                }
            }, "appender-" + t);
            th.start();
        }
        Thread.currentThread().join();
    }
}
