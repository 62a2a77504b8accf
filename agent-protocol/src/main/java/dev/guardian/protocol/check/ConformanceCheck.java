package dev.guardian.protocol.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.protocol.Codec;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolError;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Checks an agent binary against each rule of docs/protocol.md. Three processes of the agent are
 * used, because some rules need a fresh one:
 * <ul>
 *   <li>A: handshake, 8 requests in flight, ping, checkpoint, a malformed line, probe requests,
 *       then stdin EOF;</li>
 *   <li>B: the same 8 requests one at a time (the answers in flight must equal these), then shutdown;</li>
 *   <li>C: restored from A's checkpoint: the probes must be answered as A answered them; then a
 *       replayed request must be applied without an answer.</li>
 * </ul>
 * Every wait is bounded by the timeout; nothing an agent writes can make the checker throw or grow
 * without bound.
 */
public final class ConformanceCheck {

    private static final int SETUP_REQUESTS = 8;
    private static final int PROBE_REQUESTS = 4;

    private final List<String> command;
    private final CheckOptions options;
    private final Codec codec;
    private final Duration timeout;
    private final Map<Rule, RuleResult> results = new EnumMap<>(Rule.class);
    private final List<AgentUnderTest> launched = new ArrayList<>();

    private ConformanceCheck(List<String> command, CheckOptions options) {
        this.command = List.copyOf(command);
        this.options = options;
        this.codec = Codec.withMaxLineBytes(options.maxLineBytes());
        this.timeout = options.timeout();
    }

    /** Runs every rule against {@code command} and returns the report; never throws for the agent's faults. */
    public static CheckReport run(List<String> command, CheckOptions options) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        return new ConformanceCheck(command, options).check();
    }

    /** Payloads in the learner example's language (docs/protocol.md §10). */
    public static List<JsonNode> defaultPayloads() {
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String s : List.of(
                "{\"op\":\"learn\",\"key\":\"apple\"}",
                "{\"op\":\"learn\",\"key\":\"pear\"}",
                "{\"op\":\"learn\",\"key\":\"apple\",\"weight\":2}",
                "{\"op\":\"learn\",\"key\":\"fig\"}",
                "{\"op\":\"forget\",\"key\":\"fig\"}",
                "{\"op\":\"learn\",\"key\":\"kiwi\",\"weight\":3}",
                "{\"op\":\"fly\"}",
                "{\"op\":\"ask\",\"key\":\"apple\"}",
                "{\"op\":\"top\",\"n\":2}",
                "{\"op\":\"learn\",\"key\":\"pear\"}",
                "{\"op\":\"ask\",\"key\":\"pear\"}",
                "{\"op\":\"top\"}")) {
            try {
                out.add(m.readTree(s));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private CheckReport check() {
        try {
            checkAll();
        } finally {
            launched.forEach(AgentUnderTest::close);
        }
        long rejected = launched.stream().mapToLong(AgentUnderTest::rejectedLines).sum();
        if (rejected == 0) {
            pass(Rule.STDOUT_PROTOCOL_ONLY, "every line was a valid message", 0);
        } else {
            ProtocolError first = launched.stream().map(AgentUnderTest::firstRejected).filter(Objects::nonNull)
                    .findFirst().orElse(null);
            fail(Rule.STDOUT_PROTOCOL_ONLY, rejected + " invalid line(s) on stdout; first: "
                    + (first == null ? "?" : first.describe()), 0);
        }
        List<RuleResult> ordered = new ArrayList<>();
        for (Rule r : Rule.values()) {
            ordered.add(results.getOrDefault(r, new RuleResult(r, RuleResult.Status.SKIP, "not checked", 0)));
        }
        return new CheckReport(command, ordered);
    }

    private void checkAll() {
        long t0 = System.nanoTime();
        AgentUnderTest a = launch();
        if (a == null) {
            return;
        }
        Message.Ready ready = a.await(Message.Ready.class, timeout);
        if (ready == null) {
            fail(Rule.READY, "no ready message within " + show(timeout) + why(a), t0);
            skipAll("not checked: no ready message");
            eofRule(a);
            return;
        }
        if (!ready.protocol().contains(1)) {
            fail(Rule.READY, "speaks protocol versions " + ready.protocol() + ", not 1", t0);
        } else {
            pass(Rule.READY, "ready in " + millis(t0) + " ms: " + ready.name() + " " + ready.version()
                    + ", protocol " + ready.protocol(), t0);
        }

        // Process A: handshake, requests in flight, ping, checkpoint, malformed line, probes, EOF.
        t0 = System.nanoTime();
        String initProblem = initialize(a, null, 0);
        if (initProblem == null) {
            pass(Rule.INIT, "initialized with seq 0", t0);
        } else {
            fail(Rule.INIT, initProblem, t0);
        }
        Map<String, Message.Response> inFlight = requestsInFlight(a);
        pingPong(a);
        Message.Checkpoint checkpoint = checkpoint(a);
        malformedLine(a);
        Map<String, Message.Response> probesA = probes(a);
        eofRule(a);

        // Process B: the same requests one at a time, then shutdown.
        compareWithSequential(inFlight);

        // Process C: restore from A's checkpoint, probes, replay.
        restoreAndReplay(checkpoint, probesA);
    }

    private AgentUnderTest launch() {
        try {
            AgentUnderTest agent = AgentUnderTest.start(command, codec);
            launched.add(agent);
            return agent;
        } catch (IOException | RuntimeException e) {
            if (launched.isEmpty()) {
                fail(Rule.READY, "could not start " + String.join(" ", command) + ": " + e.getMessage(), 0);
                skipAll("not checked: the agent could not be started");
            }
            return null;
        }
    }

    /** Launches a further process and brings it to initialized; null with the reason recorded in {@code problem}. */
    private AgentUnderTest launchInitialized(JsonNode memory, long seq, StringBuilder problem) {
        AgentUnderTest agent = launch();
        if (agent == null) {
            problem.append("could not start a second process");
            return null;
        }
        if (agent.await(Message.Ready.class, timeout) == null) {
            problem.append("a second process wrote no ready within ").append(show(timeout)).append(why(agent));
            return null;
        }
        String initProblem = initialize(agent, memory, seq);
        if (initProblem != null) {
            problem.append("a second process: ").append(initProblem);
            return null;
        }
        return agent;
    }

    private String initialize(AgentUnderTest agent, JsonNode memory, long seq) {
        String id = "check-" + (char) ('a' + launched.indexOf(agent));
        agent.send(new Message.Init(1, id, Message.Role.PRIMARY, null, memory, seq));
        Message.Initialized init = agent.await(Message.Initialized.class, timeout);
        if (init == null) {
            return "no initialized message within " + show(timeout) + " after init" + why(agent);
        }
        if (init.seq() != seq) {
            return "initialized with seq " + init.seq() + " after init with seq " + seq;
        }
        return null;
    }

    private Map<String, Message.Response> requestsInFlight(AgentUnderTest a) {
        long t0 = System.nanoTime();
        for (int i = 1; i <= SETUP_REQUESTS; i++) {
            a.send(request(i, false));
        }
        Map<String, Message.Response> answers = collectResponses(a, 1, SETUP_REQUESTS);
        String problem = responseProblem(a, answers, 1, SETUP_REQUESTS);
        if (problem != null) {
            fail(Rule.REQUESTS_IN_FLIGHT, problem, t0);
            return null;
        }
        // Held back: the rule also needs the answers one at a time from process B.
        results.put(Rule.REQUESTS_IN_FLIGHT, new RuleResult(Rule.REQUESTS_IN_FLIGHT, RuleResult.Status.PASS,
                SETUP_REQUESTS + " requests in flight, each answered once", millis(t0)));
        return answers;
    }

    private void compareWithSequential(Map<String, Message.Response> inFlight) {
        long t0 = System.nanoTime();
        StringBuilder problem = new StringBuilder();
        AgentUnderTest b = launchInitialized(null, 0, problem);
        if (b == null) {
            if (inFlight != null) {
                fail(Rule.REQUESTS_IN_FLIGHT, "answers could not be compared with sequential ones: " + problem, t0);
            }
            skip(Rule.EXIT_ON_SHUTDOWN, "not checked: " + problem);
            return;
        }
        if (inFlight != null) {
            List<String> differences = new ArrayList<>();
            for (int i = 1; i <= SETUP_REQUESTS; i++) {
                b.send(request(i, false));
                String id = requestId(i);
                Message.Response one = b.await(Message.Response.class, r -> r.id().equals(id), timeout);
                if (one == null) {
                    differences.add("sent alone, " + id + " got no answer within " + show(timeout));
                    break;
                }
                if (!sameAnswer(one, inFlight.get(id))) {
                    differences.add(id + " in flight got " + show(inFlight.get(id)) + " but alone " + show(one));
                }
            }
            if (differences.isEmpty()) {
                RuleResult held = results.get(Rule.REQUESTS_IN_FLIGHT);
                results.put(Rule.REQUESTS_IN_FLIGHT, new RuleResult(Rule.REQUESTS_IN_FLIGHT, RuleResult.Status.PASS,
                        held.detail() + ", same answers as one at a time", held.millis() + millis(t0)));
            } else {
                fail(Rule.REQUESTS_IN_FLIGHT, "answers mixed up: " + String.join("; ", differences), t0);
            }
        }
        long t1 = System.nanoTime();
        long graceMs = Math.max(100, timeout.toMillis() / 2);
        b.send(new Message.Shutdown(graceMs));
        if (b.awaitExit(timeout)) {
            pass(Rule.EXIT_ON_SHUTDOWN, "exited " + millis(t1) + " ms after shutdown (grace " + graceMs + " ms), "
                    + b.exitDescription(), t1);
        } else {
            fail(Rule.EXIT_ON_SHUTDOWN, "still running " + show(timeout) + " after shutdown with grace_ms " + graceMs, t1);
        }
    }

    private void pingPong(AgentUnderTest a) {
        long t0 = System.nanoTime();
        long nonce = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        a.send(new Message.Ping(nonce));
        Message.Pong pong = a.await(Message.Pong.class, p -> p.nonce() == nonce, timeout);
        if (pong == null) {
            fail(Rule.PING_PONG, "no pong with nonce " + nonce + " within " + show(timeout) + why(a), t0);
        } else {
            pass(Rule.PING_PONG, "pong in " + millis(t0) + " ms", t0);
        }
    }

    private Message.Checkpoint checkpoint(AgentUnderTest a) {
        long t0 = System.nanoTime();
        a.send(new Message.CheckpointRequest("check-1"));
        Message.Checkpoint c = a.await(Message.Checkpoint.class, m -> "check-1".equals(m.id()), timeout);
        if (c == null) {
            fail(Rule.CHECKPOINT, "no checkpoint with id check-1 within " + show(timeout) + why(a), t0);
            return null;
        }
        if (c.seq() != SETUP_REQUESTS) {
            fail(Rule.CHECKPOINT, "checkpoint covers seq " + c.seq() + ", but requests up to seq " + SETUP_REQUESTS
                    + " were sent before it", t0);
            return null;
        }
        pass(Rule.CHECKPOINT, "checkpoint of seq " + c.seq() + ", memory " + c.memory().toString().length()
                + " bytes of JSON", t0);
        return c;
    }

    private void malformedLine(AgentUnderTest a) {
        long t0 = System.nanoTime();
        a.sendRaw("{\"type\": \"request\", this is not JSON\n");
        Message.Error error = a.await(Message.Error.class, timeout);
        if (error == null) {
            fail(Rule.MALFORMED_LINE, "no error message within " + show(timeout) + " after a malformed line" + why(a), t0);
            return;
        }
        if (!stillAnswers(a)) {
            fail(Rule.MALFORMED_LINE, "answered error '" + error.code() + "' but then neither pong nor checkpoint"
                    + why(a), t0);
            return;
        }
        pass(Rule.MALFORMED_LINE, "answered error '" + error.code() + "' and kept working", t0);
    }

    private Map<String, Message.Response> probes(AgentUnderTest agent) {
        for (int i = SETUP_REQUESTS + 1; i <= SETUP_REQUESTS + PROBE_REQUESTS; i++) {
            agent.send(request(i, false));
        }
        Map<String, Message.Response> answers = collectResponses(agent, SETUP_REQUESTS + 1, SETUP_REQUESTS + PROBE_REQUESTS);
        return answers.size() == PROBE_REQUESTS ? answers : null;
    }

    private void restoreAndReplay(Message.Checkpoint checkpoint, Map<String, Message.Response> probesA) {
        long t0 = System.nanoTime();
        if (checkpoint == null) {
            skip(Rule.RESTORE, "not checked: no checkpoint to restore");
        }
        if (checkpoint != null && probesA == null) {
            skip(Rule.RESTORE, "not checked: the original process did not answer the probe requests");
        }
        StringBuilder problem = new StringBuilder();
        JsonNode memory = checkpoint == null ? null : checkpoint.memory();
        long seq = checkpoint == null ? 0 : checkpoint.seq();
        AgentUnderTest c = launchInitialized(memory, seq, problem);
        if (c == null) {
            if (checkpoint != null && probesA != null) {
                fail(Rule.RESTORE, "restoring the checkpoint failed: " + problem, t0);
            }
            fail(Rule.REPLAY_SILENT, "not checked: " + problem, t0);
            return;
        }
        if (checkpoint != null && probesA != null) {
            Map<String, Message.Response> probesC = probes(c);
            List<String> differences = new ArrayList<>();
            for (Map.Entry<String, Message.Response> e : probesA.entrySet()) {
                Message.Response restored = probesC == null ? null : probesC.get(e.getKey());
                if (!sameAnswer(e.getValue(), restored)) {
                    differences.add(e.getKey() + " before: " + show(e.getValue()) + ", after restore: " + show(restored));
                }
            }
            if (differences.isEmpty()) {
                pass(Rule.RESTORE, PROBE_REQUESTS + " answers after restore equal the answers before", t0);
            } else {
                fail(Rule.RESTORE, String.join("; ", differences), t0);
            }
        }
        replaySilent(c, seq + (checkpoint != null && probesA != null ? PROBE_REQUESTS : 0) + 1);
    }

    private void replaySilent(AgentUnderTest c, long seq) {
        long t0 = System.nanoTime();
        String replayId = "replay-" + seq;
        c.send(new Message.Request(replayId, seq, options.payloads().get(0), true));
        // The checkpoint is both the sync point (the agent handled the replay before it) and the
        // proof that the replayed request was applied.
        c.send(new Message.CheckpointRequest("check-replay"));
        Message.Checkpoint after = c.await(Message.Checkpoint.class, m -> "check-replay".equals(m.id()), timeout);
        if (after == null && !stillAnswers(c)) {
            fail(Rule.REPLAY_SILENT, "neither checkpoint nor pong after a replayed request" + why(c), t0);
            return;
        }
        // Answers may trail a sync point answered from another thread: look a little longer.
        Duration quiet = Duration.ofMillis(Math.min(500, timeout.toMillis() / 4));
        boolean answered = c.history().stream().anyMatch(m -> m instanceof Message.Response r && r.id().equals(replayId))
                || c.await(Message.Response.class, r -> r.id().equals(replayId), quiet) != null;
        if (answered) {
            fail(Rule.REPLAY_SILENT, "answered the replayed request " + replayId + "; replayed requests must not be answered", t0);
        } else if (after == null) {
            pass(Rule.REPLAY_SILENT, "not answered (whether it was applied is unknown: no checkpoint)", t0);
        } else if (after.seq() != seq) {
            fail(Rule.REPLAY_SILENT, "not answered, but not applied either: checkpoint covers seq " + after.seq()
                    + " after replay of seq " + seq, t0);
        } else {
            pass(Rule.REPLAY_SILENT, "applied (checkpoint covers seq " + seq + ") and not answered", t0);
        }
    }

    /** True when the agent still answers a ping or, failing that, a checkpoint request. */
    private boolean stillAnswers(AgentUnderTest agent) {
        long nonce = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        agent.send(new Message.Ping(nonce));
        if (agent.await(Message.Pong.class, p -> p.nonce() == nonce, timeout) != null) {
            return true;
        }
        agent.send(new Message.CheckpointRequest("check-alive"));
        return agent.await(Message.Checkpoint.class, m -> "check-alive".equals(m.id()), timeout) != null;
    }

    private void eofRule(AgentUnderTest a) {
        long t0 = System.nanoTime();
        boolean wasAlive = a.alive();
        a.closeStdin();
        if (a.awaitExit(timeout)) {
            pass(Rule.EXIT_ON_STDIN_EOF, (wasAlive ? "exited " + millis(t0) + " ms after stdin closed, " : "")
                    + a.exitDescription(), t0);
        } else {
            fail(Rule.EXIT_ON_STDIN_EOF, "still running " + show(timeout) + " after its stdin closed", t0);
        }
    }

    private Map<String, Message.Response> collectResponses(AgentUnderTest agent, int fromSeq, int toSeq) {
        Map<String, Message.Response> answers = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        int expected = toSeq - fromSeq + 1;
        while (answers.size() < expected) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Message.Response r = agent.await(Message.Response.class, Duration.ofNanos(left));
            if (r == null) {
                break;
            }
            if (answers.containsKey(r.id())) {
                answers.put(r.id() + "#twice", r);
            } else {
                answers.put(r.id(), r);
            }
        }
        return answers;
    }

    private String responseProblem(AgentUnderTest agent, Map<String, Message.Response> answers, int fromSeq, int toSeq) {
        List<String> missing = new ArrayList<>();
        for (int i = fromSeq; i <= toSeq; i++) {
            if (!answers.containsKey(requestId(i))) {
                missing.add(requestId(i));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String id : answers.keySet()) {
            if (id.endsWith("#twice")) {
                unexpected.add(id.substring(0, id.length() - 6) + " answered twice");
            } else if (!id.startsWith("r-")) {
                unexpected.add("answer for unknown id '" + id + "'");
            }
        }
        if (missing.isEmpty() && unexpected.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        if (!missing.isEmpty()) {
            sb.append("no answer within ").append(show(timeout)).append(" for ").append(String.join(", ", missing));
        }
        if (!unexpected.isEmpty()) {
            sb.append(sb.length() > 0 ? "; " : "").append(String.join(", ", unexpected));
        }
        return sb.append(why(agent)).toString();
    }

    private Message.Request request(int seq, boolean replay) {
        List<JsonNode> payloads = options.payloads();
        return new Message.Request(requestId(seq), seq, payloads.get((seq - 1) % payloads.size()), replay);
    }

    private static String requestId(int seq) {
        return "r-" + seq;
    }

    private static boolean sameAnswer(Message.Response a, Message.Response b) {
        if (a == null || b == null) {
            return false;
        }
        return a.ok() == b.ok() && Objects.equals(a.payload(), b.payload()) && Objects.equals(a.error(), b.error())
                && Objects.equals(a.score(), b.score());
    }

    private static String show(Message.Response r) {
        if (r == null) {
            return "no answer";
        }
        String s = r.ok() ? "ok " + r.payload() : "error " + r.error().code() + " '" + r.error().message() + "'";
        return s.length() > 160 ? s.substring(0, 160) + "…" : s;
    }

    /** What the agent did instead, for a failure message: exit, invalid output, stderr. */
    private static String why(AgentUnderTest agent) {
        StringBuilder sb = new StringBuilder();
        if (!agent.alive()) {
            sb.append("; the agent ").append(agent.exitDescription());
        } else if (agent.stdoutClosed()) {
            sb.append("; the agent closed its stdout");
        }
        if (agent.rejectedLines() > 0) {
            sb.append("; its stdout had ").append(agent.rejectedLines()).append(" invalid line(s), first: ")
                    .append(agent.firstRejected().describe());
        }
        if (agent.droppedFrames() > 0) {
            sb.append("; ").append(agent.droppedFrames()).append(" unread messages were dropped");
        }
        String err = agent.stderrTail();
        if (!err.isEmpty()) {
            String last = err.substring(err.lastIndexOf('\n') + 1);
            sb.append("; stderr: ").append(last.length() > 200 ? last.substring(0, 200) + "…" : last);
        }
        return sb.toString();
    }

    private void pass(Rule rule, String detail, long t0) {
        results.put(rule, new RuleResult(rule, RuleResult.Status.PASS, detail, t0 == 0 ? 0 : millis(t0)));
    }

    private void fail(Rule rule, String detail, long t0) {
        results.put(rule, new RuleResult(rule, RuleResult.Status.FAIL, detail, t0 == 0 ? 0 : millis(t0)));
    }

    private void skip(Rule rule, String detail) {
        results.putIfAbsent(rule, new RuleResult(rule, RuleResult.Status.SKIP, detail, 0));
    }

    private void skipAll(String detail) {
        for (Rule r : Rule.values()) {
            if (r != Rule.STDOUT_PROTOCOL_ONLY && r != Rule.EXIT_ON_STDIN_EOF) {
                skip(r, detail);
            }
        }
    }

    private static long millis(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static String show(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
