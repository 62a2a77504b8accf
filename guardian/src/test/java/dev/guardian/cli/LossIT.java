package dev.guardian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.testsupport.ControlRun;
import dev.guardian.testsupport.DaemonProcess;
import dev.guardian.testsupport.GuardianCli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The loss test: 10 000 requests to the stateful learner while its agent is SIGKILLed every few
 * hundred requests and Guardian itself is SIGKILLed and restarted three times. Clients retry a
 * request that got no answer with the same idempotency key. At the end the agent's memory must
 * equal that of a control run that fed the same requests, once each, straight to the agent. Run
 * with cold restarts and with {@code restart.standby}; with a standby, every third kill takes the
 * standby down together with the primary (the race between its exit and recovery taking it).
 */
class LossIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LEARNER = GuardianCli.repo().resolve("examples/python/learner_agent.py").toString();
    private static final int REQUESTS = 10_000;
    private static final int CLIENTS = 8;
    private static final int KILL_AGENT_EVERY = 300;
    private static final int[] KILL_GUARDIAN_AT = {2_500, 5_000, 7_500};

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "standby: {0}")
    @ValueSource(booleans = {false, true})
    void noAcknowledgedRequestIsLostOrAppliedTwiceThroughAgentAndGuardianKills(boolean standby) throws Exception {
        Path data = tmp.resolve("data");
        AtomicReference<DaemonProcess> daemon = new AtomicReference<>(start(data, standby));
        AtomicInteger next = new AtomicInteger();
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> running = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
        for (int c = 0; c < CLIENTS; c++) {
            running.add(clients.submit(() -> {
                for (int i = next.getAndIncrement(); i < REQUESTS; i = next.getAndIncrement()) {
                    while (true) {
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("request " + i + " not acknowledged before the deadline");
                        }
                        try {
                            DaemonProcess.Reply r = daemon.get().invoke(payload(i), "req-" + i);
                            if (r.status() == 200) {
                                acked.incrementAndGet();
                                break;
                            }
                        } catch (java.io.IOException e) {
                            // Guardian is down or restarting: retry the same request.
                        }
                        retries.incrementAndGet();
                        Thread.sleep(20);
                    }
                }
                return null;
            }));
        }
        int agentKills = 0;
        int guardianKills = 0;
        int nextAgentKill = KILL_AGENT_EVERY;
        while (running.stream().anyMatch(f -> !f.isDone())) {
            int done = acked.get();
            if (guardianKills < KILL_GUARDIAN_AT.length && done >= KILL_GUARDIAN_AT[guardianKills]) {
                daemon.get().kill9();
                guardianKills++;
                daemon.set(start(data, standby));
            } else if (done >= nextAgentKill) {
                if (killAgentOf(daemon.get(), agentKills % 3 == 2)) {
                    agentKills++;
                }
                nextAgentKill = done + KILL_AGENT_EVERY;
            }
            Thread.sleep(20);
        }
        for (Future<?> f : running) {
            f.get();
        }
        clients.shutdown();
        JsonNode guarded = daemon.get().invoke("{\"op\":\"top\",\"n\":1000}", null).body().path("payload");
        // Did the last Guardian's recoveries take the standby?
        GuardianCli.Result status = GuardianCli.run("status", "--data-dir", data.toString(), "--json");
        long takeovers = JSON.readTree(status.stdout()).path("standby_takeovers").asLong(-1);
        daemon.get().close();

        assertThat(acked.get()).isEqualTo(REQUESTS);
        assertThat(guardianKills).isEqualTo(3);
        assertThat(agentKills).as("agent kills").isGreaterThanOrEqualTo(20);
        assertThat(guarded).isEqualTo(controlRun());
        if (standby) {
            assertThat(takeovers).as("recoveries that took the standby, after the last Guardian restart").isPositive();
        } else {
            assertThat(takeovers).isZero();
        }
        System.out.printf("loss test (standby %s): %d requests, %d retries, %d agent kills, %d guardian kills, "
                + "%d standby takeovers after the last Guardian restart%n", standby, REQUESTS, retries.get(), agentKills,
                guardianKills, takeovers);
    }

    private static String payload(int i) {
        return "{\"op\":\"learn\",\"key\":\"k" + (i % 97) + "\",\"weight\":" + (1 + i % 5) + "}";
    }

    private DaemonProcess start(Path data, boolean standby) throws Exception {
        // The test kills the agent far more often than the default intensity window tolerates.
        Path config = tmp.resolve("guardian.yaml");
        java.nio.file.Files.writeString(config, "agent: {command: [python3, " + LEARNER + "]}\n"
                + "restart: {backoff: {initial: 10ms}, intensity: {max_restarts: 1000, window: 60s}, standby: " + standby + "}\n");
        return DaemonProcess.start(data, "--config", config.toString()).awaitOpen(Duration.ofSeconds(90));
    }

    /**
     * SIGKILLs the primary agent, or every agent process (primary and standby) with {@code all}. The
     * primary is the oldest: a standby is started only once the primary is open.
     */
    private static boolean killAgentOf(DaemonProcess daemon, boolean all) {
        List<ProcessHandle> agents = daemon.process().toHandle().descendants()
                .filter(h -> h.info().commandLine().orElse("").contains("learner_agent.py"))
                .sorted(java.util.Comparator.comparing(h -> h.info().startInstant().orElse(java.time.Instant.MAX)))
                .toList();
        (all ? agents : agents.stream().limit(1).toList()).forEach(ProcessHandle::destroyForcibly);
        return !agents.isEmpty();
    }

    /** The same requests, each once, straight into the agent's stdin, no Guardian. */
    private static JsonNode controlRun() throws Exception {
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            payloads.add(payload(i));
        }
        return ControlRun.answer(List.of("python3", LEARNER), payloads, "{\"op\":\"top\",\"n\":1000}");
    }
}
