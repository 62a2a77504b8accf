package dev.guardian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * The loss test: 10 000 requests to the stateful learner from 4 concurrent clients while its agent
 * is SIGKILLed every 250 acknowledged requests and Guardian itself is SIGKILLed and restarted three
 * times. Clients retry as a real client does: at once, with the same idempotency key, through the
 * restarts too (the front door's port is fixed, so a retry lands the moment the new Guardian
 * listens). Each request teaches the learner a key of its own, so its memory at the end counts
 * exactly: every acknowledged request counted once (none lost, none applied twice). Run with cold
 * restarts and with {@code restart.standby}; with a standby, every third kill takes the standby
 * down together with the primary (the race between its exit and recovery taking it).
 */
class LossIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LEARNER = GuardianCli.repo().resolve("examples/python/learner_agent.py").toString();
    private static final int REQUESTS = 10_000;
    private static final int CLIENTS = 4;
    private static final int KILL_AGENT_EVERY = 250;
    private static final int[] KILL_GUARDIAN_AT = {2_500, 5_000, 7_500};

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "standby: {0}")
    @ValueSource(booleans = {false, true})
    void noAcknowledgedRequestIsLostOrAppliedTwiceThroughAgentAndGuardianKills(boolean standby) throws Exception {
        Path data = tmp.resolve("data");
        String frontDoor = "127.0.0.1:" + DaemonProcess.freePort();
        String admin = "127.0.0.1:" + DaemonProcess.freePort();
        AtomicReference<DaemonProcess> daemon = new AtomicReference<>(start(data, frontDoor, admin, standby));
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
                            // 503 (restarting, recovering) or 504: again at once, with the same key.
                        } catch (java.io.IOException e) {
                            // Guardian is down or not listening yet: again (a millisecond later, not to
                            // spin the two CPUs its restart needs).
                            Thread.sleep(1);
                        }
                        retries.incrementAndGet();
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
                daemon.set(start(data, frontDoor, admin, standby));
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
        JsonNode guarded = daemon.get().invoke("{\"op\":\"top\",\"n\":100000}", null).body().path("payload");
        // Did the last Guardian's recoveries take the standby?
        GuardianCli.Result status = GuardianCli.run("status", "--data-dir", data.toString(), "--json");
        long takeovers = JSON.readTree(status.stdout()).path("standby_takeovers").asLong(-1);
        daemon.get().close();

        assertThat(acked.get()).isEqualTo(REQUESTS);
        assertThat(guardianKills).isEqualTo(3);
        assertThat(agentKills).as("agent kills").isGreaterThanOrEqualTo(30);
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        guarded.path("top").forEach(pair -> counts.put(pair.get(0).asText(), pair.get(1).asInt()));
        List<String> lost = new ArrayList<>();
        List<String> twice = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            int n = counts.getOrDefault("r" + i, 0);
            if (n == 0) {
                lost.add("r" + i);
            } else if (n > 1) {
                twice.add("r" + i + " x" + n);
            }
        }
        assertThat(lost).as("acknowledged and lost").isEmpty();
        assertThat(twice).as("applied more than once").isEmpty();
        assertThat(counts).as("nothing else applied").hasSize(REQUESTS);
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
        return "{\"op\":\"learn\",\"key\":\"r" + i + "\"}";
    }

    private DaemonProcess start(Path data, String frontDoor, String admin, boolean standby) throws Exception {
        // The test kills the agent far more often than the default intensity window tolerates.
        Path config = tmp.resolve("guardian.yaml");
        java.nio.file.Files.writeString(config, "agent: {command: [python3, " + LEARNER + "]}\n"
                + "restart: {backoff: {initial: 10ms}, intensity: {max_restarts: 1000, window: 60s}, standby: " + standby + "}\n");
        return DaemonProcess.startOn(data, frontDoor, admin, "--config", config.toString());
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

}
