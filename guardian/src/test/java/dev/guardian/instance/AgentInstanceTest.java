package dev.guardian.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.process.CpuPriority;
import dev.guardian.process.ExitStatus;
import dev.guardian.process.LaunchSpec;
import dev.guardian.process.Launcher;
import dev.guardian.process.Signal;
import dev.guardian.protocol.Message;
import dev.guardian.supervision.ExitReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One instance's session against real agent processes (the Python learner and its faulty twin). */
class AgentInstanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of(System.getProperty("guardian.repo", "..")).toAbsolutePath().normalize();
    private static final String LEARNER = REPO.resolve("examples/python/learner_agent.py").toString();
    private static final String FAULTY = REPO.resolve("guardian/src/test/resources/agents/faulty/faulty_learner.py").toString();

    @TempDir
    Path dir;

    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    private final List<AgentInstance> instances = new ArrayList<>();
    private final AtomicReference<String> exit = new AtomicReference<>();
    private final InstanceListener recordExit = new InstanceListener() {
        @Override
        public void onExit(AgentInstance instance, ExitReason reason, String detail) {
            exit.set(reason + ": " + detail);
        }
    };

    @AfterEach
    void tearDown() {
        instances.forEach(i -> i.process().signal(Signal.KILL));
        timers.shutdownNow();
    }

    @Test
    void handshakeRestoresMemoryAndRequestsAreAnswered() throws Exception {
        AgentInstance i = start(LEARNER, InstanceOptions.ofDefaults(), Map.of());
        Message.Ready ready = i.handshake(init(json("{\"counts\":{\"apple\":2},\"total\":2,\"seq\":5}"), 5)).get(10, TimeUnit.SECONDS);
        assertThat(ready.name()).isEqualTo("learner");
        assertThat(i.state()).isEqualTo(AgentInstance.State.RUNNING);
        List<CompletableFuture<Message.Response>> answers = new ArrayList<>();
        for (int n = 6; n <= 105; n++) {
            answers.add(i.request(request(n, "{\"op\":\"learn\",\"key\":\"apple\"}")));
        }
        assertThat(answers.get(99).get(10, TimeUnit.SECONDS).payload()).isEqualTo(json("{\"key\":\"apple\",\"count\":102,\"total\":102}"));
        Message.Checkpoint c = i.checkpoint().get(10, TimeUnit.SECONDS);
        assertThat(c.seq()).isEqualTo(105);
        assertThat(c.memory().get("total").asInt()).isEqualTo(102);
    }

    @Test
    void replayedRequestsAreAppliedWithoutAnswers() throws Exception {
        AgentInstance i = started(LEARNER, InstanceOptions.ofDefaults());
        i.replay(new Message.Request("r-1", 1, json("{\"op\":\"learn\",\"key\":\"a\"}"), true));
        i.replay(new Message.Request("r-2", 2, json("{\"op\":\"learn\",\"key\":\"a\"}"), true));
        assertThat(i.request(request(3, "{\"op\":\"ask\",\"key\":\"a\"}")).get(10, TimeUnit.SECONDS).payload().get("count").asInt())
                .isEqualTo(2);
    }

    @Test
    void aCrashFailsRequestsInFlightAndIsReportedAsCrashed() throws Exception {
        AgentInstance i = started(FAULTY, InstanceOptions.ofDefaults());
        CompletableFuture<Message.Response> answer = i.request(request(1, "{\"op\":\"crash\"}"));
        assertThat(failure(answer).kind()).isEqualTo(InstanceException.Kind.GONE);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(exit.get()).isEqualTo("CRASHED: exited with status 3"));
    }

    @Test
    void deathBySignalIsReportedWithTheSignal() throws Exception {
        AgentInstance i = started(FAULTY, InstanceOptions.ofDefaults());
        i.request(request(1, "{\"op\":\"signal\"}"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(exit.get()).isEqualTo("CRASHED: killed by signal 11"));
    }

    @Test
    void aHungAgentMissesItsPingsAndIsKilled() throws Exception {
        AgentInstance i = started(FAULTY, InstanceOptions.ofDefaults().withHeartbeat(Duration.ofMillis(100), 3));
        CompletableFuture<Message.Response> answer = i.request(request(1, "{\"op\":\"hang\"}"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(exit.get())
                .startsWith("HUNG: no pong for 3 pings in a row (every 100 ms)").endsWith("(killed by signal 9)"));
        assertThat(failure(answer).kind()).isEqualTo(InstanceException.Kind.GONE);
    }

    @Test
    void aStoppedProcessIsTreatedAsHung() throws Exception {
        AgentInstance i = started(LEARNER, InstanceOptions.ofDefaults().withHeartbeat(Duration.ofMillis(100), 3));
        i.process().signal(Signal.STOP);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(exit.get()).startsWith("HUNG"));
    }

    @Test
    void aLoopingAgentIsKilledAsHung() throws Exception {
        AgentInstance i = started(FAULTY, InstanceOptions.ofDefaults().withHeartbeat(Duration.ofMillis(100), 3));
        i.request(request(1, "{\"op\":\"spin\"}"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(exit.get()).startsWith("HUNG"));
    }

    @Test
    void anIdlePriorityAgentStarvedOfCpuIsNotKilledAsHungWhileAHungOneStillIs() throws Exception {
        InstanceOptions options = InstanceOptions.ofDefaults().withHeartbeat(Duration.ofMillis(100), 3);
        CpuPriority idle = new CpuPriority(10, true);
        AgentInstance starved = started(LEARNER, options, idle);
        AgentInstance hung = started(FAULTY, options, idle);
        hung.request(request(1, "{\"op\":\"hang\"}"));
        List<Process> hogs = new ArrayList<>();
        List<CompletableFuture<Message.Response>> answers = new ArrayList<>();
        try {
            // Normal-priority busy loops on every CPU (and one more): the idle agents get almost no CPU.
            for (int n = 0; n <= Runtime.getRuntime().availableProcessors(); n++) {
                hogs.add(new ProcessBuilder("python3", "-c", "while True: pass").start());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> hogs.stream()
                    .allMatch(h -> dev.guardian.process.internal.ProcFs.cpuNanos(h.pid()) > 100_000_000L));
            // A backlog, as a shadow that falls behind has: its pings wait behind these requests.
            for (int n = 1; n <= 2000; n++) {
                answers.add(starved.request(request(n, "{\"op\":\"learn\",\"key\":\"k" + n % 50 + "\"}")));
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(starved.starvedMisses()).as("late pongs forgiven while starved; " + starved.stats()).isGreaterThan(3);
                assertThat(exit.get()).as("a hung agent sleeps: it is not starved").startsWith("HUNG");
            });
            assertThat(starved.state()).isEqualTo(AgentInstance.State.RUNNING);
        } finally {
            for (Process h : hogs) {
                h.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // gone before the next test times its pongs
            }
        }
        assertThat(answers.get(1999).get(20, TimeUnit.SECONDS).payload().get("total").asInt()).isEqualTo(2000);
        assertThat(starved.state()).isEqualTo(AgentInstance.State.RUNNING);
        assertThat(hung.state()).isEqualTo(AgentInstance.State.EXITED);
    }

    @Test
    void aLeakingAgentIsKilledAtItsMemoryCap() throws Exception {
        AgentInstance i = started(FAULTY, InstanceOptions.ofDefaults().withHeartbeat(Duration.ofMillis(100), 3)
                .withRssCap(100L << 20));
        for (int n = 1; n <= 4; n++) {
            i.request(request(n, "{\"op\":\"leak\",\"mb\":40}"));
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(exit.get())
                .startsWith("LEAKED: resident memory").contains("over the cap of 100 MB"));
    }

    @Test
    void aSlowAnswerTimesOutWithoutKillingTheAgentAtOnce() throws Exception {
        AgentInstance i = started(FAULTY, InstanceOptions.ofDefaults().withRequestTimeout(Duration.ofMillis(300))
                .withHeartbeat(Duration.ofSeconds(10), 3));
        CompletableFuture<Message.Response> answer = i.request(request(1, "{\"op\":\"hang\"}"));
        InstanceException e = failure(answer);
        assertThat(e.kind()).isEqualTo(InstanceException.Kind.TIMEOUT);
        assertThat(e.getMessage()).endsWith("did not answer r-1 within 300 ms");
        assertThat(i.process().alive()).isTrue();
    }

    @Test
    void aRequestTimedByTheHeartbeatTimesOutAtABeatWithoutATimer() throws Exception {
        // Many pings may go unanswered while the agent hangs: this is about the request's timeout, not a hang.
        AgentInstance i = started(FAULTY, InstanceOptions.ofDefaults().withRequestTimeout(Duration.ofMillis(300))
                .withHeartbeat(Duration.ofMillis(100), 1000));
        CompletableFuture<Message.Response> answer = i.requestTimedByHeartbeat(request(1, "{\"op\":\"hang\"}"));
        InstanceException e = failure(answer);
        assertThat(e.kind()).isEqualTo(InstanceException.Kind.TIMEOUT);
        assertThat(e.getMessage()).endsWith("did not answer r-1 within 300 ms");
        assertThat(i.process().alive()).isTrue();
        assertThat(i.stats().inFlight()).isZero();
    }

    @Test
    void garbageAndOversizedLinesAreCountedAndTheSessionGoesOn() throws Exception {
        AgentInstance i = started(FAULTY, new InstanceOptions(Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofSeconds(1), 3, 0, 100, 1000, 64 * 1024));
        assertThat(i.request(request(1, "{\"op\":\"garbage\"}")).get(10, TimeUnit.SECONDS).ok()).isTrue();
        assertThat(i.request(request(2, "{\"op\":\"oversize\",\"bytes\":1048576}")).get(10, TimeUnit.SECONDS).ok()).isTrue();
        assertThat(i.request(request(3, "{\"op\":\"learn\",\"key\":\"k\"}")).get(10, TimeUnit.SECONDS).payload().get("count").asInt())
                .isEqualTo(1);
        assertThat(i.stats().protocolErrors()).isEqualTo(2);
    }

    @Test
    void anAnswerOverTheLineLimitFailsItsRequestAtOnceAndTheSessionGoesOn() throws Exception {
        Duration timeout = Duration.ofMinutes(5);
        AgentInstance i = started(FAULTY, new InstanceOptions(Duration.ofSeconds(10), timeout,
                Duration.ofSeconds(1), 3, 0, 100, 1000, 4096));
        for (String op : List.of("big_answer", "big_answer_id_last")) {
            CompletableFuture<Message.Response> big = i.request(request(op.length(), "{\"op\":\"" + op + "\",\"bytes\":10000}"));
            // Far sooner than the request timeout: the agent broke the protocol on this request.
            Message.Response r = big.get(30, TimeUnit.SECONDS);
            assertThat(r.ok()).as(op).isFalse();
            assertThat(r.error().code()).isEqualTo("line_too_long");
            assertThat(r.error().message()).matches("the agent's answer was 100\\d\\d bytes, more than protocol.max_line_bytes "
                    + "\\(4096\\); Guardian dropped it");
        }
        assertThat(i.request(request(20, "{\"op\":\"learn\",\"key\":\"k\"}")).get(10, TimeUnit.SECONDS).payload().get("count")
                .asInt()).isEqualTo(1);
        assertThat(i.stats().protocolErrors()).isEqualTo(2);
        assertThat(i.inFlight()).isZero();
    }

    @Test
    void tooManyProtocolErrorsAreAViolation() throws Exception {
        AgentInstance i = started(FAULTY, InstanceOptions.ofDefaults().withMaxProtocolErrors(2));
        for (int n = 1; n <= 3; n++) {
            i.request(request(n, "{\"op\":\"garbage\"}"));
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(exit.get())
                .startsWith("PROTOCOL_VIOLATION: 3 protocol errors, more than the 2 tolerated"));
    }

    @Test
    void anAgentThatNeverSpeaksFailsToStart() throws Exception {
        AgentInstance i = AgentInstance.start(Launcher.local(), LaunchSpec.of("silent",
                List.of("python3", REPO.resolve("guardian/src/test/resources/agents/broken/silent.py").toString()),
                dir.resolve("silent.log")), InstanceOptions.ofDefaults().withStartupTimeout(Duration.ofMillis(500)), recordExit, timers);
        instances.add(i);
        assertThatThrownBy(() -> i.handshake(init(null, 0)).get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(exit.get())
                .startsWith("FAILED_TO_START: no ready message within 500 ms"));
    }

    @Test
    void stopIsPoliteFirst() throws Exception {
        AgentInstance i = started(LEARNER, InstanceOptions.ofDefaults());
        ExitStatus status = i.stop(Duration.ofSeconds(5), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        assertThat(status).isEqualTo(new ExitStatus(0, 0));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(exit.get()).startsWith("STOPPED"));
    }

    @Test
    void stopEscalatesToSigkillForAnAgentThatIgnoresEverything() throws Exception {
        AgentInstance i = start(FAULTY, InstanceOptions.ofDefaults(), Map.of("FAULTY_IGNORE_EOF", "1"));
        i.handshake(init(null, 0)).get(10, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        ExitStatus status = i.stop(Duration.ofMillis(300), Duration.ofMillis(300)).get(10, TimeUnit.SECONDS);
        assertThat(status.signal()).as("it ignored shutdown, EOF and SIGTERM").isEqualTo(9);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
    }

    private AgentInstance started(String script, InstanceOptions options) throws Exception {
        return started(script, options, CpuPriority.NORMAL);
    }

    private AgentInstance started(String script, InstanceOptions options, CpuPriority priority) throws Exception {
        AgentInstance i = start(script, options, Map.of(), priority);
        i.handshake(init(null, 0)).get(10, TimeUnit.SECONDS);
        return i;
    }

    private AgentInstance start(String script, InstanceOptions options, Map<String, String> env) throws Exception {
        return start(script, options, env, CpuPriority.NORMAL);
    }

    private AgentInstance start(String script, InstanceOptions options, Map<String, String> env, CpuPriority priority)
            throws Exception {
        AgentInstance i = AgentInstance.start(Launcher.local(),
                LaunchSpec.of("test-" + instances.size(), List.of("python3", script), dir.resolve("stderr-" + instances.size() + ".log"))
                        .withEnv(env).withPriority(priority),
                options, recordExit, timers);
        instances.add(i);
        return i;
    }

    private static Message.Init init(JsonNode memory, long seq) {
        return new Message.Init(1, "test", Message.Role.PRIMARY, null, memory, seq);
    }

    private static Message.Request request(long seq, String payload) {
        return new Message.Request("r-" + seq, seq, json(payload), false);
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static InstanceException failure(CompletableFuture<?> future) throws InterruptedException {
        try {
            future.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got an answer");
        } catch (ExecutionException | CompletionException e) {
            return (InstanceException) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("neither answer nor failure within 10 s");
        }
    }
}
