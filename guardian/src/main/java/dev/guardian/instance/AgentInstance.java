package dev.guardian.instance;

import dev.guardian.process.AgentProcess;
import dev.guardian.process.CpuPriority;
import dev.guardian.process.ExitStatus;
import dev.guardian.process.LaunchSpec;
import dev.guardian.process.Launcher;
import dev.guardian.process.ResourceUsage;
import dev.guardian.process.Signal;
import dev.guardian.protocol.Codec;
import dev.guardian.protocol.Frame;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolError;
import dev.guardian.protocol.ProtocolReader;
import dev.guardian.protocol.ProtocolWriter;
import dev.guardian.supervision.ExitReason;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running agent and its protocol session.
 *
 * <p>Threading: a reader thread owns the agent's stdout and completes futures; a writer thread
 * owns its stdin and drains a bounded queue (so that a caller never blocks on a stuck agent, and
 * lines written in a burst share one flush); timers (heartbeat, timeouts, the shutdown escalation)
 * run on a shared scheduler. State shared between them is in concurrent maps and atomics; no lock
 * is held while doing I/O or calling the listener.
 */
public final class AgentInstance {

    private static final Logger LOG = LoggerFactory.getLogger(AgentInstance.class);
    /** Written after a shutdown message: the writer flushes and closes the agent's stdin. */
    private static final Message CLOSE_STDIN = new Message.Shutdown(-1);
    private static final long LATENCY_FLOOR_NANOS = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long LATENCY_CAP_NANOS = TimeUnit.HOURS.toNanos(1);

    /** Where the instance is in its life. */
    public enum State { STARTING, RUNNING, STOPPING, EXITED }

    private final AgentProcess process;
    private final InstanceOptions options;
    private final InstanceListener listener;
    private final ScheduledExecutorService timers;
    private final ProtocolWriter writer;
    private final BlockingQueue<Message> stdin;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Message.Checkpoint>> checkpoints = new ConcurrentHashMap<>();
    private final CompletableFuture<Message.Ready> ready = new CompletableFuture<>();
    private final AtomicReference<CompletableFuture<Message.Initialized>> initialized = new AtomicReference<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final AtomicReference<String> killReason = new AtomicReference<>();
    private volatile ExitReason killedFor;
    private final AtomicLong nextNonce = new AtomicLong();
    private final AtomicLong lastPong = new AtomicLong(-1);
    private final AtomicInteger missedPings = new AtomicInteger();
    private final AtomicLong protocolErrors = new AtomicLong();
    private final AtomicLong checkpointIds = new AtomicLong();
    private final long startedNanos = System.nanoTime();
    private volatile ScheduledFuture<?> heartbeat;
    private volatile java.util.Set<String> handlingAtExit = java.util.Set.of();
    private volatile ResourceUsage lastUsage = ResourceUsage.UNKNOWN;
    /** The CPU wait time at the previous heartbeat: a ping missed while waiting for a CPU is not a hang. */
    private volatile long lastCpuWait = -1;
    private final AtomicLong starvedMisses = new AtomicLong();
    private volatile CpuPriority priority;
    /** Linux ids of this instance's reader and writer threads, whose priority follows the instance's. */
    private final java.util.Set<Integer> threadIds = ConcurrentHashMap.newKeySet();
    /** The Linux id of the reader thread (-1 before it runs): a pong waits for it. */
    private volatile int readerTid = -1;
    /** The Linux id of the writer thread (-1 before it runs): a ping waits for it. */
    private volatile int writerTid = -1;
    /** The nonce of the newest ping the writer thread has written and flushed to the agent. */
    private volatile long pingWritten;
    /** The writer thread's CPU wait at the previous heartbeat (-1: unknown). */
    private volatile long lastWriterWait = -1;
    /**
     * Answer latencies in nanoseconds; written by the reader thread, read by status. A fixed range
     * (1 µs to 1 h, longer is counted as 1 h) and two digits, not an auto-resizing histogram: a lagging
     * shadow's latencies grow, and each doubling of the range allocated new arrays of up to half a
     * megabyte that then lived on; with a hundred followers, those were most of what each young
     * collection had to copy.
     */
    private final ConcurrentHistogram latency = new ConcurrentHistogram(LATENCY_FLOOR_NANOS, LATENCY_CAP_NANOS, 2);
    /** Set once a request was sent whose timeout the heartbeat checks: only then does it look. */
    private volatile boolean timedByHeartbeat;

    /**
     * A request waiting for its answer; {@code timeout} is null when the heartbeat times it out;
     * {@code written} once the writer thread has handed it to the agent's stdin.
     */
    private record Pending(CompletableFuture<Message.Response> future, ScheduledFuture<?> timeout, long sentNanos,
            java.util.concurrent.atomic.AtomicBoolean written) {
        void cancelTimeout() {
            if (timeout != null) {
                timeout.cancel(false);
            }
        }
    }

    private AgentInstance(AgentProcess process, CpuPriority priority, InstanceOptions options, InstanceListener listener,
            ScheduledExecutorService timers) {
        this.process = process;
        this.priority = priority;
        this.options = options;
        this.listener = listener;
        this.timers = timers;
        Codec codec = Codec.withMaxLineBytes(options.maxLineBytes());
        this.writer = codec.writer(process.stdin());
        this.stdin = new ArrayBlockingQueue<>(options.stdinQueue());
        ProtocolReader reader = codec.reader(process.stdout());
        thread("stdout-" + id(), () -> {
            readerTid = CpuPriority.currentThreadId();
            readLoop(reader);
        }).start();
        thread("stdin-" + id(), this::writeLoop).start();
        process.onExit().whenComplete((status, error) -> exited(status));
        timers.schedule(() -> {
            if (!ready.isDone()) {
                kill(ExitReason.FAILED_TO_START, "no ready message within " + options.startupTimeout().toMillis() + " ms");
            }
        }, options.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Launches the agent and starts its session; call {@link #handshake} next. */
    public static AgentInstance start(Launcher launcher, LaunchSpec spec, InstanceOptions options,
            InstanceListener listener, ScheduledExecutorService timers) throws IOException {
        return new AgentInstance(launcher.launch(spec), spec.priority(), options, listener, timers);
    }

    public String id() {
        return process.instanceId();
    }

    public AgentProcess process() {
        return process;
    }

    public State state() {
        return state.get();
    }

    /** Late pongs not counted as misses because the (idle-priority) instance was starved of CPU. */
    public long starvedMisses() {
        return starvedMisses.get();
    }

    public CpuPriority priority() {
        return priority;
    }

    /** True once the agent has said {@code ready} (and has not ended since). */
    public boolean isReady() {
        return ready.isDone() && !ready.isCompletedExceptionally();
    }

    /**
     * Changes the CPU priority of the agent's process (every thread and child) and of Guardian's
     * threads that serve it (a promoted shadow goes back to normal); false when the agent's could not
     * be set (raising it needs CAP_SYS_NICE or an RLIMIT_NICE that allows it).
     */
    public boolean setPriority(CpuPriority p) {
        priority = p;
        threadIds.forEach(tid -> p.forGuardianThreads().applyToThread(tid));
        return process.setPriority(p);
    }

    public Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /**
     * Waits for {@code ready}, sends {@code init} and waits for {@code initialized}. Completes with
     * the agent's ready message; fails (and kills the instance) when either does not come in time,
     * the protocol versions do not meet, or the agent cannot restore the memory.
     */
    public Message.Ready handshakeAndWait(Message.Init init)
            throws InterruptedException, java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
        // The ready wait and the init wait each have startup_timeout; a second more for the kill that ends a late one.
        return handshake(init).get(options.startupTimeout().toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
    }

    /** As {@link #handshakeAndWait}, without waiting. */
    public CompletableFuture<Message.Ready> handshake(Message.Init init) {
        CompletableFuture<Message.Initialized> done = new CompletableFuture<>();
        initialized.set(done);
        return ready.thenCompose(r -> {
            if (!r.protocol().contains(init.protocol())) {
                String why = "the agent speaks protocol " + r.protocol() + ", not " + init.protocol();
                kill(ExitReason.PROTOCOL_VIOLATION, why);
                return CompletableFuture.failedFuture(new InstanceException(InstanceException.Kind.PROTOCOL, why));
            }
            stdin.offer(init);
            return done.orTimeout(options.startupTimeout().toMillis(), TimeUnit.MILLISECONDS).thenApply(i -> {
                if (i.seq() != init.seq()) {
                    throw new InstanceException(InstanceException.Kind.PROTOCOL,
                            "initialized with seq " + i.seq() + " after init with seq " + init.seq());
                }
                state.compareAndSet(State.STARTING, State.RUNNING);
                return r;
            });
        }).whenComplete((r, error) -> {
            if (error != null) {
                kill(ExitReason.FAILED_TO_START, "handshake failed: " + describe(error));
            } else {
                startHeartbeat();
            }
        });
    }

    /** Sends a request and returns its answer; fails with an {@link InstanceException}. */
    public CompletableFuture<Message.Response> request(Message.Request request) {
        return request(request, false);
    }

    /**
     * As {@link #request(Message.Request)}; with {@code waitForRoom}, blocks while the stdin queue is
     * full instead of failing with {@code OVERLOADED} (recovery must not drop a redelivery).
     */
    public CompletableFuture<Message.Response> request(Message.Request request, boolean waitForRoom) {
        return request(request, waitForRoom, false);
    }

    /**
     * As {@link #request(Message.Request, boolean)} with {@code waitForRoom}, but no timer is scheduled
     * for its timeout: the heartbeat fails it once the request timeout has passed, up to one heartbeat
     * interval late. For instances beside the primary (shadows, canaries, controls) that take every
     * request: a timer per request meant a schedule and a cancel on the timer queue that all instances
     * and the primary share, under its one lock, from threads at the shadows' low priority.
     */
    public CompletableFuture<Message.Response> requestTimedByHeartbeat(Message.Request request) {
        timedByHeartbeat = true;
        return request(request, true, true);
    }

    private CompletableFuture<Message.Response> request(Message.Request request, boolean waitForRoom, boolean byHeartbeat) {
        if (state.get() == State.EXITED || state.get() == State.STOPPING) {
            return CompletableFuture.failedFuture(new InstanceException(InstanceException.Kind.GONE, id() + " is " + state.get()));
        }
        CompletableFuture<Message.Response> future = new CompletableFuture<>();
        ScheduledFuture<?> timeout = byHeartbeat ? null : timers.schedule(() -> timeOut(request.id()),
                options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        Pending mine = new Pending(future, timeout, System.nanoTime(), new java.util.concurrent.atomic.AtomicBoolean());
        Pending existing = pending.putIfAbsent(request.id(), mine);
        if (existing != null) {
            // The same id is already in flight here: both callers get its one answer.
            mine.cancelTimeout();
            return existing.future();
        }
        if (!offer(request, waitForRoom)) {
            pending.remove(request.id());
            mine.cancelTimeout();
            return CompletableFuture.failedFuture(new InstanceException(InstanceException.Kind.OVERLOADED,
                    id() + " has " + options.stdinQueue() + " messages waiting for its stdin"));
        }
        return future;
    }

    private boolean offer(Message m, boolean waitForRoom) {
        if (!waitForRoom) {
            return stdin.offer(m);
        }
        try {
            return waitForRoom(m);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits for room in the stdin queue while the instance lives; false once it has exited (its
     * writer is gone and nothing would ever drain the queue: waiting on would hang the caller).
     */
    private boolean waitForRoom(Message m) throws InterruptedException {
        while (state.get() != State.EXITED) {
            if (stdin.offer(m, 100, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    /** Room left in the stdin queue. */
    public int stdinRoom() {
        return stdin.remainingCapacity();
    }

    /**
     * Sends a replayed request (applied, not answered); blocks while the stdin queue is full.
     *
     * @throws InstanceException (GONE) when the instance exits before the request could be queued
     */
    public void replay(Message.Request request) throws InterruptedException {
        if (!request.replay()) {
            throw new IllegalArgumentException("not a replay: " + request.id());
        }
        if (!waitForRoom(request)) {
            throw new InstanceException(InstanceException.Kind.GONE, id() + " ended during replay");
        }
    }

    /** Asks for a checkpoint of everything sent so far. */
    public CompletableFuture<Message.Checkpoint> checkpoint() {
        String id = "ck-" + checkpointIds.incrementAndGet();
        CompletableFuture<Message.Checkpoint> future = new CompletableFuture<>();
        checkpoints.put(id, future);
        if (!stdin.offer(new Message.CheckpointRequest(id))) {
            checkpoints.remove(id);
            return CompletableFuture.failedFuture(new InstanceException(InstanceException.Kind.OVERLOADED, id() + " stdin queue full"));
        }
        return future.orTimeout(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((c, e) -> checkpoints.remove(id));
    }

    /** Sends a message that needs no answer (e.g. {@code proposal_result}); false when the queue is full. */
    public boolean send(Message message) {
        return stdin.offer(message);
    }

    /**
     * Stops the instance politely, then less so: {@code shutdown} and stdin EOF, SIGTERM to its
     * process group after {@code grace}, SIGKILL after {@code termGrace} more.
     */
    public CompletableFuture<ExitStatus> stop(Duration grace, Duration termGrace) {
        if (state.getAndUpdate(s -> s == State.EXITED ? s : State.STOPPING) != State.EXITED) {
            killedFor(ExitReason.STOPPED, "stopped by Guardian");
            // Its stdin closes now, so no pong can come: a heartbeat would kill it as hung before the
            // grace period is over. From here on only the escalation below ends it.
            ScheduledFuture<?> hb = heartbeat;
            if (hb != null) {
                hb.cancel(false);
            }
            stdin.clear();
            stdin.offer(new Message.Shutdown(grace.toMillis()));
            stdin.offer(CLOSE_STDIN);
            timers.schedule(() -> escalate(Signal.TERM, "did not exit within the shutdown grace period"),
                    grace.toMillis(), TimeUnit.MILLISECONDS);
            timers.schedule(() -> escalate(Signal.KILL, "did not exit after SIGTERM"),
                    grace.plus(termGrace).toMillis(), TimeUnit.MILLISECONDS);
        }
        return process.onExit();
    }

    /** Kills the instance's process group now, recording why (the first reason wins). */
    public void kill(ExitReason reason, String detail) {
        killedFor(reason, detail);
        if (process.alive()) {
            LOG.warn("killing {} ({}): {}", id(), reason, detail);
            process.signal(Signal.KILL);
        }
    }

    /**
     * The ids of the requests the agent had been given (written to its stdin) and had not answered
     * when it ended; empty while it runs. Only these can be to blame for its end: a request still
     * waiting in the queue, or sent while it was starting, never reached it.
     */
    public java.util.Set<String> handlingAtExit() {
        return handlingAtExit;
    }

    /** Requests sent and not answered yet (cheap: unlike {@link #stats()}, copies nothing). */
    public int inFlight() {
        return pending.size();
    }

    public InstanceStats stats() {
        return new InstanceStats(id(), process.describe(), state.get(), uptime(), pending.size(), stdin.size(),
                protocolErrors.get(), lastUsage, missedPings.get(), LatencySummary.of(latency.copy()));
    }

    private void killedFor(ExitReason reason, String detail) {
        if (killReason.compareAndSet(null, detail)) {
            killedFor = reason;
        }
    }

    private void escalate(Signal signal, String why) {
        if (process.alive()) {
            LOG.warn("{} {}: sending SIG{}", id(), why, signal);
            process.signal(signal);
        }
    }

    private void timeOut(String requestId) {
        Pending p = pending.remove(requestId);
        if (p != null) {
            p.future().completeExceptionally(new InstanceException(InstanceException.Kind.TIMEOUT,
                    id() + " did not answer " + requestId + " within " + options.requestTimeout().toMillis() + " ms"));
        }
    }

    /** Fails the requests without a timer whose timeout has passed. */
    private void timeOutOverdue() {
        long now = System.nanoTime();
        long limit = options.requestTimeout().toNanos();
        pending.forEach((id, p) -> {
            if (p.timeout() == null && now - p.sentNanos() >= limit) {
                timeOut(id);
            }
        });
    }

    private void startHeartbeat() {
        long period = options.heartbeatInterval().toMillis();
        heartbeat = timers.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    private void beat() {
        try {
            if (state.get() == State.EXITED || state.get() == State.STOPPING) {
                return;
            }
            if (timedByHeartbeat) {
                timeOutOverdue();
            }
            ResourceUsage usage = process.usage();
            long sent = nextNonce.get();
            // Read once per beat: the interval's CPU wait, for idle instances only (it walks /proc).
            long cpuWait = priority.idle() ? cpuWait(usage) : -1;
            int writer = writerTid;
            long writerWait = priority.idle() && writer > 0 ? CpuPriority.threadCpuWaitNanos(writer) : -1;
            if (sent > 0 && lastPong.get() < sent && !starved(cpuWait, writerWait, sent)) {
                int missed = missedPings.incrementAndGet();
                if (missed >= options.heartbeatMisses()) {
                    kill(ExitReason.HUNG, "no pong for " + missed + " pings in a row (every "
                            + options.heartbeatInterval().toMillis() + " ms)");
                    return;
                }
            }
            stdin.offer(new Message.Ping(nextNonce.incrementAndGet()));
            lastUsage = usage;
            lastCpuWait = cpuWait;
            lastWriterWait = writerWait;
            if (options.rssCapBytes() > 0 && usage.rssBytes() > options.rssCapBytes()) {
                kill(ExitReason.LEAKED, "resident memory " + (usage.rssBytes() >> 20) + " MB is over the cap of "
                        + (options.rssCapBytes() >> 20) + " MB");
            }
        } catch (RuntimeException e) {
            LOG.error("heartbeat of {} failed; it goes on", id(), e);
        }
    }

    /**
     * True when an idle-priority instance is kept from its pong by a busy machine rather than hung:
     * Guardian's writer thread has not even written the ping yet, or one of the agent's threads, or
     * Guardian's reader thread that takes its pong, is waiting for a CPU right now or waited for one
     * for at least a tenth of the last interval. (Linux counts a wait only once the thread gets the
     * CPU, hence both.) The writer's waits count only while the ping is not out: after that they would
     * excuse a hung agent for as long as the machine is busy. (A writer blocked on a full pipe waits for
     * no CPU: an agent that stopped reading is not excused.) A hung agent that sleeps (blocked, deadlocked,
     * stopped) waits for nothing; one that spins on a busy machine does, and is caught only once the
     * machine has CPU to spare for it — the price of running it at idle priority. Normal instances
     * get no such allowance.
     *
     * @param now        the CPU wait of the agent's threads and of the reader thread
     * @param writerNow  the CPU wait of the writer thread
     * @param sentPing   the nonce of the newest ping sent
     */
    private boolean starved(long now, long writerNow, long sentPing) {
        long before = lastCpuWait;
        if (!priority.idle() || before < 0 || now < 0) {
            return false;
        }
        long tenth = options.heartbeatInterval().toNanos() / 10;
        int reader = readerTid;
        int writer = writerTid;
        boolean pingHeldByWriter = pingWritten < sentPing && writer > 0 && (CpuPriority.threadRunnable(writer)
                || lastWriterWait >= 0 && writerNow - lastWriterWait >= tenth);
        boolean starved = pingHeldByWriter || now - before >= tenth || process.runnable()
                || reader > 0 && CpuPriority.threadRunnable(reader);
        if (starved) {
            starvedMisses.incrementAndGet();
            LOG.debug("{}: pong late while starved of CPU: not counted as a miss", id());
        }
        return starved;
    }

    /** CPU wait of the agent's threads and of this instance's reader thread in Guardian; -1 when unknown. */
    private long cpuWait(ResourceUsage usage) {
        long total = usage.cpuWaitNanos();
        int reader = readerTid;
        if (total < 0) {
            return -1;
        }
        return reader > 0 ? total + Math.max(0, CpuPriority.threadCpuWaitNanos(reader)) : total;
    }

    private void readLoop(ProtocolReader reader) {
        while (true) {
            Frame frame = reader.next();
            try {
                if (frame instanceof Frame.Closed) {
                    return;
                }
                if (frame instanceof Frame.Rejected rejected) {
                    failWhatATooLongLineAnswered(rejected.error());
                    protocolError(rejected.error());
                } else {
                    dispatch(((Frame.Received) frame).message());
                }
            } catch (RuntimeException e) {
                LOG.error("{}: error while handling a message from the agent; reading goes on", id(), e);
            }
        }
    }

    private void dispatch(Message m) {
        if (m instanceof Message.Response r) {
            Pending p = pending.remove(r.id());
            if (p != null) {
                p.cancelTimeout();
                latency.recordValue(Math.min(LATENCY_CAP_NANOS, Math.max(0, System.nanoTime() - p.sentNanos())));
                p.future().complete(r);
            } else {
                LOG.debug("{}: answer for {} came after its timeout, or was not asked for", id(), r.id());
            }
        } else if (m instanceof Message.Pong pong) {
            lastPong.accumulateAndGet(pong.nonce(), Math::max);
            missedPings.set(0);
        } else if (m instanceof Message.Checkpoint c) {
            CompletableFuture<Message.Checkpoint> asked = c.id() == null ? null : checkpoints.get(c.id());
            if (asked != null) {
                asked.complete(c);
            } else {
                listener.onCheckpoint(this, c);
            }
        } else if (m instanceof Message.Ready r) {
            ready.complete(r);
        } else if (m instanceof Message.Initialized i) {
            CompletableFuture<Message.Initialized> f = initialized.get();
            if (f != null) {
                f.complete(i);
            }
        } else if (m instanceof Message.Propose p) {
            listener.onPropose(this, p);
        } else if (m instanceof Message.Error e) {
            CompletableFuture<Message.Initialized> f = initialized.get();
            if ("restore_failed".equals(e.code()) && f != null && !f.isDone()) {
                f.completeExceptionally(new InstanceException(InstanceException.Kind.PROTOCOL,
                        "the agent could not restore its memory: " + e.message()));
            } else {
                LOG.warn("{} reports an error: {} {} (line: {})", id(), e.code(), e.message(), e.line());
            }
        } else {
            protocolError(new ProtocolError(ProtocolError.Kind.UNKNOWN_TYPE, "an agent must not send '" + m.type() + "'",
                    m.type(), 0));
        }
    }

    /**
     * An answer over the line limit was dropped unread: what waits for it fails now, instead of at
     * its timeout. A request gets the agent's error {@code line_too_long} (it was applied: the agent
     * answered it); a checkpoint fails. See {@link TooLongLine} for how the waiting one is found.
     */
    private void failWhatATooLongLineAnswered(ProtocolError error) {
        TooLongLine.Answered a = TooLongLine.answered(error, pending.keySet(), checkpoints.keySet());
        if (a == null) {
            return;
        }
        String why = "the agent's answer was " + error.lineBytes() + " bytes, more than protocol.max_line_bytes ("
                + options.maxLineBytes() + "); Guardian dropped it";
        LOG.warn("{}: {} {}: {}", id(), a.kind() == TooLongLine.Waiting.REQUEST ? "request" : "checkpoint", a.id(), why);
        if (a.kind() == TooLongLine.Waiting.CHECKPOINT) {
            CompletableFuture<Message.Checkpoint> c = checkpoints.get(a.id());
            if (c != null) {
                c.completeExceptionally(new InstanceException(InstanceException.Kind.PROTOCOL, why));
            }
            return;
        }
        Pending p = pending.remove(a.id());
        if (p != null) {
            p.cancelTimeout();
            p.future().complete(Message.Response.error(a.id(), error.kind().code(), why));
        }
    }

    private void protocolError(ProtocolError error) {
        long count = protocolErrors.incrementAndGet();
        if (count <= 10 || count % 1000 == 0) {
            LOG.warn("{}: protocol error #{}: {}", id(), count, error.describe());
        }
        listener.onProtocolError(this, error);
        if (options.maxProtocolErrors() > 0 && count > options.maxProtocolErrors()) {
            kill(ExitReason.PROTOCOL_VIOLATION, count + " protocol errors, more than the " + options.maxProtocolErrors()
                    + " tolerated; last: " + error.describe());
        }
    }

    private void writeLoop() {
        writerTid = CpuPriority.currentThreadId();
        long pinged = 0;
        try {
            while (true) {
                Message m = stdin.take();
                do {
                    if (m == CLOSE_STDIN) {
                        writer.close();
                        return;
                    }
                    writer.writeBuffered(m);
                    if (m instanceof Message.Ping ping) {
                        pinged = ping.nonce();
                    } else if (m instanceof Message.Request r && !r.replay()) {
                        Pending p = pending.get(r.id());
                        if (p != null) {
                            p.written().set(true);
                        }
                    }
                    m = stdin.poll();
                } while (m != null);
                writer.flush();
                pingWritten = pinged;
            }
        } catch (IOException e) {
            // The agent closed its stdin or died: its exit will be reported by the exit handler.
            LOG.debug("{}: stdin closed: {}", id(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void exited(ExitStatus status) {
        state.set(State.EXITED);
        ScheduledFuture<?> hb = heartbeat;
        if (hb != null) {
            hb.cancel(false);
        }
        stdin.clear();
        stdin.offer(CLOSE_STDIN);
        String detail = killReason.get() != null ? killReason.get() + " (" + status + ")" : String.valueOf(status);
        InstanceException gone = new InstanceException(InstanceException.Kind.GONE, id() + " ended: " + detail);
        java.util.Set<String> handling = new java.util.HashSet<>();
        pending.forEach((id, p) -> {
            if (p.written().get()) {
                handling.add(id);
            }
        });
        handlingAtExit = java.util.Set.copyOf(handling);
        ready.completeExceptionally(gone);
        CompletableFuture<Message.Initialized> init = initialized.get();
        if (init != null) {
            init.completeExceptionally(gone);
        }
        pending.values().forEach(p -> {
            p.cancelTimeout();
            p.future().completeExceptionally(gone);
        });
        pending.clear();
        checkpoints.values().forEach(c -> c.completeExceptionally(gone));
        ExitReason reason = killedFor != null ? killedFor
                : status != null && status.normal() ? ExitReason.NORMAL : ExitReason.CRASHED;
        try {
            listener.onExit(this, reason, detail);
        } catch (RuntimeException e) {
            LOG.error("exit listener of {} failed", id(), e);
        }
    }

    private static String describe(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof java.util.concurrent.TimeoutException) {
            return "timed out";
        }
        return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    }

    /** A thread serving this instance, at {@link CpuPriority#forGuardianThreads()} of the instance's priority. */
    private Thread thread(String name, Runnable body) {
        Thread t = new Thread(() -> {
            int tid = CpuPriority.currentThreadId();
            if (tid > 0) {
                threadIds.add(tid);
                CpuPriority p = priority;
                if (!p.isNormal()) {
                    p.forGuardianThreads().applyToThread(tid);
                }
            }
            body.run();
        }, name);
        t.setDaemon(true);
        return t;
    }
}
