package dev.guardian.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.guardian.process.internal.Autogroups;
import dev.guardian.process.internal.Priorities;
import dev.guardian.process.internal.ProcFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalLauncherTest {

    @TempDir
    Path dir;

    private final List<AgentProcess> started = new ArrayList<>();

    @AfterEach
    void killAll() {
        started.forEach(p -> p.signal(Signal.KILL));
    }

    @Test
    void aSignalReachesTheWholeProcessGroup() throws Exception {
        AgentProcess p = launch(LaunchSpec.of("group", List.of("sh", "-c", "sleep 300 & sleep 300 & wait"), log()));
        long pid = p.pid().orElseThrow();
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(pid).orElseThrow().children().count() == 2);
        List<ProcessHandle> children = ProcessHandle.of(pid).orElseThrow().children().toList();
        assertThat(p.signal(Signal.KILL)).isTrue();
        assertThat(p.onExit().get(5, TimeUnit.SECONDS).signal()).isEqualTo(9);
        await().atMost(Duration.ofSeconds(5)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void theAgentLeadsItsOwnProcessGroupWithTheSamePid() throws Exception {
        AgentProcess p = launch(LaunchSpec.of("leader", List.of("sleep", "30"), log()));
        long pid = p.pid().orElseThrow();
        // setsid runs in the child right after the fork, then execs the agent: wait for both.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertThat(Long.parseLong(f[2])).as("pgid").isEqualTo(pid);
            assertThat(ProcessHandle.of(pid).orElseThrow().info().command().orElse("")).endsWith("sleep");
        });
    }

    @Test
    void capsAreAppliedAndVisibleInProcLimits() throws Exception {
        AgentProcess p = launch(LaunchSpec.of("capped", List.of("sleep", "30"), log())
                .withLimits(new ResourceLimits(2L << 30, 10, 64, 0)).withPriority(CpuPriority.nice(10)));
        String limits = ProcFs.limits(p.pid().orElseThrow());
        assertThat(limits).containsPattern("Max address space\\s+2147483648\\s+2147483648\\s+bytes");
        assertThat(limits).containsPattern("Max cpu time\\s+10\\s+11\\s+seconds");
        assertThat(limits).containsPattern("Max open files\\s+64\\s+64\\s+files");
        assertThat(ProcFs.niceness(p.pid().orElseThrow())).isEqualTo(10);
    }

    @Test
    void anIdlePriorityReachesEveryThreadAndCanBeLiftedAgain() throws Exception {
        // A Python agent that starts a second thread after launch: it inherits the priority.
        AgentProcess p = launch(LaunchSpec.of("idle", List.of("python3", "-c",
                "import threading, time\nthreading.Thread(target=time.sleep, args=(30,)).start()\ntime.sleep(30)"), log())
                .withPriority(new CpuPriority(7, true)));
        long pid = p.pid().orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> Priorities.threads(pid).size() == 2);
        for (int tid : Priorities.threads(pid)) {
            assertThat(Priorities.policy(tid)).as("thread " + tid + " under SCHED_IDLE").isEqualTo(5);
        }
        assertThat(ProcFs.niceness(pid)).isEqualTo(7);

        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "raising a priority back needs CAP_SYS_NICE or an RLIMIT_NICE that allows it");
        assertThat(p.setPriority(CpuPriority.NORMAL)).isTrue();
        for (int tid : Priorities.threads(pid)) {
            assertThat(Priorities.policy(tid)).as("thread " + tid + " back to SCHED_OTHER").isZero();
        }
        assertThat(ProcFs.niceness(pid)).isZero();
        assertThat(ProcFs.policy(pid)).isZero();
    }

    @Test
    void aLowPriorityAgentsSessionWeighsLittleWhereTheKernelSharesTheCpuBySession() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Autogroups.enabled(), "autogroups are off on this kernel");
        // Empty where Guardian's session is the root autogroup (its file reads empty): then it must stay so.
        java.util.OptionalInt guardians = Autogroups.nice(ProcessHandle.current().pid());
        AgentProcess idle = launch(LaunchSpec.of("idle-session", List.of("sleep", "30"), log()).withPriority(new CpuPriority(7, true)));
        AgentProcess niced = launch(LaunchSpec.of("nice-session", List.of("sleep", "30"), log()).withPriority(CpuPriority.nice(10)));
        long idlePid = idle.pid().orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> Autogroups.nice(idlePid).orElse(-99) == 19);
        await().atMost(Duration.ofSeconds(10)).until(() -> Autogroups.nice(niced.pid().orElseThrow()).orElse(-99) == 10);
        assertThat(Autogroups.nice(ProcessHandle.current().pid())).as("Guardian's own session").isEqualTo(guardians);

        // A promoted shadow weighs as a normal session again (raising an autogroup's nice value to 0 needs no privilege).
        idle.setPriority(CpuPriority.NORMAL);
        await().atMost(Duration.ofSeconds(10)).until(() -> Autogroups.nice(idlePid).orElse(-99) == 0);
    }

    @Test
    void aCpuCapEndsALoopingAgent() throws Exception {
        AgentProcess p = launch(LaunchSpec.of("looper", List.of("python3", "-c", "while True: pass"), log())
                .withLimits(new ResourceLimits(0, 1, 0, 0)));
        ExitStatus status = p.onExit().get(30, TimeUnit.SECONDS);
        assertThat(status.signal()).as(status.toString()).isIn(24, 9); // SIGXCPU, or SIGKILL at the hard cap
    }

    @Test
    void terminationBySignalIsReportedAsSuch() throws Exception {
        AgentProcess p = launch(LaunchSpec.of("term", List.of("sleep", "30"), log()));
        assertThat(p.signal(Signal.TERM)).isTrue();
        ExitStatus status = p.onExit().get(5, TimeUnit.SECONDS);
        assertThat(status).isEqualTo(new ExitStatus(143, 15));
        assertThat(status.toString()).isEqualTo("killed by signal 15");
        assertThat(p.signal(Signal.TERM)).as("signal to a process that is gone").isFalse();
    }

    @Test
    void stderrGoesToASizeRotatedLog() throws Exception {
        Path log = dir.resolve("agent.stderr.log");
        String script = "import sys\nfor i in range(100):\n    sys.stderr.write('line %03d '.ljust(100, 'x') % i + '\\n'); sys.stderr.flush()\n";
        AgentProcess p = launch(new LaunchSpec("noisy", List.of("python3", "-c", script), null, null, null, CpuPriority.NORMAL, log, 2048, 2));
        assertThat(p.onExit().get(10, TimeUnit.SECONDS).code()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(log).contains("line 099"));
        assertThat(Files.size(log)).isLessThanOrEqualTo(2048);
        assertThat(Path.of(log + ".1")).exists();
        assertThat(Path.of(log + ".2")).exists();
        assertThat(Path.of(log + ".3")).doesNotExist();
    }

    @Test
    void residentMemoryIsReported() throws Exception {
        AgentProcess p = launch(LaunchSpec.of("fat", List.of("python3", "-c",
                "import time\nb = bytearray(64 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint('ok', flush=True)\ntime.sleep(30)"), log()));
        assertThat(new String(p.stdout().readNBytes(3))).isEqualTo("ok\n");
        assertThat(p.usage().rssBytes()).isGreaterThan(64L * 1024 * 1024);
        assertThat(p.usage().cpuNanos()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aHelperProcessesMemoryCountsAsTheAgents() throws Exception {
        // The agent (a shell) holds little; the helper it started holds 64 MB.
        AgentProcess p = launch(LaunchSpec.of("parent", List.of("sh", "-c", "python3 -c \"import time\n"
                + "b = bytearray(64 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint('ok', flush=True)\n"
                + "time.sleep(30)\"; sleep 30"), log()));
        assertThat(new String(p.stdout().readNBytes(3))).isEqualTo("ok\n");
        // The process tree is a shared snapshot, up to a quarter of a second old.
        await().atMost(Duration.ofSeconds(5)).until(() -> p.usage().rssBytes() > 64L * 1024 * 1024);
    }

    @Test
    void theIdentityHoldsPidAndStartTime() throws Exception {
        AgentProcess p = launch(LaunchSpec.of("who", List.of("sleep", "30"), log()));
        long pid = p.pid().orElseThrow();
        assertThat(p.identity()).isEqualTo(pid + ":" + ProcFs.startTime(pid));
    }

    private Path log() {
        return dir.resolve("stderr.log");
    }

    private AgentProcess launch(LaunchSpec spec) throws IOException {
        AgentProcess p = Launcher.local().launch(spec);
        started.add(p);
        return p;
    }
}
