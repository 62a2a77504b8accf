package dev.guardian.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.config.GuardianConfig;
import dev.guardian.config.RolloutSettings;
import dev.guardian.evolution.Clock;
import dev.guardian.evolution.compare.AgreementTracker;
import dev.guardian.evolution.judge.Interim;
import dev.guardian.evolution.judge.Judge;
import dev.guardian.evolution.judge.Verdict;
import dev.guardian.evolution.metrics.MetricWindow;
import dev.guardian.evolution.proof.Decision;
import dev.guardian.evolution.proof.Proof;
import dev.guardian.evolution.proof.ProofRecords;
import dev.guardian.evolution.rollout.DeploymentRef;
import dev.guardian.evolution.rollout.DrillResult;
import dev.guardian.evolution.rollout.Rollout;
import dev.guardian.evolution.rollout.RolloutAction;
import dev.guardian.evolution.rollout.RolloutPlan;
import dev.guardian.evolution.rollout.RolloutSnapshot;
import dev.guardian.evolution.rollout.Strategy;
import dev.guardian.evolution.traffic.TrafficSplit;
import dev.guardian.evolution.version.Origin;
import dev.guardian.evolution.version.Version;
import dev.guardian.instance.AgentInstance;
import dev.guardian.process.CpuPriority;
import dev.guardian.process.Launcher;
import dev.guardian.process.ResourceUsage;
import dev.guardian.protocol.Message;
import dev.guardian.supervision.ExitReason;
import dev.guardian.vault.Vault;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out rollouts on real processes: starts each candidate beside the primary, feeds the
 * judge's verdicts to the rollout state machine (evolution decides), executes its actions (set the
 * candidate's share, drill, promote, roll back), and writes the deployment record after every
 * transition and a proof at the end. Agent proposals become versions and rollouts here too.
 *
 * <p>Threading: every decision and action runs on one rollout thread, so a rollout never sees two
 * of its own actions at once; ticks are scheduled onto it.
 */
final class Rollouts implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final int DRILL_SAMPLE = 20;

    private final PrimarySupervisor primary;
    private final VersionStore versions;
    private final Vault vault;
    private final Launcher launcher;
    private final GuardianConfig config;
    private final RolloutSettings settings;
    private final Clock clock;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, daemon("rollout-timer"));
    private final ExecutorService worker = Executors.newSingleThreadExecutor(daemon("rollout"));
    /**
     * Feeds the followers at normal priority (canaries and their controls): requests as they come,
     * since a canary's share of the answers goes to clients.
     */
    private final FollowerFeeder feeder = new FollowerFeeder("feed-followers", CpuPriority.NORMAL, Duration.ZERO);
    /**
     * Feeds the shadows (candidates and controls at the shadow priority) on one thread at the priority
     * of Guardian's threads for shadows, gathering each shadow's requests for {@link #SHADOW_LINGER}
     * so that they reach its pipe in batches: whatever the number of shadows, feeding them is one
     * thread, woken at most once per request (none while requests keep coming).
     */
    private final FollowerFeeder shadowFeeder;
    /** How long the shadow feeder gathers requests: it delays what shadows see, never the primary. */
    static final Duration SHADOW_LINGER = Duration.ofMillis(10);
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile RollbackTiming lastRollback;

    /** One rollout in progress. */
    private final class Active {
        final String id;
        final Rollout rollout;
        final Follower candidate;
        /** A fresh baseline instance beside the candidate: what the judge compares it with. */
        final Follower control;
        final Judge judge;
        final Optional<Proposal> proposal;
        volatile boolean started;
        /** When the current stage (window) began, on the injected clock. */
        volatile long stageStarted;
        /** System.nanoTime() right after the judge computed the verdict that rolled it back (0 if none did). */
        volatile long rollbackVerdictAt;

        Active(String id, Rollout rollout, Follower candidate, Follower control, Judge judge, Optional<Proposal> proposal) {
            this.id = id;
            this.rollout = rollout;
            this.candidate = candidate;
            this.control = control;
            this.judge = judge;
            this.proposal = proposal;
            this.stageStarted = clock.nanoTime();
        }

        void stopBoth() {
            candidate.stop(Duration.ofSeconds(1));
            control.stop(Duration.ofSeconds(1));
        }
    }

    /** An agent's proposal waiting for its result. */
    private record Proposal(String id) {
    }

    /** What {@link #deploy} started. */
    record Started(String deploymentId, Version version, Strategy strategy) {
    }

    Rollouts(PrimarySupervisor primary, VersionStore versions, Vault vault, Launcher launcher, GuardianConfig config,
            Clock clock) {
        this.primary = primary;
        this.versions = versions;
        this.vault = vault;
        this.launcher = launcher;
        this.config = config;
        this.settings = config.rollout();
        this.shadowFeeder = new FollowerFeeder("feed-shadows", settings.shadowPriority().forGuardianThreads(), SHADOW_LINGER);
        this.clock = clock;
        abandonInterrupted();
        long every = settings.evaluateEvery().toMillis();
        timers.scheduleAtFixedRate(() -> worker.execute(this::tick), every, every, TimeUnit.MILLISECONDS);
        primary.onProposals((instance, p) -> worker.execute(() -> propose(p)));
    }

    /**
     * Rollouts do not survive a Guardian restart (their candidates died with it): any deployment
     * still in progress in the vault ends as aborted, with a proof that says why.
     */
    private void abandonInterrupted() {
        for (dev.guardian.vault.DeploymentRecord d : vault.deployments()) {
            if (ProofRecords.stateOf(d).isTerminal()) {
                continue;
            }
            String why = "guardian stopped or restarted during the rollout (it was " + d.outcome() + ")";
            com.fasterxml.jackson.databind.node.ObjectNode body = d.body().deepCopy();
            body.put("state", "aborted");
            body.putArray("reasons").add(why);
            try {
                vault.putDeployment(new dev.guardian.vault.DeploymentRecord(d.id(), d.schemaVersion(), d.createdAt(), d.lineage(),
                        d.baselineVersionId(), d.candidateVersionId(), "aborted", body));
                Strategy strategy = Strategy.fromLabel(d.body().path("plan").path("strategy").asText("canary"));
                vault.putProof(ProofRecords.toRecord(new Proof(Proof.idFor(d.id()), d.id(), d.lineage(),
                        d.baselineVersionId(), d.candidateVersionId(), strategy, Decision.ABORT, Optional.empty(), List.of(why),
                        Optional.empty(), List.of(), List.of(), Optional.empty(), clock.now())));
                LOG.warn("rollout {}: {}; marked aborted", d.id(), why);
            } catch (RuntimeException e) {
                LOG.error("rollout {}: could not mark it aborted: {}", d.id(), e.getMessage());
            }
        }
    }

    RolloutSettings settings() {
        return settings;
    }

    /**
     * Starts the rollout of {@code candidate} against the running primary with {@code strategy}.
     * Returns once the rollout exists; the candidate starts in the background (a start failure
     * aborts the rollout, with a proof).
     *
     * @throws IllegalStateException when it cannot start now (the primary is not open, the candidate
     *                               is what runs already, or a canary already has clients)
     */
    Started deploy(Version candidate, Strategy strategy) {
        return call(() -> start(candidate, strategy, Optional.empty()));
    }

    private Started start(Version candidate, Strategy strategy, Optional<Proposal> proposal) {
        Version baseline = primary.currentVersion();
        if (primary.phase() != PrimarySupervisor.Phase.OPEN) {
            throw new Conflict("the primary is " + primary.phase() + "; deploy when it is OPEN");
        }
        if (candidate.id().equals(baseline.id())) {
            throw new Conflict("version " + candidate.id() + " is what the primary runs already");
        }
        if (strategy != Strategy.SHADOW && active.values().stream().anyMatch(a -> a.rollout.snapshot().plan().strategy() != Strategy.SHADOW)) {
            throw new Conflict("a " + strategy.name().toLowerCase() + " rollout needs the client traffic, and "
                    + "another canary or direct rollout has it; wait for it or roll it back");
        }
        String id = "d-" + ID_TIME.format(clock.now()) + "-" + ids.incrementAndGet();
        RolloutPlan plan = settings.plan(strategy);
        Active[] self = new Active[1];
        Rollout rollout = Rollout.create(new DeploymentRef(id, PrimarySupervisor.LINEAGE, baseline.id(), candidate.id()), plan,
                clock, e -> record(self[0]));
        // Named after its deployment, not its role: a promoted candidate goes on as the primary under this name.
        Follower c = new Follower(id, candidate, primary, TrafficSplit.forDeployment(id), plan.stickyKey(),
                settings.followerQueue(), MetricWindow.open(clock), new AgreementTracker(settings.comparator()),
                (f, reason, detail) -> worker.execute(() -> candidateExited(self[0], reason, detail)));
        Follower control = new Follower(id + "-control", baseline, primary, null, null, settings.followerQueue(),
                MetricWindow.open(clock), null,
                (f, reason, detail) -> LOG.warn("rollout {}: the control instance ended: {} {}", id, reason, detail));
        Active a = new Active(id, rollout, c, control, Judge.of(settings.judgeConfig()), proposal);
        self[0] = a;
        active.put(id, a);
        LOG.info("rollout {}: {} ({}) against {} ({}), {}", id, candidate.id(), candidate.describe(), baseline.id(),
                baseline.describe(), strategy.name().toLowerCase());
        List<RolloutAction> first = rollout.start();
        // The share is known before the candidate starts, so that its init carries the right role.
        first.stream().filter(RolloutAction.SetCandidateWeight.class::isInstance)
                .forEach(w -> c.setPercent(((RolloutAction.SetCandidateWeight) w).percent()));
        worker.execute(() -> launch(a));
        return new Started(id, candidate, strategy);
    }

    private void launch(Active a) {
        // A canary answers clients: it runs at the primary's priority, and so does its control.
        CpuPriority priority = a.candidate.percent() > 0 ? CpuPriority.NORMAL : settings.shadowPriority();
        FollowerFeeder feeds = priority.isNormal() ? feeder : shadowFeeder;
        try {
            a.control.start(launcher, vault, primary.timers(), priority, feeds);
        } catch (Exception e) {
            String why = "the control instance of the baseline could not start: " + PrimarySupervisor.rootMessage(e);
            LOG.error("rollout {}: {}", a.id, why);
            execute(a, a.rollout.abort(why));
            return;
        }
        try {
            a.candidate.start(launcher, vault, primary.timers(), priority, feeds);
            awaitCaughtUp(a);
            a.started = true;
        } catch (Exception e) {
            String why = "the candidate could not start: " + PrimarySupervisor.rootMessage(e);
            LOG.error("rollout {}: {}", a.id, why);
            execute(a, a.rollout.abort(why));
        }
    }

    /**
     * Waits (a bounded while) until the candidate and the control have worked off the log they
     * replayed and the traffic that queued meanwhile, then opens the first window: the judge
     * compares them from there, not their catch-up (its memory and CPU belong to no version).
     */
    private void awaitCaughtUp(Active a) throws InterruptedException {
        long deadline = System.nanoTime() + config.startupTimeout().toNanos();
        // Caught up: applied every request the primary had taken when the wait began. (A backlog of at
        // most one would rarely be seen under steady traffic while the shadows' feeder lingers.)
        long target = primary.lastRequestSeq();
        while ((a.candidate.appliedUpTo() < target || a.control.appliedUpTo() < target) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        // A crash while catching up is the version's, unlike its catch-up CPU and memory: the window keeps it.
        // (Its exit event waits for this launch on the rollout thread, and is judged on the window opened here:
        // reset, it read 0 restarts and the judge did not decide.)
        long controlRestarts = a.control.window().snapshot().restarts();
        long candidateRestarts = a.candidate.window().snapshot().restarts();
        a.control.window().reset();
        a.candidate.window().reset();
        a.candidate.agreement().reset();
        for (long i = 0; i < controlRestarts; i++) {
            a.control.window().recordRestart();
        }
        for (long i = 0; i < candidateRestarts; i++) {
            a.candidate.window().recordRestart();
        }
        a.stageStarted = clock.nanoTime();
    }

    /** Judges every running rollout on its current window (on the rollout thread). */
    private void tick() {
        for (Active a : List.copyOf(active.values())) {
            try {
                evaluate(a);
            } catch (RuntimeException e) {
                LOG.error("rollout {}: evaluation failed; it goes on", a.id, e);
            }
        }
    }

    private void evaluate(Active a) {
        if (!a.started || a.rollout.state().isTerminal()) {
            return;
        }
        a.candidate.sample();
        a.control.sample();
        long samples = a.candidate.window().snapshot().requests();
        Verdict verdict;
        if (!a.rollout.windowComplete(samples)) {
            // Until the window has its evidence only a fail can act, and only on a hard limit (Interim):
            // judging those alone spares the statistical tests on every tick of a long window.
            verdict = a.judge.judgeHardLimits(a.control.window(), a.candidate.window(), a.candidate.agreement());
        } else {
            verdict = a.judge.judge(a.control.window(), a.candidate.window(), a.candidate.agreement());
            if (!ownWindowComplete(a, samples)) {
                verdict = Interim.beforeWindowEnds(verdict);
            }
        }
        long judgedAt = System.nanoTime();
        List<RolloutAction> actions = a.rollout.evaluate(verdict, samples);
        if (actions.stream().anyMatch(RolloutAction.Rollback.class::isInstance)) {
            a.rollbackVerdictAt = judgedAt;
        }
        execute(a, actions);
    }

    /**
     * The window as counted here: from when candidate and control had caught up (the rollout's own
     * stage clock starts before that, at the transition).
     */
    private boolean ownWindowComplete(Active a, long samples) {
        RolloutPlan plan = a.rollout.snapshot().plan();
        RolloutPlan.Window window = switch (a.rollout.state()) {
            case SHADOW -> plan.shadowWindow();
            case CANARY -> plan.canaryStage();
            case DIRECT -> plan.directWindow();
            default -> null;
        };
        return window == null || (samples >= window.minSamples()
                && clock.nanoTime() - a.stageStarted >= window.minDuration().toNanos());
    }

    private void candidateExited(Active a, ExitReason reason, String detail) {
        if (a == null || a.rollout.state().isTerminal()) {
            return;
        }
        LOG.warn("rollout {}: the candidate ended: {} {}", a.id, reason, detail);
        if (!a.started) {
            return; // launch() reports it
        }
        // A crash is judged at once (the judge's restart limit), not at the next tick.
        evaluate(a);
        if (!a.rollout.state().isTerminal()) {
            execute(a, a.rollout.operatorRollback("guardian", "the candidate ended (" + reason + ": " + detail
                    + ") and the judge did not decide"));
        }
    }

    private void execute(Active a, List<RolloutAction> actions) {
        for (RolloutAction action : actions) {
            if (action instanceof RolloutAction.SetCandidateWeight w) {
                // A new stage is judged on its own window (the first share is set before the start).
                a.control.window().reset();
                a.candidate.window().reset();
                a.candidate.agreement().reset();
                a.stageStarted = clock.nanoTime();
                a.candidate.setPercent(w.percent());
                LOG.info("rollout {}: the candidate answers {} % of clients", a.id, w.percent());
            } else if (action instanceof RolloutAction.RunDrill) {
                DrillResult d = drill(a);
                LOG.info("rollout {}: rollback drill {}: {}", a.id, d.lossless() ? "lossless" : "LOSSY", d.detail());
                execute(a, a.rollout.onDrill(d));
            } else if (action instanceof RolloutAction.Promote) {
                promote(a);
            } else if (action instanceof RolloutAction.Rollback r) {
                a.stopBoth();
                lastRollback = new RollbackTiming(a.id, a.rollbackVerdictAt, a.candidate.detachedAt(), System.nanoTime());
                LOG.warn("rollout {}: rolled back: {}", a.id, String.join("; ", r.reasons()));
                finish(a, null);
            } else if (action instanceof RolloutAction.Hold h) {
                LOG.warn("rollout {}: held: {} (promote or roll back by hand)", a.id, h.reason());
            }
        }
    }

    private void promote(Active a) {
        Follower c = a.candidate;
        a.control.stop(Duration.ofSeconds(1));
        try {
            if (c.shedTotal() > 0) {
                // Its memory lacks the shed requests: the version starts afresh from the primary's
                // checkpoint and log (a cold start) instead of taking over this instance.
                LOG.warn("rollout {}: {} shed {} requests; promoting its version by a restart from the log", a.id,
                        c.instanceId(), c.shedTotal());
                c.stop(Duration.ofSeconds(1));
                primary.switchTo(c.version(), Duration.ofSeconds(30));
            } else {
                primary.promote(c, c.instance(), c.version(), c::appliedUpTo, c.listener()::retarget, Duration.ofSeconds(30));
                c.retire();
            }
            LOG.info("rollout {}: {} promoted", a.id, c.version().id());
            finish(a, null);
            // The others were judged against a baseline that is no longer the primary.
            for (Active other : List.copyOf(active.values())) {
                execute(other, other.rollout.abort("the baseline changed: " + c.version().id() + " was promoted by " + a.id));
            }
        } catch (Exception e) {
            String why = "the hand-over to the candidate failed: " + PrimarySupervisor.rootMessage(e);
            LOG.error("rollout {}: {}; the baseline stays the primary", a.id, why);
            c.stop(Duration.ofSeconds(1));
            finish(a, why);
        }
    }

    /**
     * A fresh baseline instance and a fresh candidate instance both restore the candidate's
     * checkpoint and get the same sample of recent requests: identical answers mean the baseline
     * can take the candidate's memory back, so a rollback after promotion loses nothing.
     */
    private DrillResult drill(Active a) {
        Version baseline = primary.currentVersion();
        AgentInstance b = null;
        AgentInstance c = null;
        try {
            Message.Checkpoint ck = a.candidate.instance().checkpoint().get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            List<RequestLog.Logged> sample = recentRequests(DRILL_SAMPLE);
            c = drillInstance(a.id + "-drill-candidate", a.candidate.version(), ck);
            try {
                b = drillInstance(a.id + "-drill-baseline", baseline, ck);
            } catch (Exception e) {
                return DrillResult.lossy("the baseline " + baseline.id() + " could not restore the candidate's checkpoint (seq "
                        + ck.seq() + "): " + PrimarySupervisor.rootMessage(e));
            }
            int differ = 0;
            String first = null;
            for (int i = 0; i < sample.size(); i++) {
                Message.Request r = new Message.Request("drill-" + i, ck.seq() + 1 + i, sample.get(i).payload(), false);
                JsonNode fromBaseline = Follower.envelope(answer(b, r));
                JsonNode fromCandidate = Follower.envelope(answer(c, r));
                Optional<String> where = settings.comparator().firstDifference(fromCandidate, fromBaseline);
                if (where.isPresent()) {
                    differ++;
                    if (first == null) {
                        first = "request " + (i + 1) + " differs at '" + where.get() + "': baseline " + fromBaseline
                                + ", candidate " + fromCandidate;
                    }
                }
            }
            if (differ > 0) {
                return DrillResult.lossy("the baseline " + baseline.id() + " restored the candidate's checkpoint (seq " + ck.seq()
                        + ") but answered " + differ + " of " + sample.size() + " sample requests differently; first: " + first);
            }
            return DrillResult.lossless("a fresh baseline " + baseline.id() + " restored the candidate's checkpoint (seq "
                    + ck.seq() + ") and answered " + sample.size() + " recent requests as the candidate did");
        } catch (Exception e) {
            return DrillResult.lossy("the drill could not run: " + PrimarySupervisor.rootMessage(e));
        } finally {
            for (AgentInstance i : new AgentInstance[] {b, c}) {
                if (i != null) {
                    i.stop(Duration.ofMillis(500), Duration.ofMillis(500));
                }
            }
        }
    }

    private AgentInstance drillInstance(String id, Version version, Message.Checkpoint ck) throws Exception {
        AgentInstance i = AgentInstance.start(launcher, primary.launchSpec(id, version, settings.shadowPriority()),
                primary.instanceOptions(), dev.guardian.instance.InstanceListener.NONE, primary.timers());
        try {
            i.handshakeAndWait(new Message.Init(1, id, Message.Role.SHADOW, version.genome(), ck.memory(), ck.seq()));
            return i;
        } catch (Exception e) {
            i.kill(ExitReason.FAILED_TO_START, "drill: " + PrimarySupervisor.rootMessage(e));
            throw e;
        }
    }

    private Outcome answer(AgentInstance i, Message.Request r) {
        try {
            return Outcome.of(r.seq(), i.request(r).get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            return new Outcome.Failed(Outcome.Kind.UNAVAILABLE, PrimarySupervisor.rootMessage(e));
        }
    }

    /** The newest logged requests (poison ones excluded), oldest first. */
    private List<RequestLog.Logged> recentRequests(int n) {
        java.util.ArrayDeque<RequestLog.Logged> last = new java.util.ArrayDeque<>();
        long from = vault.latestValid(PrimarySupervisor.LINEAGE).map(c -> c.checkpoint().walSeq()).orElse(0L);
        RequestLog log = primary.log();
        log.readAfter(Math.max(0, from - 1), r -> {
            if (RequestLog.REQUEST.equals(r.type()) && !primary.isSkipped(r.sequence())) {
                last.addLast(log.request(r));
                if (last.size() > n) {
                    last.removeFirst();
                }
            }
        });
        return new ArrayList<>(last);
    }

    /** The deployment record, after every transition. */
    private void record(Active a) {
        if (a == null) {
            return;
        }
        try {
            vault.putDeployment(ProofRecords.deploymentRecord(a.rollout.snapshot()));
        } catch (RuntimeException e) {
            LOG.error("rollout {}: could not store its deployment record: {}", a.id, e.getMessage());
        }
    }

    /** Writes the proof; {@code handOverFailed} turns a promotion that could not happen into a rollback. */
    private void finish(Active a, String handOverFailed) {
        active.remove(a.id);
        RolloutSnapshot s = a.rollout.snapshot();
        String proofId = Proof.idFor(a.id);
        Proof proof = Proof.of(proofId, s, clock.now());
        if (handOverFailed != null) {
            List<String> reasons = new ArrayList<>(proof.reasons());
            reasons.add(handOverFailed);
            proof = new Proof(proof.id(), proof.deploymentId(), proof.lineage(), proof.baselineVersionId(),
                    proof.candidateVersionId(), proof.strategy(), Decision.ROLLBACK, proof.overrideBy(), reasons,
                    proof.decidingVerdict(), proof.stages(), proof.timeline(), proof.drill(), proof.createdAt());
        }
        try {
            vault.putProof(ProofRecords.toRecord(proof));
        } catch (RuntimeException e) {
            LOG.error("rollout {}: could not store its proof: {}", a.id, e.getMessage());
        }
        record(a);
        LOG.info("rollout {} ended: {} ({}); proof {}", a.id, proof.decision().label(), String.join("; ", proof.reasons()), proofId);
        if (a.proposal.isPresent()) {
            answerProposal(a.proposal.get().id(), outcomeOf(proof.decision()), proofId, String.join("; ", proof.reasons()));
        }
    }

    private static String outcomeOf(Decision d) {
        return switch (d) {
            case PROMOTE -> "promoted";
            case ROLLBACK -> "rolled_back";
            case ABORT -> "aborted";
        };
    }

    // ---- agent proposals

    private void propose(Message.Propose p) {
        try {
            Map<String, byte[]> files = new TreeMap<>();
            if (p.files() != null && p.files().isObject()) {
                p.files().fields().forEachRemaining(f -> files.put(f.getKey(), f.getValue().asText().getBytes(StandardCharsets.UTF_8)));
            }
            Version current = primary.currentVersion();
            Version v = versions.register(p.command(), current.env(), files, p.genome(), Optional.of(current.id()),
                    Origin.AGENT_PROPOSAL, p.rationale(), clock.now());
            Started s = start(v, settings.proposalStrategy(), Optional.of(new Proposal(p.id())));
            LOG.info("the agent proposed {}: version {} ({}), rollout {}", p.id(), v.id(), p.rationale(), s.deploymentId());
        } catch (RuntimeException e) {
            LOG.warn("the agent's proposal {} is rejected: {}", p.id(), e.getMessage());
            answerProposal(p.id(), "rejected", null, e.getMessage());
        }
    }

    private void answerProposal(String id, String outcome, String proofId, String reason) {
        AgentInstance to = primary.currentInstance();
        if (to == null || !to.send(new Message.ProposalResult(id, outcome, proofId, reason))) {
            LOG.warn("could not tell the agent the result of its proposal {} ({})", id, outcome);
        }
    }

    // ---- operators

    /** {@code guardian rollback}: the named (or the only) active rollout, at once. */
    String rollback(String deploymentId, String who, String reason) {
        return call(() -> {
            Active a = find(deploymentId);
            execute(a, operatorAction(() -> a.rollout.operatorRollback(who, reason)));
            return a.id;
        });
    }

    /** {@code guardian promote}: the named (or the only) active rollout, now, as a recorded override. */
    String promote(String deploymentId, String who) {
        return call(() -> {
            Active a = find(deploymentId);
            execute(a, operatorAction(() -> a.rollout.operatorPromote(who)));
            return a.id;
        });
    }

    /** The rollout refuses an operator's action its state does not accept (it ended meanwhile): a conflict, not a bug. */
    private static List<RolloutAction> operatorAction(java.util.function.Supplier<List<RolloutAction>> action) {
        try {
            return action.get();
        } catch (IllegalStateException e) {
            throw new Conflict(e.getMessage());
        }
    }

    boolean hasActive() {
        return !active.isEmpty();
    }

    /**
     * When the last rollback happened, in {@code System.nanoTime()}: the judge's verdict that decided it
     * (0 for an operator's rollback), the candidate detached from the traffic (every new request
     * answered by the baseline), and both the candidate and its control stopped. For benchmarks.
     */
    record RollbackTiming(String deploymentId, long verdictAt, long detachedAt, long stoppedAt) {
    }

    Optional<RollbackTiming> lastRollback() {
        return Optional.ofNullable(lastRollback);
    }

    /** Requests shed so far by the candidates and controls of the rollouts in progress (for benchmarks). */
    long shedInProgress() {
        long shed = 0;
        for (Active a : active.values()) {
            shed += a.candidate.shedTotal() + a.control.shedTotal();
        }
        return shed;
    }

    private Active find(String deploymentId) {
        if (deploymentId != null) {
            Active a = active.get(deploymentId);
            if (a == null) {
                throw new java.util.NoSuchElementException("no rollout " + deploymentId + " is in progress");
            }
            return a;
        }
        if (active.size() != 1) {
            throw new Conflict(active.isEmpty() ? "no rollout is in progress"
                    : active.size() + " rollouts are in progress (" + String.join(", ", active.keySet()) + "): name one");
        }
        return active.values().iterator().next();
    }

    /** What status shows of each rollout in progress. */
    List<RolloutStatus> status() {
        List<RolloutStatus> out = new ArrayList<>();
        for (Active a : active.values()) {
            RolloutSnapshot s = a.rollout.snapshot();
            AgentInstance i = a.candidate.instance();
            out.add(new RolloutStatus(a.id, s.deployment().candidateVersionId(), s.deployment().baselineVersionId(),
                    s.plan().strategy(), s.state().label(), s.stage(), s.candidatePercent(),
                    a.candidate.window().snapshot().requests(), a.candidate.agreement().snapshot().rate(),
                    i == null ? null : i.stats(), a.control.instance() == null ? null : a.control.instance().stats(),
                    a.candidate.appliedUpTo()));
        }
        return out;
    }

    record RolloutStatus(String id, String candidate, String baseline, Strategy strategy, String state, int stage, int percent,
            long samplesInStage, double agreement, dev.guardian.instance.InstanceStats instance,
            dev.guardian.instance.InstanceStats control, long appliedUpTo) {
    }

    /** Runs {@code body} on the rollout thread and waits for it; its exceptions come back as they are. */
    private <T> T call(java.util.concurrent.Callable<T> body) {
        try {
            return worker.submit(body).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(PrimarySupervisor.rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new Conflict("the rollout thread is busy (a drill or a hand-over); try again");
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
        try {
            worker.submit(() -> {
                for (Active a : List.copyOf(active.values())) {
                    if (!a.rollout.state().isTerminal()) {
                        execute(a, a.rollout.abort("guardian is stopping"));
                    }
                }
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("rollouts did not end cleanly: {}", PrimarySupervisor.rootMessage(e));
        }
        worker.shutdownNow();
        feeder.close();
        shadowFeeder.close();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
