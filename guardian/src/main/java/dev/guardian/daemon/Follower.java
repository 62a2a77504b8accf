package dev.guardian.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.evolution.compare.AgreementTracker;
import dev.guardian.evolution.metrics.MetricWindow;
import dev.guardian.evolution.traffic.TrafficSplit;
import dev.guardian.evolution.version.Version;
import dev.guardian.instance.AgentInstance;
import dev.guardian.instance.InstanceException;
import dev.guardian.instance.InstanceListener;
import dev.guardian.process.CpuPriority;
import dev.guardian.process.Launcher;
import dev.guardian.process.ResourceUsage;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolError;
import dev.guardian.supervision.ExitReason;
import dev.guardian.vault.CheckpointData;
import dev.guardian.vault.Vault;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An instance that follows the primary's traffic: a candidate version (shadow or canary), or a
 * control — a fresh instance of the baseline version started with it, at the same priority, that
 * the judge compares the candidate with. (Comparing with the long-running primary would blame a
 * fresh, lower-priority process for its cold start and its priority, not for its code.)
 *
 * <p>It starts from the primary's latest checkpoint, replays the log after it, then applies every
 * new request in sequence order (stateful routing: whatever share of answers it gives, it applies
 * everything). It never slows the primary: it takes the requests from the primary's
 * {@link MirrorRing} at its own pace, keeping only a cursor, and when more than its bound wait
 * (rollout.follower_queue) it sheds the oldest and counts them. A follower that shed no longer has
 * the primary's memory: its answers are compared no more, and a promotion starts the version afresh
 * from the log instead of taking over this instance. Its answers are timed into its metric window
 * and, for a candidate, compared with the primary's.
 *
 * <p>Nothing here takes a lock the primary needs: a shadow's threads run at a low priority, and a
 * lock that a starved feeder held would stall the primary until the feeder got a CPU again. For the
 * same reason at most {@link #IN_FLIGHT} requests are in the agent's pipe at once: a starved shadow's
 * backlog stays in the ring, where it is shed and counted, instead of in its stdin, where heartbeats
 * and timeouts would wait behind it. A {@link FollowerFeeder} shared by many followers moves the
 * waiting requests to the agent.
 */
final class Follower implements RequestTap {

    private static final Logger LOG = LoggerFactory.getLogger(Follower.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int IN_FLIGHT = 64;

    /** What the follower tells its rollout. */
    interface Events {
        void exited(Follower f, ExitReason reason, String detail);
    }

    private final String instanceId;
    private final Version version;
    private final PrimarySupervisor primary;
    private final TrafficSplit split;
    private final String stickyKey;
    private final Events events;
    /** Requests that may wait for this follower; past it the oldest are shed (rollout.follower_queue). */
    private final int queueBound;
    /** Requests shed since the start (a stage's window counts only its own). */
    private final java.util.concurrent.atomic.AtomicLong shed = new java.util.concurrent.atomic.AtomicLong();
    /** The sequence of the first request shed; from it on, the agent's memory lacks a request the primary has. */
    private volatile long firstShedSeq = Long.MAX_VALUE;
    private final MirrorRing ring;
    /** The ring index of the next request to take; written only by the feeder's thread (and by start, before it). */
    private volatile long next = Long.MAX_VALUE;
    /** The ring index of the last request for this follower: set when it is taken off the traffic to be promoted. */
    private volatile long until = Long.MAX_VALUE;
    /** The client futures of requests that a canary answers, by ring index, until it takes them. */
    private final java.util.Map<Long, CompletableFuture<Outcome>> answering = new java.util.concurrent.ConcurrentHashMap<>();
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private final ConcurrentSkipListSet<Long> unanswered = new ConcurrentSkipListSet<>();
    private final SwitchableListener listener = new SwitchableListener();
    private final MetricWindow window;
    /** Null for a control: only a candidate's answers are compared with the primary's. */
    private final AgreementTracker agreement;
    private volatile int percent;
    private volatile long lastFed;
    private final java.util.concurrent.atomic.AtomicLong lastAnswer = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
    private volatile boolean closed;
    private volatile AgentInstance instance;
    private volatile FollowerFeeder feeder;
    /** System.nanoTime() when {@link #stop} had detached it from the traffic (0 before): a benchmark hook. */
    private volatile long detachedAt;

    /**
     * @param split     chooses the requests whose answer a candidate gives (null for a control)
     * @param agreement compares a candidate's answers with the primary's (null for a control)
     */
    Follower(String instanceId, Version version, PrimarySupervisor primary, TrafficSplit split, String stickyKey,
            int queueBound, MetricWindow window, AgreementTracker agreement, Events events) {
        this.instanceId = instanceId;
        this.queueBound = queueBound;
        this.version = version;
        this.primary = primary;
        this.split = split;
        this.stickyKey = stickyKey;
        this.window = window;
        this.agreement = agreement;
        this.events = events;
        this.ring = primary.mirrored();
    }

    MetricWindow window() {
        return window;
    }

    AgreementTracker agreement() {
        return agreement;
    }

    String instanceId() {
        return instanceId;
    }

    Version version() {
        return version;
    }

    AgentInstance instance() {
        return instance;
    }

    void setPercent(int p) {
        percent = p;
    }

    int percent() {
        return percent;
    }

    /**
     * Starts the process, restores the primary's latest checkpoint, replays the log after it and
     * starts following live traffic. Fails (with the process stopped) when any step does.
     */
    void start(Launcher launcher, Vault vault, ScheduledExecutorService timers, CpuPriority priority, FollowerFeeder feeder) throws Exception {
        try {
            instance = AgentInstance.start(launcher, primary.launchSpec(instanceId, version, priority),
                    primary.instanceOptions(), listener, timers);
            listener.retarget(new Watch());
            Optional<CheckpointData> checkpoint = vault.latestValid(PrimarySupervisor.LINEAGE);
            JsonNode memory = null;
            long seq = 0;
            if (checkpoint.isPresent()) {
                memory = primary.memoryOf(checkpoint.get());
                seq = memory == null ? 0 : checkpoint.get().checkpoint().walSeq();
            }
            Message.Role role = percent > 0 ? Message.Role.CANARY : Message.Role.SHADOW;
            instance.handshakeAndWait(new Message.Init(1, instanceId, role, version.genome(), memory, seq));
            // The checkpoint itself covers up to seq: a promotion without later traffic must not wait.
            lastFed = Math.max(lastFed, seq);
            replayAfter(seq);
            // Attached only now, so that nothing queues here (and is shed) while the agent boots; the
            // requests logged between that replay and the attach are replayed next (drain skips those
            // it then finds in the ring).
            PrimarySupervisor.Attachment attached = primary.attach(this);
            next = attached.firstIndex();
            if (attached.unseenSeq() > lastFed) {
                replayAfter(lastFed);
            }
            this.feeder = feeder;
            feeder.add(this);
        } catch (Exception e) {
            stop(Duration.ZERO);
            throw e;
        }
    }

    private void replayAfter(long seq) throws InterruptedException, IOException {
        RequestLog log = primary.log();
        java.util.List<RequestLog.Logged> batch = new java.util.ArrayList<>();
        log.readAfter(seq, r -> {
            if (RequestLog.REQUEST.equals(r.type()) && !primary.isSkipped(r.sequence())) {
                batch.add(log.request(r));
            }
        });
        for (RequestLog.Logged req : batch) {
            instance.replay(new Message.Request(req.id(), req.seq(), req.payload(), true));
            lastFed = req.seq();
        }
        LOG.info("{} ({}) replayed {} requests after seq {} up to seq {}", instanceId, version.id(), batch.size(), seq,
                lastFed);
    }

    @Override
    public CompletableFuture<Outcome> offer(MirrorRing.Entry request) {
        int p = percent;
        if (closed || p == 0 || split == null || request.index() - next >= queueBound
                || !split.candidateAnswers(TrafficSplit.stickyKey(request.payload(), stickyKey).orElse(null), request.seq(), p)) {
            return null;
        }
        // Noted before the request is published in the ring, so that the feeder finds it when it takes the request.
        CompletableFuture<Outcome> client = new CompletableFuture<>();
        answering.put(request.index(), client);
        if (closed && answering.remove(request.index()) != null) {
            // stop() may have failed the waiting answers just before: the client falls back now.
            client.completeExceptionally(new IllegalStateException("the candidate stopped"));
        }
        return client;
    }

    @Override
    public void detached(long lastIndex) {
        until = lastIndex;
    }

    /** The newest request in the ring that is for this follower. */
    private long newest() {
        return Math.min(ring.newest(), until);
    }

    /** The request is in the ring now: wakes the feeder (at once when a client waits for this follower's answer). */
    @Override
    public void published(MirrorRing.Entry request) {
        FollowerFeeder f = feeder;
        if (f != null) {
            f.signal(!answering.isEmpty() && answering.containsKey(request.index()));
        }
    }

    /**
     * Hands waiting requests to the agent while fewer than {@link #IN_FLIGHT} are in it, and sheds the
     * oldest past the bound; on the feeder's thread, never blocking on this follower. True when it
     * handed over, dropped or shed any.
     */
    boolean drain() {
        boolean any = false;
        AgentInstance target = instance;
        while (!closed) {
            long newest = newest();
            long i = next;
            if (i > newest) {
                break;
            }
            if (newest - i >= queueBound) {
                shed(i, newest - queueBound + 1);
                any = true;
                continue;
            }
            MirrorRing.Entry e = ring.get(i);
            if (e == null) {
                // Overwritten while this follower looked (its thread was starved of CPU): shed as well.
                shed(i, i + 1);
                any = true;
                continue;
            }
            if (!inFlight.tryAcquire()) {
                break;
            }
            next = i + 1;
            any = true;
            CompletableFuture<Outcome> client = answering.isEmpty() ? null : answering.remove(i);
            if (e.seq() <= lastFed || primary.isSkipped(e.seq())) {
                // Covered by the replay, or set aside as poison: the client gets the primary's answer.
                inFlight.release();
                if (client != null) {
                    client.completeExceptionally(new IllegalStateException("not sent to the candidate"));
                }
                continue;
            }
            send(target, e, client);
        }
        return any;
    }

    /** Skips the requests from ring index {@code from} up to (not including) {@code to}, counting them as shed. */
    private void shed(long from, long to) {
        long n = to - from;
        if (shed.getAndAdd(n) == 0) {
            // The exact sequence of the first one may be overwritten already: what follows the last one sent is.
            firstShedSeq = lastFed + 1;
            LOG.warn("{} sheds from seq {} on (more than {} requests wait for it): its memory now lacks requests the "
                    + "primary applied, so its answers are compared no more and a promotion starts it afresh", instanceId,
                    firstShedSeq, queueBound);
        }
        window.recordShed(n);
        for (long i = from; i < to && !answering.isEmpty(); i++) {
            CompletableFuture<Outcome> client = answering.remove(i);
            if (client != null) {
                client.completeExceptionally(new IllegalStateException("shed by the candidate"));
            }
        }
        next = to;
    }

    /** True when {@link #drain} would hand something over, or shed, now. */
    boolean ready() {
        if (closed) {
            return false;
        }
        long waiting = newest() - next + 1;
        return waiting > 0 && (inFlight.availablePermits() > 0 || waiting > queueBound);
    }

    private void send(AgentInstance target, MirrorRing.Entry m, CompletableFuture<Outcome> client) {
        unanswered.add(m.seq());
        lastFed = m.seq();
        long sent = System.nanoTime();
        target.requestTimedByHeartbeat(new Message.Request(m.id(), m.seq(), m.payload(), false)).whenComplete((r, e) -> {
            unanswered.remove(m.seq());
            inFlight.release();
            if (next <= newest()) {
                // Room again for what waits here (the feeder passed this follower over while it was full).
                feeder.signal(false);
            }
            if (e == null) {
                window.recordAnswer(serviceTime(sent), r.ok());
                Outcome mine = Outcome.of(m.seq(), r);
                if (client != null) {
                    client.complete(mine);
                }
                // Compared once the primary has answered the same request; not after a shed request,
                // which a stateful agent's later answers may rightly reflect.
                if (agreement != null && m.seq() < firstShedSeq) {
                    m.primary().thenAccept(theirs -> {
                        if (theirs instanceof Outcome.Answered a) {
                            if (identical(a, mine)) {
                                agreement.recordIdentical(m.seq());
                            } else {
                                agreement.record(m.seq(), envelope(theirs), envelope(mine));
                            }
                        }
                    });
                }
            } else {
                if (PrimarySupervisor.cause(e) instanceof InstanceException ie && ie.kind() == InstanceException.Kind.TIMEOUT) {
                    window.recordTimeout();
                }
                if (client != null) {
                    client.completeExceptionally(e);
                }
            }
        });
    }

    /**
     * How long the agent worked on an answer: from when it could start on the request — sent, or
     * its previous answer if that came later — to now. Requests are pipelined to the agent, so
     * the time since sending would also count the wait behind earlier requests (after a catch-up,
     * or a burst), and blame a follower for its backlog rather than for its speed; a slow version
     * still shows as slow, since each answer takes it longer.
     */
    private long serviceTime(long sent) {
        long now = System.nanoTime();
        long previous = lastAnswer.getAndAccumulate(now, Math::max);
        return now - Math.max(sent, previous);
    }

    /**
     * Requests shed since the start, counting those past the bound that the feeder has not skipped yet;
     * when any, this instance's memory lacks requests the primary applied.
     */
    long shedTotal() {
        long i = next;
        long over = i == Long.MAX_VALUE ? 0 : newest() - i + 1 - queueBound;
        return shed.get() + Math.max(0, over);
    }

    /** The newest sequence up to which this follower has applied every request it was given. */
    long appliedUpTo() {
        // ceiling, not isEmpty() then first(): an answer may empty the set in between (NoSuchElementException).
        Long first = unanswered.ceiling(Long.MIN_VALUE);
        return first == null ? lastFed : first - 1;
    }

    /** RSS and CPU of the candidate's process, into its window. */
    void sample() {
        AgentInstance i = instance;
        if (i != null && i.state() == AgentInstance.State.RUNNING) {
            ResourceUsage u = i.process().usage();
            if (u.rssBytes() >= 0) {
                window.sampleResources(u.rssBytes(), Math.max(0, u.cpuNanos()) / 1e9);
            }
        }
    }

    /** Stops following traffic and stops the process (its pending client answers fall back to the primary's). */
    void stop(Duration grace) {
        closed = true;
        primary.release(this);
        FollowerFeeder f = feeder;
        if (f != null) {
            f.remove(this);
        }
        for (Long i : answering.keySet()) {
            CompletableFuture<Outcome> client = answering.remove(i);
            if (client != null) {
                client.completeExceptionally(new IllegalStateException("the candidate stopped"));
            }
        }
        detachedAt = System.nanoTime();
        AgentInstance i = instance;
        if (i != null) {
            i.stop(grace, Duration.ofSeconds(1));
        }
    }

    /**
     * {@code System.nanoTime()} when {@link #stop} had detached this follower from the traffic (no new
     * request reaches it, its queued client answers fell back to the primary's), or 0 before.
     */
    long detachedAt() {
        return detachedAt;
    }

    /** Stops following traffic as a candidate: after promotion the instance lives on as the primary. */
    void retire() {
        closed = true;
        primary.release(this);
        FollowerFeeder f = feeder;
        if (f != null) {
            f.remove(this);
        }
    }

    SwitchableListener listener() {
        return listener;
    }

    /**
     * Both answers ok with the same payload bytes: equal for any comparator, and found so without
     * parsing either payload (which building the envelopes would, on the shadow's reader thread).
     */
    static boolean identical(Outcome.Answered theirs, Outcome mine) {
        return mine instanceof Outcome.Answered a && theirs.ok() && a.ok()
                && java.util.Arrays.equals(theirs.response().rawPayload(), a.response().rawPayload());
    }

    static JsonNode envelope(Outcome o) {
        ObjectNode n = JSON.createObjectNode();
        if (o instanceof Outcome.Answered a) {
            n.put("ok", a.ok());
            if (a.ok()) {
                n.set("payload", a.payload());
            } else {
                n.putObject("error").put("code", a.errorCode()).put("message", a.errorMessage());
            }
        } else if (o instanceof Outcome.Failed f) {
            n.put("ok", false);
            n.putObject("error").put("code", f.kind().name().toLowerCase(java.util.Locale.ROOT)).put("message", f.message());
        }
        return n;
    }


    /** While a candidate: its events go to the rollout's windows. */
    private final class Watch implements InstanceListener {
        @Override
        public void onProtocolError(AgentInstance i, ProtocolError error) {
            window.recordProtocolError();
        }

        @Override
        public void onExit(AgentInstance i, ExitReason reason, String detail) {
            if (!closed) {
                window.recordRestart();
                events.exited(Follower.this, reason, detail);
            }
        }
    }
}
