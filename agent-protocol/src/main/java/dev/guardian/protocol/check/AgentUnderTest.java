package dev.guardian.protocol.check;

import dev.guardian.protocol.Codec;
import dev.guardian.protocol.Frame;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolError;
import dev.guardian.protocol.ProtocolReader;
import dev.guardian.protocol.ProtocolWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One launched agent process for the checker. A reader thread turns its stdout into frames in a
 * bounded queue (messages beyond it are dropped and counted), and a second thread keeps only the
 * tail of its stderr, so that neither a flooding nor a silent agent can hurt the checker.
 * Used by one checking thread; the reader threads only touch the queue and the counters.
 */
final class AgentUnderTest implements AutoCloseable {

    private static final int QUEUE_CAPACITY = 1_024;
    private static final int STDERR_TAIL = 2_048;
    private static final int HISTORY_LIMIT = 10_000;

    private final Process process;
    private final ProtocolWriter stdin;
    private final BlockingQueue<Frame> frames = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong droppedFrames = new AtomicLong();
    private final AtomicLong rejectedLines = new AtomicLong();
    private volatile ProtocolError firstRejected;
    private final StringBuilder stderrTail = new StringBuilder();
    /** Every message taken from the queue, for rules that look back (bounded). */
    private final List<Message> history = new ArrayList<>();
    private volatile boolean stdoutClosed;

    private AgentUnderTest(Process process, Codec codec) {
        this.process = process;
        this.stdin = codec.writer(process.getOutputStream());
        ProtocolReader reader = codec.reader(process.getInputStream());
        daemon("agent-check-stdout", () -> readFrames(reader)).start();
        daemon("agent-check-stderr", () -> drainStderr(process.getErrorStream())).start();
    }

    static AgentUnderTest start(List<String> command, Codec codec) throws IOException {
        return new AgentUnderTest(new ProcessBuilder(command).start(), codec);
    }

    /** Sends a message; false when the agent's stdin is closed (it died). */
    boolean send(Message m) {
        try {
            stdin.write(m);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    boolean sendRaw(String line) {
        try {
            stdin.writeRaw(line.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    void closeStdin() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // Already closed because the agent exited: the same outcome.
        }
    }

    /**
     * Waits for the next message that matches, keeping the others in the history. Null when none
     * came within the timeout or stdout closed first.
     */
    <T extends Message> T await(Class<T> type, Predicate<T> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Frame f;
            try {
                f = frames.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            if (f == null || f instanceof Frame.Closed) {
                if (f != null) {
                    frames.offer(f); // keep the end visible to later waits
                    return null;
                }
                continue;
            }
            Message m = ((Frame.Received) f).message();
            if (history.size() < HISTORY_LIMIT) {
                history.add(m);
            }
            if (type.isInstance(m) && match.test(type.cast(m))) {
                return type.cast(m);
            }
        }
    }

    <T extends Message> T await(Class<T> type, Duration timeout) {
        return await(type, m -> true, timeout);
    }

    List<Message> history() {
        return history;
    }

    /** Waits for the process to exit; true when it did within the timeout. */
    boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    String exitDescription() {
        return process.isAlive() ? "still running" : "exited with status " + process.exitValue();
    }

    long rejectedLines() {
        return rejectedLines.get();
    }

    ProtocolError firstRejected() {
        return firstRejected;
    }

    long droppedFrames() {
        return droppedFrames.get();
    }

    boolean stdoutClosed() {
        return stdoutClosed;
    }

    String stderrTail() {
        synchronized (stderrTail) {
            return stderrTail.toString().strip();
        }
    }

    @Override
    public void close() {
        closeStdin();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(5));
    }

    private void readFrames(ProtocolReader reader) {
        while (true) {
            Frame f = reader.next();
            if (f instanceof Frame.Rejected r) {
                if (rejectedLines.getAndIncrement() == 0) {
                    firstRejected = r.error();
                }
                continue;
            }
            if (f instanceof Frame.Closed) {
                stdoutClosed = true;
                // The end must get through even when the queue is full of unread messages.
                while (!frames.offer(f)) {
                    frames.poll();
                }
                return;
            }
            if (!frames.offer(f)) {
                droppedFrames.incrementAndGet();
            }
        }
    }

    private void drainStderr(InputStream err) {
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = err.read(buf)) > 0) {
                synchronized (stderrTail) {
                    stderrTail.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    if (stderrTail.length() > STDERR_TAIL) {
                        stderrTail.delete(0, stderrTail.length() - STDERR_TAIL);
                    }
                }
            }
        } catch (IOException ignored) {
            // The agent is gone; its stderr tail is what we have.
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }
}
