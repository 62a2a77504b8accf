package dev.guardian.daemon;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.guardian.config.Durations;
import dev.guardian.config.GuardianConfig;
import dev.guardian.daemon.idempotency.IdempotencyIndex;
import dev.guardian.evolution.Clock;
import dev.guardian.evolution.version.Version;
import dev.guardian.instance.AgentInstance;
import dev.guardian.instance.InstanceException;
import dev.guardian.instance.InstanceListener;
import dev.guardian.instance.InstanceOptions;
import dev.guardian.instance.InstanceStats;
import dev.guardian.process.CpuPriority;
import dev.guardian.process.LaunchSpec;
import dev.guardian.process.Launcher;
import dev.guardian.protocol.Message;
import dev.guardian.supervision.ExitReason;
import dev.guardian.supervision.RestartDecision;
import dev.guardian.supervision.RestartPlanner;
import dev.guardian.supervision.RestartType;
import dev.guardian.vault.Checkpoint;
import dev.guardian.vault.CheckpointData;
import dev.guardian.vault.NewCheckpoint;
import dev.guardian.vault.Tag;
import dev.guardian.vault.Vault;
import dev.guardian.wal.AppendTicket;
import dev.guardian.wal.WalException;
import dev.guardian.wal.WalRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervises the primary instance of one agent and routes requests to it.
 *
 * <p><b>Order and durability.</b> Under one sequencer lock, a request is appended to the WAL (which
 * assigns its sequence) and handed to the instance's stdin queue, so the agent sees requests in
 * sequence order. The client's answer waits for both the agent's response and the WAL's durability.
 *
 * <p><b>Recovery.</b> After every restart: the latest valid checkpoint is restored through
 * {@code init}; the logged requests after it are sent in sequence order — those still waiting for an
 * answer as live requests (at-least-once redelivery), the others as {@code replay}; then traffic
 * opens. A request that was in flight at three crashes in a row is set aside as poison.
 *
 * <p><b>Threading.</b> Lifecycle decisions (restart, recovery, checkpoints, escalation) run on one
 * control thread; the request path runs on the callers' threads under the sequencer lock, which
 * guards {@link #phase} changes, the idempotency map and delivery. No I/O but the WAL append (a
 * few microseconds, no sync in group mode) happens under it.
 */
public final class PrimarySupervisor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrimarySupervisor.class);
    /** The primary's checkpoint lineage. */
    public static final String LINEAGE = "primary";
    private static final int STDIN_QUEUE = 10_000;
    /** Requests logged and not yet answered; beyond this, new ones are refused as overloaded. */
    private static final int MAX_WAITING = 50_000;

    /** Where the primary is in its life. */
    public enum Phase { STARTING, RECOVERING, OPEN, RESTARTING, FAILED, STOPPED }

    private record InFlight(long seq, String id, String key, JsonNode payload, CompletableFuture<Outcome> answer) {
    }


    private final GuardianConfig config;
    private final Launcher launcher;
    private final RequestLog log;
    private final Vault vault;
    private final Clock clock;
    private final VersionStore versions;
    /** What the primary runs; changes on promotion, operator rollback and escalation to a known-good version. */
    private volatile Version current;
    /** Instances beside the primary (shadows, canaries) that see every request too. */
    private final List<RequestTap> taps = new CopyOnWriteArrayList<>();
    /** The newest requests, for the taps: twice their bound, so that a slot they may still take is not reused under them. */
    private final MirrorRing mirrored;
    /** The taps that may still read the ring: attached, or detached for a promotion and catching up (under the sequencer lock). */
    private final java.util.Set<RequestTap> ringReaders = new java.util.HashSet<>();
    /** Who hears the primary's {@code propose} messages (the rollouts). */
    private volatile java.util.function.BiConsumer<AgentInstance, Message.Propose> proposals = (i, p) ->
            LOG.warn("{} proposed {} but nothing handles proposals", i.id(), p.id());
    /** The newest request sequence handed to the taps (under the sequencer lock). */
    private volatile long lastRequestSeq;
    private final OrphanReaper reaper;
    private final ObjectMapper json = new ObjectMapper();
    /** Only checks that a checkpoint is one JSON value: field names are not interned (20 000 keys would fill the table). */
    private static final JsonFactory RAW_CHECK = JsonFactory.builder().disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build();
    private final ScheduledExecutorService timers = timerPool();
    private final ExecutorService control = Executors.newSingleThreadExecutor(daemonThreads("guardian-control"));
    private final RestartPlanner planner;
    private final Object sequencer = new Object();
    private final ConcurrentSkipListMap<Long, InFlight> inFlight = new ConcurrentSkipListMap<>();
    /**
     * The idempotency keys, loaded at start beside the first recovery ({@link #loadKeys}); no request
     * is logged before they are (a retried key would be applied again).
     */
    private final CompletableFuture<IdempotencyIndex> keysReady = new CompletableFuture<>();
    private volatile IdempotencyIndex keys;
    /** Orders a keyed answer's WAL append with its hand-over to {@link #keys} (see {@link #keysCoverage}). */
    private final Object answerOrder = new Object();
    private final ScheduledExecutorService keysFlusher = Executors.newSingleThreadScheduledExecutor(daemonThreads("guardian-keys"));
    /** The WAL sequence the keys' journal covers (flusher thread; read by the control thread). */
    private volatile long keysCovered;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong answeredSinceCheckpoint = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    // Control thread only:
    private final Map<Long, Integer> crashesWhileInFlight = new HashMap<>();
    private final Set<Long> skipped = ConcurrentHashMap.newKeySet();
    private boolean escalated;
    /** FAILED in a row, without a stable run between: the retry's delay doubles with each. */
    private int failedInARow;
    private int generation;
    // Read anywhere:
    private volatile Phase phase = Phase.STARTING;
    private volatile String failedReason;
    private volatile AgentInstance instance;
    /**
     * A booted spare of {@link #standbyVersion} ({@code restart.standby}): spawned once the primary
     * is OPEN, left waiting for {@code init}, and handed the memory by the next recovery instead of
     * a cold start. Written on the control thread only.
     */
    private volatile AgentInstance standby;
    private volatile Version standbyVersion;
    private SwitchableListener standbyEvents;
    private int standbyFailures;
    private final AtomicLong standbyTakeovers = new AtomicLong();
    private final AtomicLong instanceNumbers = new AtomicLong();
    private volatile Checkpoint lastCheckpoint;
    /** The sequence the WAL was last told to retain after (control thread). */
    private long retainedAfter = -1;
    private volatile String lastExit;
    /** Why the last append to the WAL failed (a full disk, an I/O error), until one succeeds again; else null. */
    private volatile String storageProblem;

    PrimarySupervisor(GuardianConfig config, Launcher launcher, RequestLog log, Vault vault, Clock clock,
            VersionStore versions, Version version, OrphanReaper reaper) {
        this.reaper = reaper;
        this.config = config;
        this.mirrored = new MirrorRing(2 * config.rollout().followerQueue());
        this.launcher = launcher;
        this.log = log;
        this.vault = vault;
        this.clock = clock;
        this.versions = versions;
        this.current = version;
        log.tagVersion(version.id());
        this.planner = new RestartPlanner(config.restart().policy(), clock, config.restart().poison().forgivenPerWindow());
    }

    /** Loads the idempotency keys and, meanwhile, starts the first instance. */
    public void start() {
        reportLogGaps();
        daemonThreads("guardian-keys-load").newThread(this::loadKeys).start();
        control.execute(this::recover);
        long every = config.checkpoint().every().toMillis();
        if (every > 0) {
            timers.scheduleAtFixedRate(() -> control.execute(this::checkpointIfMoved), every, every, TimeUnit.MILLISECONDS);
        }
    }

    public Phase phase() {
        return phase;
    }

    /** Why requests cannot be logged right now (a full disk, an I/O error), or null: health reports it as degraded. */
    public String storageProblem() {
        return storageProblem;
    }

    /**
     * Accepts a request: logs it, delivers it, and completes when it is answered and durable (or
     * cannot be). A repeated idempotency key gets the first request's answer and is applied once.
     */
    public CompletableFuture<Outcome> submit(JsonNode payload, String idempotencyKey) {
        if (payload == null) {
            return CompletableFuture.completedFuture(new Outcome.Failed(Outcome.Kind.BAD_REQUEST, "payload is required"));
        }
        String badKey = idempotencyKey == null ? null : IdempotencyKeys.problem(idempotencyKey);
        if (badKey != null) {
            return failed(Outcome.Kind.BAD_REQUEST, "an idempotency key " + badKey);
        }
        if (!keysReady.isDone()) {
            return afterKeysLoaded(payload, idempotencyKey);
        }
        IdempotencyIndex index = keys;
        if (index == null) {
            return failed(Outcome.Kind.UNAVAILABLE, "the idempotency keys could not be loaded: "
                    + rootMessage(keysReady.handle((k, e) -> e).join()));
        }
        // Encoded before taking the sequencer lock, which every request thread needs: the lock only
        // covers the append itself (the order) and the hand-off to the agent.
        String id = idempotencyKey != null ? idempotencyKey : "g" + ids.incrementAndGet();
        long hash = 0;
        byte[] record;
        if (idempotencyKey != null) {
            byte[] payloadJson;
            try {
                payloadJson = json.writeValueAsBytes(payload);
            } catch (IOException e) {
                return failed(Outcome.Kind.BAD_REQUEST, "the payload cannot be encoded: " + e.getMessage());
            }
            hash = RequestLog.payloadHash(payloadJson);
            record = log.keyedRequestRecord(idempotencyKey, hash, payloadJson);
        } else {
            record = log.requestRecord(id, payload);
        }
        CompletableFuture<Outcome> durableAnswer;
        synchronized (sequencer) {
            if (phase == Phase.FAILED) {
                return failed(Outcome.Kind.AGENT_FAILED, "the agent is FAILED: " + failedReason);
            }
            if (phase == Phase.STOPPED) {
                return failed(Outcome.Kind.UNAVAILABLE, "guardian is stopping");
            }
            if (idempotencyKey != null) {
                IdempotencyIndex.Entry seen = index.get(idempotencyKey, clock.now().toEpochMilli());
                if (seen != null) {
                    return again(seen, hash, payload);
                }
            }
            AgentInstance target = phase == Phase.OPEN ? instance : null;
            if (target != null && target.stdinRoom() == 0) {
                return failed(Outcome.Kind.OVERLOADED, "the agent has " + STDIN_QUEUE + " requests waiting for its stdin");
            }
            if (inFlight.size() >= MAX_WAITING) {
                return failed(Outcome.Kind.OVERLOADED, inFlight.size() + " requests are waiting for an answer");
            }
            AppendTicket ticket;
            try {
                ticket = log.appendRequest(record);
                storageProblem = null;
            } catch (WalException e) {
                storageProblem = e.getMessage();
                return failed(Outcome.Kind.UNAVAILABLE, "the request was not logged: " + e.getMessage());
            }
            CompletableFuture<Outcome> answer = new CompletableFuture<>();
            CompletableFuture<Outcome> forClient = mirror(ticket.sequence(), id, payload, answer);
            // What the client may see: the agent's (or a canary's) answer, once the request is durable.
            durableAnswer = forClient.thenCombine(ticket.durable(), (outcome, durableSeq) -> outcome)
                    .exceptionally(e -> new Outcome.Failed(Outcome.Kind.UNAVAILABLE,
                            "the request could not be made durable: " + rootMessage(e), true));
            InFlight request = new InFlight(ticket.sequence(), id, idempotencyKey, payload, answer);
            inFlight.put(request.seq(), request);
            if (idempotencyKey != null) {
                index.logged(idempotencyKey, request.seq(), hash, clock.now().toEpochMilli(), durableAnswer);
            }
            if (target != null) {
                deliver(target, request);
            }
        }
        return idempotencyKey != null ? withTimeout(durableAnswer) : ownTimeout(durableAnswer);
    }

    /**
     * A request that came before the idempotency keys were loaded (the first moments after a start):
     * it waits for them, up to the request timeout, and is then taken as if it came now. If they take
     * longer, it gets 503 and is not logged, so a retry cannot make it apply twice.
     */
    private CompletableFuture<Outcome> afterKeysLoaded(JsonNode payload, String idempotencyKey) {
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean taken = new java.util.concurrent.atomic.AtomicBoolean();
        ScheduledFuture<?> giveUp = timers.schedule(() -> {
            if (taken.compareAndSet(false, true)) {
                result.complete(new Outcome.Failed(Outcome.Kind.UNAVAILABLE, "guardian is still loading its idempotency "
                        + "keys after a start; the request was not logged: retry"));
            }
        }, config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        keysReady.whenComplete((k, e) -> {
            if (taken.compareAndSet(false, true)) {
                giveUp.cancel(false);
                submit(payload, idempotencyKey).whenComplete((o, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(o);
                    }
                });
            }
        });
        return result;
    }

    /** A caller's deadline on an answer nobody else holds (no idempotency key): no copy needed. */
    private CompletableFuture<Outcome> ownTimeout(CompletableFuture<Outcome> answer) {
        return answer.completeOnTimeout(new Outcome.Failed(Outcome.Kind.TIMEOUT, "no answer within "
                + config.requestTimeout().toMillis() + " ms", true), config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Hands a new request to every tap (under the sequencer lock, so in sequence order). A canary may
     * take over the client's answer; it falls back to the primary's when it has none.
     */
    private CompletableFuture<Outcome> mirror(long seq, String id, JsonNode payload, CompletableFuture<Outcome> primary) {
        lastRequestSeq = seq;
        if (taps.isEmpty()) {
            return primary;
        }
        MirrorRing.Entry entry = mirrored.next(seq, id, payload, primary);
        CompletableFuture<Outcome> forClient = primary;
        for (RequestTap tap : taps) {
            CompletableFuture<Outcome> instead = tap.offer(entry);
            if (instead != null) {
                forClient = instead.exceptionallyCompose(e -> primary);
            }
        }
        mirrored.publish(entry);
        for (RequestTap tap : taps) {
            tap.published(entry);
        }
        return forClient;
    }

    /** Where a tap takes the requests from (at the index {@link #attach} gave it, on). */
    MirrorRing mirrored() {
        return mirrored;
    }

    /**
     * What a tap sees from its {@link #attach}: every request from {@code firstIndex} in the ring on;
     * the requests up to {@code unseenSeq} it catches up with from a checkpoint and the log.
     */
    record Attachment(long unseenSeq, long firstIndex) {
    }

    /** Starts handing every new request to {@code tap}. */
    Attachment attach(RequestTap tap) {
        synchronized (sequencer) {
            taps.add(tap);
            ringReaders.add(tap);
            return new Attachment(lastRequestSeq, mirrored.newest() + 1);
        }
    }

    /** The newest request sequence handed to the taps. */
    long lastRequestSeq() {
        return lastRequestSeq;
    }

    /** Takes {@code tap} off the traffic for good (it stopped, or it is the primary now): it reads the ring no more. */
    void release(RequestTap tap) {
        synchronized (sequencer) {
            taps.remove(tap);
            ringReaders.remove(tap);
            if (ringReaders.isEmpty()) {
                mirrored.clear();
            }
        }
    }

    /** True for a request set aside as poison: instances beside the primary skip it too. */
    boolean isSkipped(long seq) {
        return skipped.contains(seq);
    }

    RequestLog log() {
        return log;
    }

    /** The scheduler of instance timers (heartbeats, timeouts): instances that may become the primary use it too. */
    ScheduledExecutorService timers() {
        return timers;
    }

    public Version currentVersion() {
        return current;
    }

    /** The primary's instance, or null between instances. */
    AgentInstance currentInstance() {
        return instance;
    }

    void onProposals(java.util.function.BiConsumer<AgentInstance, Message.Propose> handler) {
        proposals = handler;
    }

    /**
     * Runs {@code version} as the primary from the current memory: a checkpoint of the running
     * instance, then a restart into {@code version} that restores it and replays what came after.
     */
    void switchTo(Version version, Duration within) throws Exception {
        try {
            checkpointNow().get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("switching to {} without a fresh checkpoint ({}): recovery replays from the latest one", version.id(),
                    rootMessage(e));
        }
        control.submit(() -> {
            AgentInstance old;
            synchronized (sequencer) {
                if (phase == Phase.STOPPED || phase == Phase.FAILED) {
                    throw new Conflict("the primary is " + phase);
                }
                setPhase(Phase.RESTARTING);
                old = instance;
                generation++;
                becomeVersion(version);
            }
            if (old != null) {
                old.stop(config.shutdown().grace(), config.shutdown().termGrace())
                        .get(config.shutdown().grace().plus(config.shutdown().termGrace()).toMillis() + 5000, TimeUnit.MILLISECONDS);
            }
            recover();
            return null;
        }).get(within.toMillis() + config.shutdown().grace().plus(config.shutdown().termGrace()).toMillis() + 5000,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Hands the primary role to {@code next}, an instance of {@code version} that has applied every
     * request its tap was given. Traffic pauses (new requests are logged and wait) until the old
     * primary has answered what it holds and {@code next} has applied everything up to the newest
     * request; then {@code next} is the primary, the waiting requests go to it, and the old primary
     * is stopped. On a timeout nothing changes (the tap is detached: the caller must drop the candidate).
     *
     * @param appliedUpTo   the newest sequence up to which {@code next} has applied every request
     * @param retarget      gives {@code next}'s events to the listener the primary needs from now on
     */
    void promote(RequestTap tap, AgentInstance next, Version version, java.util.function.LongSupplier appliedUpTo,
            java.util.function.Consumer<InstanceListener> retarget, Duration within) throws TimeoutException, InterruptedException {
        java.util.concurrent.Future<?> done = control.submit(() -> {
            AgentInstance old;
            long last;
            synchronized (sequencer) {
                if (phase != Phase.OPEN) {
                    throw new Conflict("the primary is " + phase + ", not OPEN");
                }
                setPhase(Phase.RECOVERING);
                taps.remove(tap);
                tap.detached(mirrored.newest());
                old = instance;
                last = lastRequestSeq;
            }
            long deadline = System.nanoTime() + within.toNanos();
            while (old.inFlight() > 0 || appliedUpTo.getAsLong() < last) {
                if (System.nanoTime() > deadline) {
                    reopen(old);
                    throw new IllegalStateException("the candidate did not catch up with seq " + last + " within "
                            + within.toMillis() + " ms (it is at " + appliedUpTo.getAsLong() + ")");
                }
                Thread.sleep(2);
            }
            if (!next.priority().isNormal() && !next.setPriority(CpuPriority.NORMAL)) {
                LOG.warn("{} keeps the lower CPU priority it had as a shadow ({}): raising it needs CAP_SYS_NICE",
                        next.id(), next.priority());
            }
            synchronized (sequencer) {
                int gen = ++generation;
                retarget.accept(listenerFor(gen));
                instance = next;
                becomeVersion(version);
                // Whatever waits (arrived during the pause, or unanswered by the old primary) goes to
                // the new one; the agent answers an already-applied sequence without applying it again.
                for (InFlight waiting : inFlight.values()) {
                    deliver(next, waiting);
                }
                setPhase(Phase.OPEN);
            }
            LOG.info("{} ({}) is the primary now; {} is stopped", next.id(), version.id(), old.id());
            old.stop(config.shutdown().grace(), config.shutdown().termGrace());
            control.execute(this::checkpointNow);
            control.execute(this::prepareStandby);
            return null;
        });
        try {
            done.get(within.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(rootMessage(e), e);
        }
    }

    /**
     * Back to OPEN on {@code old} after an abandoned promotion. Everything waiting goes to it: a
     * request it already holds is not sent twice (an instance answers one id once).
     */
    private void reopen(AgentInstance old) {
        synchronized (sequencer) {
            for (InFlight waiting : inFlight.values()) {
                deliver(old, waiting);
            }
            setPhase(Phase.OPEN);
        }
    }

    /** Each caller's own deadline; the shared answer itself is never completed by it. */
    private CompletableFuture<Outcome> withTimeout(CompletableFuture<Outcome> answer) {
        return answer.copy().completeOnTimeout(new Outcome.Failed(Outcome.Kind.TIMEOUT, "no answer within "
                + config.requestTimeout().toMillis() + " ms", true), config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A repeated idempotency key: the first request's answer, or 422 when the payload differs from
     * the first one's. A poison request's key answers as poison, without reaching the agent. When the
     * answer is not known (the request was logged before a Guardian restart, or timed out), the agent
     * is asked again with the request's original sequence: it applies the request if it has not yet,
     * and answers without applying it twice if it has. (The payload is the retry's: its hash matched.)
     */
    @SuppressWarnings("unchecked")
    private CompletableFuture<Outcome> again(IdempotencyIndex.Entry seen, long payloadHash, JsonNode payload) {
        if (seen.payloadHash() != 0 && payloadHash != 0 && seen.payloadHash() != payloadHash) {
            return failed(Outcome.Kind.KEY_REUSED, "idempotency key '" + seen.key() + "' was used for another payload "
                    + "(request seq " + seen.seq() + "); a new request needs a new key");
        }
        if (seen.state() == IdempotencyIndex.State.POISON) {
            return failed(Outcome.Kind.POISON, "request seq " + seen.seq() + " with this key was set aside as poison: "
                    + seen.poisonReason());
        }
        CompletableFuture<Outcome> first = (CompletableFuture<Outcome>) seen.liveAnswer();
        if (first != null) {
            // A timeout, FAILED or a stop left the logged request's outcome open: the agent knows it.
            boolean open = first.isDone() && !first.isCompletedExceptionally()
                    && first.join() instanceof Outcome.Failed f && f.logged();
            if (!open) {
                return withTimeout(first);
            }
        } else if (seen.state() == IdempotencyIndex.State.ANSWERED) {
            byte[] stored = keys.storedAnswer(seen);
            if (stored != null) {
                return CompletableFuture.completedFuture(Outcome.of(seen.seq(), log.answerOf(stored)));
            }
        }
        AgentInstance target = instance;
        if (phase != Phase.OPEN || target == null) {
            return failed(Outcome.Kind.UNAVAILABLE, "the agent is recovering; retry");
        }
        return withTimeout(target.request(new Message.Request(seen.key(), seen.seq(), payload, false))
                .handle((r, e) -> e == null ? Outcome.of(seen.seq(), r) : failure(e)));
    }

    private void deliver(AgentInstance target, InFlight request) {
        deliver(target, request, false);
    }

    private void deliver(AgentInstance target, InFlight request, boolean waitForRoom) {
        target.request(new Message.Request(request.id(), request.seq(), request.payload(), false), waitForRoom)
                .whenComplete((response, error) -> {
                    if (error == null) {
                        onAnswer(request, response);
                    } else if (cause(error) instanceof InstanceException ie && ie.kind() == InstanceException.Kind.TIMEOUT) {
                        // Delivered and maybe applied later: a replay after a crash covers it.
                        inFlight.remove(request.seq());
                        request.answer().complete(new Outcome.Failed(Outcome.Kind.TIMEOUT, ie.getMessage(), true));
                    }
                    // GONE: the request stays in flight and is redelivered after recovery.
                });
    }

    private void onAnswer(InFlight request, Message.Response response) {
        inFlight.remove(request.seq());
        try {
            if (request.key() == null) {
                log.appendResponse(request.seq(), request.id(), response);
            } else {
                synchronized (answerOrder) {
                    RequestLog.Appended a = log.appendResponse(request.seq(), request.id(), response);
                    keys.answered(request.key(), request.seq(), a.seq(), a.record(), null);
                }
            }
        } catch (WalException e) {
            LOG.warn("could not log the answer to {}: {}", request.id(), e.getMessage());
        }
        request.answer().complete(Outcome.of(request.seq(), response));
        long everyRequests = config.checkpoint().everyRequests();
        if (everyRequests > 0 && answeredSinceCheckpoint.incrementAndGet() == everyRequests) {
            control.execute(this::checkpointNow);
        }
    }


    // ---- lifecycle, all on the control thread ---------------------------------------------

    /**
     * Loads the idempotency keys: the journal, then the WAL after the last sequence it covers. Runs on its own thread
     * at start, beside the first recovery; requests wait for it ({@link #afterKeysLoaded}).
     */
    private void loadKeys() {
        long t0 = System.nanoTime();
        try {
            IdempotencyIndex index = IdempotencyIndex.open(config.dataDir().resolve("keys"), config.idempotency().window().toWindow(),
                    clock.now().toEpochMilli());
            // The journal has every keyed event up to its last mark; recovery reads the skips it needs itself.
            long from = index.coveredAtOpen();
            long[] read = new long[2];
            log.readAfter(from, r -> {
                read[0]++;
                switch (r.type()) {
                    case RequestLog.REQUEST -> {
                        RequestLog.Logged req = log.request(r);
                        if (req.key() != null) {
                            index.replayRequest(req.key(), req.seq(), req.payloadHash(), r.timeMicros() / 1000);
                            read[1]++;
                        }
                    }
                    case RequestLog.RESPONSE -> {
                        JsonNode n = log.tree(r);
                        long seq = n.path("seq").asLong();
                        Message.Response answer = log.answerOf(r.payload());
                        index.replayAnswer(n.path("id").asText(), seq, r.sequence(), r.payload(),
                                CompletableFuture.completedFuture(Outcome.of(seq, answer)));
                    }
                    case RequestLog.SKIP -> {
                        JsonNode n = log.tree(r);
                        long seq = n.path("seq").asLong();
                        skipped.add(seq);
                        if (n.hasNonNull("key")) {
                            index.replayPoison(n.get("key").asText(), seq, r.sequence(), n.path("reason").asText());
                        }
                    }
                    default -> {
                    }
                }
            });
            keepAboveFloor(index.coveredAtOpen());
            keysCovered = index.coveredAtOpen();
            keys = index;
            keysReady.complete(index);
            keysFlusher.scheduleWithFixedDelay(this::flushKeys, 1, 1, TimeUnit.SECONDS);
            LOG.info("idempotency keys ready in {} ms: {} in memory; the log after seq {} read ({} records, {} keyed "
                    + "requests), {} poison requests set aside", millis(System.nanoTime() - t0), index.size(), from, read[0],
                    read[1], skipped.size());
        } catch (IOException | RuntimeException e) {
            LOG.error("the idempotency keys could not be loaded from {}: requests are refused: {}",
                    config.dataDir().resolve("keys"), rootMessage(e), e);
            keysReady.completeExceptionally(e);
        }
    }

    /**
     * The sequence never goes back. The newest checkpoint and the keys' journal (its last mark is a
     * high-water mark of the durable log, about a second old at most) say how far the log reached; a
     * log that ends below that lost records from its end (a cut or deleted file, a deleted
     * {@code wal/}). Numbering on from its end would give new requests sequences that the agent's
     * memory already covers: it would answer them as already applied, and they would be acknowledged
     * and never applied. So the loss is reported, a gap record is written above the floor, and new
     * requests are numbered from there. Runs before the first request is logged.
     */
    private void keepAboveFloor(long keysCovered) {
        List<Checkpoint> checkpoints = vault.list(LINEAGE);
        long checkpointSeq = checkpoints.stream().mapToLong(Checkpoint::walSeq).max().orElse(0);
        long floor = Math.max(keysCovered, checkpointSeq);
        long last = log.lastSequence();
        if (last >= floor) {
            return;
        }
        long unrecoverable = Math.max(last, checkpointSeq);
        String why = "the log ends at seq " + last + " but reached seq " + floor + " (newest checkpoint: seq " + checkpointSeq
                + "; idempotency journal: seq " + keysCovered + "); "
                + (keysCovered > unrecoverable
                        ? "requests acknowledged after seq " + unrecoverable + " up to seq " + keysCovered
                                + " are not in the agent's memory and cannot be replayed"
                        : "the newest checkpoint holds their effect: the agent's memory lost nothing")
                + "; new requests are numbered from seq " + (floor + 2);
        log.appendGap(last, floor, why).durable().join();
    }

    /**
     * A cycle file deleted or cut in the middle of the log leaves a gap that the reads after a checkpoint
     * may never cross (it can lie below them): the WAL found it at open, and it is reported here, before
     * anything reads the log, with its sequences and what it costs the agent's memory. The records after
     * it are read and replayed as ever.
     */
    private void reportLogGaps() {
        List<dev.guardian.wal.WalGap> gaps = log.gaps();
        if (gaps.isEmpty()) {
            return;
        }
        long checkpointSeq = vault.list(LINEAGE).stream().mapToLong(Checkpoint::walSeq).max().orElse(0);
        for (dev.guardian.wal.WalGap gap : gaps) {
            String checkpoint = "the newest checkpoint (seq " + checkpointSeq + ")";
            String cost;
            if (gap.to() <= checkpointSeq) {
                cost = checkpoint + " holds their effect: the agent's memory lost nothing";
            } else if (gap.from() <= checkpointSeq) {
                cost = checkpoint + " holds those up to it; requests acknowledged after it among them are not in the agent's "
                        + "memory and cannot be replayed";
            } else {
                cost = "they are after " + checkpoint + ": requests acknowledged among them are not in the agent's memory and "
                        + "cannot be replayed";
            }
            log.reportGap(gap, cost);
        }
    }

    /** The ranges of sequences the log has lost, as found since this Guardian started. */
    List<LogLosses.Loss> logLosses() {
        return log.losses().all();
    }

    /**
     * The WAL sequence up to which every keyed event has been handed to {@link #keys} and is durable:
     * a request's append and its hand-over happen under the sequencer lock, an answer's under
     * {@link #answerOrder}, so the log's last sequence read under both is such a point.
     */
    private long keysCoverage() {
        long last;
        synchronized (sequencer) {
            synchronized (answerOrder) {
                last = log.lastSequence();
            }
        }
        return Math.min(last, log.durableSequence());
    }

    /** Writes the keys' journal (flusher thread); the WAL may then let go of what it covers. */
    private void flushKeys() {
        try {
            long covered = keys.flush(this::keysCoverage, clock.now().toEpochMilli());
            if (covered != keysCovered) {
                keysCovered = covered;
                if (!control.isShutdown()) {
                    control.execute(this::retainLog);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("could not write the idempotency keys' journal (the WAL is kept until it can): {}", rootMessage(e));
        }
    }

    /**
     * Lets the WAL drop what is older than both the oldest checkpoint recovery may fall back to and
     * what the keys' journal covers. Only when that changes: a retention pass reads every cycle file's
     * first record (3 % of the daemon's CPU at 22 000 requests/s when it ran at each of the ~22
     * checkpoints a second). Control thread.
     */
    private void retainLog() {
        vault.list(LINEAGE).stream().findFirst().ifPresent(oldest -> {
            long after = Math.min(oldest.walSeq(), keysCovered);
            if (after != retainedAfter) {
                log.retainAfter(after);
                retainedAfter = after;
            }
        });
    }

    /**
     * Starts the next instance and brings it to OPEN. The agent is spawned first: it needs a while
     * to boot (an interpreter or a JVM) before it prints {@code ready}, and the checkpoint and the
     * log after it are read on this thread meanwhile, so that {@code init} can go out as soon as
     * {@code ready} comes in. Nothing here waits for a fixed time.
     */
    private void recover() {
        if (phase == Phase.STOPPED || phase == Phase.FAILED) {
            return;
        }
        long t0 = System.nanoTime();
        int gen = ++generation;
        setPhase(Phase.RECOVERING);
        // Escalation spawns the version that wrote the known-good checkpoint, so it is chosen first.
        Optional<CheckpointData> knownGood = escalated ? knownGood() : Optional.empty();
        knownGood.ifPresent(c -> runVersionOf(c.checkpoint()));
        AgentInstance started = takeStandby(gen);
        if (started == null) {
            String instanceId = nextInstanceId();
            try {
                started = spawn(instanceId, listenerFor(gen));
            } catch (IOException e) {
                LOG.error("could not start {}: {}", instanceId, e.getMessage());
                control.execute(() -> onExit(gen, ExitReason.FAILED_TO_START, "could not start: " + e.getMessage(), Duration.ZERO));
                return;
            }
        }
        String instanceId = started.id();
        instance = started;
        long spawned = System.nanoTime();
        try {
            Optional<CheckpointData> checkpoint = escalated ? knownGood : vault.latestValid(LINEAGE);
            JsonNode memory = checkpoint.map(this::memoryOf).orElse(null);
            long seq = memory != null ? checkpoint.get().checkpoint().walSeq() : 0;
            List<WalRecord> logged = requestsAfter(seq);
            long loaded = System.nanoTime();
            started.handshakeAndWait(new Message.Init(1, instanceId, Message.Role.PRIMARY, current.genome(), memory, seq));
            long initialized = System.nanoTime();
            long last = redeliver(started, seq, logged);
            if (memory != null && lastCheckpoint == null) {
                lastCheckpoint = checkpoint.get().checkpoint(); // what the memory came from: status shows it, and no copy of it is taken
            }
            // OPEN means that a retried key is known: the first recovery after a start waits for the keys.
            keysReady.handle((k, e) -> null).get();
            synchronized (sequencer) {
                for (InFlight late : inFlight.tailMap(last, false).values()) {
                    deliver(started, late);
                }
                lastRequestSeq = Math.max(lastRequestSeq, last);
                setPhase(Phase.OPEN);
            }
            long open = System.nanoTime();
            LOG.info("{} open in {} ms (spawn {} ms; checkpoint and log read while it booted {} ms; ready+init {} ms; "
                    + "redelivery {} ms): restored {} (seq {}), log replayed up to seq {}", instanceId, millis(open - t0),
                    millis(spawned - t0), millis(loaded - spawned), millis(initialized - loaded), millis(open - initialized),
                    checkpoint.filter(c -> memory != null).map(c -> c.id().toString()).orElse("no checkpoint"), seq, last);
            control.execute(this::prepareStandby);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The instance is killed (or already gone); its exit event drives the next step.
            started.kill(ExitReason.FAILED_TO_START, "recovery failed: " + rootMessage(e));
        }
    }

    /**
     * The checkpoint's memory for {@code init}, or null when it holds no JSON value (then recovery
     * starts from an empty memory and the whole log). A compact checkpoint (what {@link #save} stores)
     * is passed through as its stored bytes: parsing 1 MB into a tree only to encode it again cost
     * tens of milliseconds per recovery, in code that runs too rarely to be compiled. It is still
     * checked to be exactly one JSON value, with a streaming parser that builds nothing. A checkpoint
     * with line breaks (e.g. imported pretty-printed) is re-encoded: a line break would end the
     * {@code init} line.
     */
    JsonNode memoryOf(CheckpointData checkpoint) {
        byte[] bytes = checkpoint.memory();
        try {
            if (!isOneJsonValue(bytes)) {
                LOG.error("checkpoint {} holds no single JSON value; starting from an empty memory and the whole log",
                        checkpoint.id());
                return null;
            }
            for (byte b : bytes) {
                if (b == '\n' || b == '\r') {
                    return json.readTree(bytes);
                }
            }
            return json.getNodeFactory().rawValueNode(new RawValue(new String(bytes, StandardCharsets.UTF_8).strip()));
        } catch (IOException e) {
            LOG.error("checkpoint {} holds no JSON ({}); starting from an empty memory and the whole log", checkpoint.id(),
                    e.getMessage());
            return null;
        }
    }

    private boolean isOneJsonValue(byte[] bytes) throws IOException {
        try (JsonParser p = RAW_CHECK.createParser(bytes)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        }
    }

    /**
     * The logged requests after {@code seq}, in order (read before the agent is ready; delivered
     * after). The poison requests among them, whose skip records follow them, are noted on the way.
     */
    private List<WalRecord> requestsAfter(long seq) {
        List<WalRecord> batch = new ArrayList<>();
        log.readAfter(seq, r -> {
            if (RequestLog.REQUEST.equals(r.type())) {
                batch.add(r);
            } else if (RequestLog.SKIP.equals(r.type())) {
                skipped.add(log.tree(r).path("seq").asLong());
            }
        });
        return batch;
    }

    /**
     * Sends the logged requests read by {@link #requestsAfter}, in order; returns the last sequence
     * sent. Requests logged since then are all still in flight (nothing is delivered while
     * recovering), so the caller delivers them from {@link #inFlight}.
     */
    private long redeliver(AgentInstance target, long seq, List<WalRecord> batch) throws InterruptedException {
        long last = seq;
        for (WalRecord r : batch) {
            long s = r.sequence();
            last = s;
            if (skipped.contains(s)) {
                continue;
            }
            InFlight waiting = inFlight.get(s);
            if (waiting != null) {
                deliver(target, waiting, true);
            } else {
                RequestLog.Logged req = log.request(r);
                target.replay(new Message.Request(req.id(), s, req.payload(), true));
            }
        }
        return last;
    }

    private String nextInstanceId() {
        return "primary-" + instanceNumbers.incrementAndGet();
    }

    /** Launches an instance of the current version, recorded for the orphan reaper. */
    private AgentInstance spawn(String instanceId, InstanceListener listener) throws IOException {
        AgentInstance started = AgentInstance.start(launcher, launchSpec(instanceId), instanceOptions(), listener, timers);
        if (reaper != null) {
            reaper.record(started.process());
        }
        return started;
    }

    /** Kills the standby, if any (it holds no memory yet), and returns it. */
    private AgentInstance dropStandby(String why) {
        AgentInstance spare = standby;
        standby = null;
        if (spare != null) {
            spare.kill(ExitReason.STOPPED, why);
        }
        return spare;
    }

    /**
     * Spawns a standby of the current version when {@code restart.standby} asks for one and none is
     * there (one of an older version is stopped first). Control thread.
     */
    private void prepareStandby() {
        // A temporary agent is never restarted: a standby would wait for nothing.
        if (!config.restart().standby() || config.restart().type() == RestartType.TEMPORARY || phase != Phase.OPEN) {
            return;
        }
        if (standby != null && standbyVersion.id().equals(current.id())) {
            return;
        }
        dropStandby("a standby of " + (standbyVersion == null ? "-" : standbyVersion.id()) + ", no longer the primary's version");
        SwitchableListener events = new SwitchableListener();
        events.retarget(standbyListener());
        String instanceId = nextInstanceId();
        AgentInstance spare;
        try {
            spare = spawn(instanceId, events);
        } catch (IOException e) {
            LOG.warn("could not start the standby {}: {}", instanceId, e.getMessage());
            retryStandby();
            return;
        }
        standby = spare;
        standbyVersion = current;
        standbyEvents = events;
        LOG.info("standby {} ({}) started, pid {}", instanceId, current.id(), spare.process().pid().orElse(-1));
    }

    /**
     * The standby, if it is of the current version and alive, with its events now going to
     * generation {@code gen}; else null (and a stale standby is stopped). Control thread.
     */
    private AgentInstance takeStandby(int gen) {
        AgentInstance spare = standby;
        if (spare == null) {
            return null;
        }
        standby = null;
        if (!standbyVersion.id().equals(current.id()) || spare.state() != AgentInstance.State.STARTING) {
            spare.kill(ExitReason.STOPPED, "a standby that recovery does not use (version " + standbyVersion.id() + ")");
            return null;
        }
        // If it ended just now, its exit went to the standby listener, which passes it on to the
        // primary's path on this thread once it sees the standby was taken (see standbyListener).
        standbyEvents.retarget(listenerFor(gen));
        standbyFailures = 0;
        standbyTakeovers.incrementAndGet();
        LOG.info("recovery takes the standby {} ({})", spare.id(), spare.isReady() ? "ready" : "still booting");
        return spare;
    }

    /** A standby's events before recovery takes it: an unexpected end schedules another one. */
    private InstanceListener standbyListener() {
        return new InstanceListener() {
            @Override
            public void onExit(AgentInstance i, ExitReason reason, String detail) {
                if (reaper != null) {
                    reaper.forget(i.id());
                }
                control.execute(() -> {
                    if (i == instance) {
                        // Taken by recovery as its exit came in: the primary's path handles it.
                        PrimarySupervisor.this.onExit(generation, reason, detail, i.uptime());
                    } else if (i == standby) {
                        standby = null;
                        LOG.warn("standby {} ended before it was needed: {} {}", i.id(), reason, detail);
                        retryStandby();
                    }
                });
            }
        };
    }

    /** Another standby after a delay that doubles with each failed one (1 s up to 60 s). */
    private void retryStandby() {
        long delay = Math.min(60_000L, 1000L << Math.min(6, standbyFailures++));
        timers.schedule(() -> control.execute(this::prepareStandby), delay, TimeUnit.MILLISECONDS);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private InstanceListener listenerFor(int gen) {
        return new InstanceListener() {
            @Override
            public void onExit(AgentInstance i, ExitReason reason, String detail) {
                if (reaper != null) {
                    reaper.forget(i.id());
                }
                control.execute(() -> PrimarySupervisor.this.onExit(gen, reason, detail, i.uptime()));
            }

            @Override
            public void onPropose(AgentInstance i, Message.Propose propose) {
                proposals.accept(i, propose);
            }

            @Override
            public void onCheckpoint(AgentInstance i, Message.Checkpoint checkpoint) {
                if (config.checkpoint().onAgentRequest()) {
                    control.execute(() -> save(gen, checkpoint, Tag.AGENT_REQUESTED));
                }
            }
        };
    }

    private void onExit(int gen, ExitReason reason, String detail, Duration uptime) {
        if (gen != generation || phase == Phase.STOPPED) {
            return;
        }
        lastExit = reason + ": " + detail;
        AgentInstance ended = instance;
        LOG.warn("{} ended: {}", ended == null ? "the primary" : ended.id(), lastExit);
        synchronized (sequencer) {
            setPhase(Phase.RESTARTING);
        }
        RestartPlanner.Blame blame = strike(reason, ended);
        RestartDecision decision = planner.onExit(reason, uptime, blame);
        if (decision instanceof RestartDecision.Restart r) {
            restarts.incrementAndGet();
            if (r.delay().isZero()) {
                // No backoff: straight on, without a hop through the timer thread (recovery time counts).
                control.execute(this::recover);
            } else {
                timers.schedule(() -> control.execute(this::recover), r.delay().toMillis(), TimeUnit.MILLISECONDS);
            }
        } else if (decision instanceof RestartDecision.Escalate e) {
            if (escalated) {
                fail("still failing after escalation to the last known-good checkpoint: " + e.restartsInWindow()
                        + " restarts within " + e.window().toSeconds() + " s; last exit " + lastExit);
                return;
            }
            LOG.error("{} restarts within {} s: escalating to the last known-good checkpoint", e.restartsInWindow(),
                    e.window().toSeconds());
            escalated = true;
            planner.reset();
            restarts.incrementAndGet();
            control.execute(this::recover);
        } else {
            fail("the agent ended (" + lastExit + ") and its restart type, " + config.restart().type() + ", does not restart it");
        }
    }

    /**
     * Blames an abnormal end on the oldest request the instance had been given and not answered (a
     * strike); at {@code restart.poison.strikes} strikes it is set aside as poison: logged as skipped,
     * answered 502, and its key answers 502 from then on, across restarts. A request that never
     * reached the instance (still queued, or sent while it was starting or restoring) is never
     * blamed. Returns the blame, or null.
     */
    private RestartPlanner.Blame strike(ExitReason reason, AgentInstance ended) {
        if (!reason.abnormal() || ended == null || ended.handlingAtExit().isEmpty()) {
            return null;
        }
        java.util.Set<String> handling = ended.handlingAtExit();
        InFlight suspect = inFlight.values().stream().filter(r -> handling.contains(r.id())).findFirst().orElse(null);
        if (suspect == null) {
            return null;
        }
        int strikes = crashesWhileInFlight.merge(suspect.seq(), 1, Integer::sum);
        if (strikes < config.restart().poison().strikes()) {
            LOG.warn("{} ended while handling request {} (seq {}): strike {} of {}", ended.id(), suspect.id(), suspect.seq(),
                    strikes, config.restart().poison().strikes());
            return new RestartPlanner.Blame(suspect.seq(), false);
        }
        String why = "the agent ended " + strikes + " times while handling this request (last: " + lastExit + ")";
        try {
            AppendTicket skip;
            synchronized (answerOrder) {
                skip = log.appendSkip(suspect.seq(), suspect.key(), why);
                if (suspect.key() != null) {
                    keys.poisoned(suspect.key(), suspect.seq(), skip.sequence(), why);
                }
            }
            skip.durable().join();
        } catch (RuntimeException e) {
            LOG.error("could not log the poison request {}: {}", suspect.seq(), e.getMessage());
            return new RestartPlanner.Blame(suspect.seq(), false);
        }
        skipped.add(suspect.seq());
        crashesWhileInFlight.remove(suspect.seq());
        inFlight.remove(suspect.seq());
        LOG.error("request {} (seq {}) set aside as poison: {}", suspect.id(), suspect.seq(), why);
        suspect.answer().complete(new Outcome.Failed(Outcome.Kind.POISON, why));
        return new RestartPlanner.Blame(suspect.seq(), true);
    }

    /**
     * FAILED: requests get 503 with the reason. Not for good: a retry is scheduled after
     * {@code restart.retry_failed.after}, doubling with each FAILED in a row up to its {@code max}
     * (the cause may be outside the agent: a full disk, a missing file, a service it needs), and
     * {@code guardian restart} tries again at once. Control thread.
     */
    private void fail(String reason) {
        Duration after = config.restart().retryFailed().after();
        long delay = Math.min(config.restart().retryFailed().max().toMillis(),
                after.toMillis() << Math.min(20, failedInARow));
        int failure = ++failedInARow;
        String retry = "; Guardian tries again at " + clock.now().plusMillis(delay).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + " (or now: guardian restart)";
        LOG.error("the agent is FAILED: {}{}", reason, retry);
        dropStandby("the agent is FAILED");
        synchronized (sequencer) {
            failedReason = reason + retry;
            setPhase(Phase.FAILED);
        }
        Outcome failed = new Outcome.Failed(Outcome.Kind.AGENT_FAILED, "the agent is FAILED: " + reason, true);
        inFlight.values().forEach(r -> r.answer().complete(failed));
        inFlight.clear();
        timers.schedule(() -> control.execute(() -> {
            if (failure == failedInARow) {
                revive("the retry " + Durations.format(Duration.ofMillis(delay)) + " after it FAILED");
            }
        }), delay, TimeUnit.MILLISECONDS);
    }

    /** Starts a FAILED agent again, with a fresh intensity window. Control thread. */
    private boolean revive(String why) {
        return revive(why, null);
    }

    /** As {@link #revive(String)}, running {@code as} from now on when it is not null. */
    private boolean revive(String why, Version as) {
        synchronized (sequencer) {
            if (phase != Phase.FAILED) {
                return false;
            }
            failedReason = null;
            setPhase(Phase.RESTARTING);
            if (as != null) {
                becomeVersion(as);
            }
        }
        LOG.warn("starting the FAILED agent again: {}", why);
        escalated = false;
        planner.reset();
        restarts.incrementAndGet();
        recover();
        return true;
    }

    /**
     * A deploy while FAILED: there is no running baseline to compare {@code version} with, and clients
     * get 503 meanwhile, so it becomes the primary at once, recovered like any restart (the newest
     * checkpoint, then the log). False when the primary is not FAILED (then the deploy is a rollout).
     */
    boolean reviveAs(Version version, Duration within) throws Exception {
        return control.submit(() -> revive("deploy of version " + version.id() + " (" + version.describe() + ")", version))
                .get(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * {@code guardian restart}: a FAILED agent is started again at once (a fresh intensity window);
     * a running one is restarted, with its memory from a fresh checkpoint and the log. Completes
     * with what was done.
     */
    public String restartAgent(Duration within) throws Exception {
        Boolean revived = control.submit(() -> revive("guardian restart")).get(within.toMillis(), TimeUnit.MILLISECONDS);
        if (revived) {
            return "the FAILED agent is starting again";
        }
        switchTo(current, within);
        return "the agent was restarted";
    }

    /**
     * The newest readable known-good checkpoint. Without one, the latest valid checkpoint: memory
     * cannot go back further, because the log before the oldest retained checkpoint is gone.
     */
    private Optional<CheckpointData> knownGood() {
        List<Checkpoint> good = vault.list(LINEAGE).stream().filter(c -> c.hasTag(Tag.KNOWN_GOOD)).toList();
        for (int i = good.size() - 1; i >= 0; i--) {
            try {
                return Optional.of(vault.read(good.get(i).id()));
            } catch (RuntimeException e) {
                LOG.error("known-good checkpoint {} is unreadable: {}", good.get(i).id(), e.getMessage());
            }
        }
        LOG.warn("no known-good checkpoint: escalation restarts from the latest valid checkpoint");
        return vault.latestValid(LINEAGE);
    }

    /** The primary runs {@code version} from now on: the version store and the log's records say so too. */
    private void becomeVersion(Version version) {
        current = version;
        if (versions != null) {
            versions.setCurrent(version);
        }
        log.tagVersion(version.id());
    }

    /** Escalation goes back to the version that wrote the known-good checkpoint, not only to its memory. */
    private void runVersionOf(Checkpoint c) {
        if (versions == null || c.versionId().equals(current.id())) {
            return;
        }
        Optional<Version> then = versions.find(c.versionId());
        if (then.isPresent()) {
            LOG.error("escalation: back to version {} ({}), which wrote {}", then.get().id(), then.get().describe(), c.id());
            becomeVersion(then.get());
        } else {
            LOG.error("escalation: {} was written by version {}, which is not registered; staying on {}", c.id(),
                    c.versionId(), current.id());
        }
    }

    /** Asks the open instance for a checkpoint and stores it; completes with the agent's checkpoint once stored. */
    public CompletableFuture<Message.Checkpoint> checkpointNow() {
        AgentInstance target = instance;
        int gen = generation;
        if (phase != Phase.OPEN || target == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no open instance to checkpoint (" + phase + ")"));
        }
        answeredSinceCheckpoint.set(0);
        CompletableFuture<Message.Checkpoint> saved = new CompletableFuture<>();
        target.checkpoint().whenComplete((c, e) -> control.execute(() -> {
            if (e != null) {
                saved.completeExceptionally(e);
            } else if (save(gen, c, null) != null) {
                saved.complete(c);
            } else {
                saved.completeExceptionally(new IllegalStateException("the checkpoint could not be stored"));
            }
        }));
        return saved;
    }

    /**
     * The timed checkpoint: only when requests came since the last one. An idle daemon wrote an
     * identical checkpoint every interval before, each of them became known-good, and the vault grew
     * without bound.
     */
    private void checkpointIfMoved() {
        Checkpoint last = lastCheckpoint;
        boolean moved = last == null ? lastRequestSeq > 0 : last.walSeq() < lastRequestSeq || !last.versionId().equals(current.id());
        if (moved) {
            checkpointNow();
        }
    }

    private Checkpoint save(int gen, Message.Checkpoint c, Tag tag) {
        Checkpoint last = lastCheckpoint;
        if (last != null && last.walSeq() == c.seq() && last.versionId().equals(current.id())) {
            // The same memory as the last one (a checkpoint covers a sequence): nothing new to keep.
            LOG.debug("checkpoint of seq {} not stored: {} covers it already", c.seq(), last.id());
            return last;
        }
        try {
            // Stored as the agent sent it: a memory of megabytes is not parsed and written again.
            byte[] memory = c.rawMemory();
            NewCheckpoint nc = NewCheckpoint.of(LINEAGE, current.id(), c.seq(),
                    memory == null ? "null".getBytes(StandardCharsets.UTF_8) : memory);
            if (lastCheckpoint != null) {
                nc = nc.withParent(lastCheckpoint.id());
            }
            Checkpoint stored = vault.save(tag == null ? nc : nc.withTags(tag));
            lastCheckpoint = stored;
            retainLog();
            long after = config.checkpoint().knownGoodAfter().toMillis();
            timers.schedule(() -> control.execute(() -> tagKnownGood(gen, stored)), after, TimeUnit.MILLISECONDS);
            return stored;
        } catch (RuntimeException e) {
            LOG.error("could not store a checkpoint of seq {}: {}", c.seq(), rootMessage(e));
            return null;
        }
    }

    /** A checkpoint whose instance stayed up and open through the stable window is known-good. */
    private void tagKnownGood(int gen, Checkpoint c) {
        if (gen == generation && phase == Phase.OPEN) {
            try {
                vault.addTag(c.id(), Tag.KNOWN_GOOD);
            } catch (dev.guardian.vault.VaultException e) {
                if (e.reason() == dev.guardian.vault.VaultException.Reason.NOT_FOUND) {
                    return; // pruned meanwhile by retention (newer ones came): nothing to tag
                }
                throw e;
            }
            vault.prune(); // the oldest known-good one beyond checkpoint.keep_known_good goes now, not at the next save
            escalated = false;
            failedInARow = 0;
        }
    }

    /** A snapshot for {@code guardian status}. */
    public Status status() {
        AgentInstance i = instance;
        AgentInstance spare = standby;
        Version spareVersion = standbyVersion;
        Standby standing = spare == null || spareVersion == null ? null
                : new Standby(spare.stats(), spareVersion.id(), spare.isReady());
        return new Status(phase, failedReason, i == null ? null : i.stats(), restarts.get(), inFlight.size(),
                lastCheckpoint, log.lastSequence(), lastExit, clock.now(), standing, standbyTakeovers.get());
    }

    /**
     * What {@link #status()} reports; {@code standby} is null when there is none, and
     * {@code standbyTakeovers} counts the recoveries that took a standby instead of a cold start.
     */
    public record Status(Phase phase, String failedReason, InstanceStats instance, long restarts, int waiting,
            Checkpoint lastCheckpoint, long walSequence, String lastExit, Instant at, Standby standby, long standbyTakeovers) {
    }

    /** The spare instance kept for the next recovery ({@code restart.standby}). */
    public record Standby(InstanceStats instance, String versionId, boolean ready) {
    }

    /** Stops the instance (shutdown, then SIGTERM, then SIGKILL) and refuses further requests. */
    @Override
    public void close() {
        AgentInstance i;
        synchronized (sequencer) {
            setPhase(Phase.STOPPED);
            i = instance;
        }
        AgentInstance spare = dropStandby("guardian is stopping");
        if (spare != null) {
            try {
                spare.process().onExit().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("the standby {} did not end: {}", spare.id(), rootMessage(e));
            }
        }
        if (i != null) {
            try {
                i.stop(config.shutdown().grace(), config.shutdown().termGrace())
                        .get(config.shutdown().grace().plus(config.shutdown().termGrace()).toMillis() + 5000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("the instance did not stop cleanly: {}", rootMessage(e));
            }
        }
        Outcome stopping = new Outcome.Failed(Outcome.Kind.UNAVAILABLE, "guardian is stopping", true);
        inFlight.values().forEach(r -> r.answer().complete(stopping));
        control.shutdownNow();
        timers.shutdownNow();
        keysFlusher.shutdown();
        try {
            if (keysFlusher.awaitTermination(5, TimeUnit.SECONDS) && keys != null) {
                flushKeys(); // what came since the last flush: the next start then reads less of the log
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (keys != null) {
            keys.close();
        }
    }

    private void setPhase(Phase next) {
        if (phase != Phase.STOPPED) {
            phase = next;
        }
    }

    private LaunchSpec launchSpec(String instanceId) {
        return launchSpec(instanceId, current, CpuPriority.NORMAL);
    }

    /** How an instance of {@code version} starts (shadows at a lower CPU priority). */
    LaunchSpec launchSpec(String instanceId, Version version, CpuPriority priority) {
        Map<String, String> env = new HashMap<>(version.env());
        env.put("GUARDIAN_MAX_LINE_BYTES", Integer.toString(config.protocol().maxLineBytes()));
        env.put("GUARDIAN_INSTANCE_ID", instanceId);
        Path logs = config.dataDir().resolve("logs");
        Path workingDir = versions == null ? config.agent().workingDir() : versions.workingDir(version, config.agent().workingDir());
        return new LaunchSpec(instanceId, version.command(), env, workingDir, config.limits().toResourceLimits(), priority,
                logs.resolve(instanceId + ".stderr.log"), 10L << 20, 3);
    }

    InstanceOptions instanceOptions() {
        return new InstanceOptions(config.startupTimeout(), config.requestTimeout(), config.heartbeat().interval(),
                config.heartbeat().misses(), config.limits().memory().bytes(), 100, STDIN_QUEUE, config.protocol().maxLineBytes());
    }

    private static CompletableFuture<Outcome> failed(Outcome.Kind kind, String message) {
        return CompletableFuture.completedFuture(new Outcome.Failed(kind, message));
    }

    private static Outcome failure(Throwable e) {
        Throwable c = cause(e);
        // Only for a request that is in the log (a retried key asked again): its outcome is still open.
        if (c instanceof InstanceException ie && ie.kind() == InstanceException.Kind.TIMEOUT) {
            return new Outcome.Failed(Outcome.Kind.TIMEOUT, ie.getMessage(), true);
        }
        return new Outcome.Failed(Outcome.Kind.UNAVAILABLE, rootMessage(e), true);
    }

    static Throwable cause(Throwable e) {
        Throwable c = e;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    static String rootMessage(Throwable e) {
        Throwable c = cause(e);
        if (c instanceof TimeoutException) {
            return "timed out";
        }
        return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    }

    /**
     * Every request schedules a timeout here (in its instance) that is cancelled when it is
     * answered: without removal on cancel, each one would stay in the queue for the whole request
     * timeout (150 000 dead tasks at 5 000 requests/s and 30 s), and live long enough to be copied
     * to the old generation.
     */
    private static ScheduledExecutorService timerPool() {
        java.util.concurrent.ScheduledThreadPoolExecutor pool = new java.util.concurrent.ScheduledThreadPoolExecutor(2,
                daemonThreads("guardian-timer"));
        pool.setRemoveOnCancelPolicy(true);
        return pool;
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
