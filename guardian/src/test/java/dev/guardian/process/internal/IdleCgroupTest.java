package dev.guardian.process.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.guardian.process.AgentProcess;
import dev.guardian.process.CpuPriority;
import dev.guardian.process.LaunchSpec;
import dev.guardian.process.Signal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes in the real CPU cgroup hierarchy (needs a writable one: root, as in CI). */
class IdleCgroupTest {

    @TempDir
    Path dir;

    private final List<AgentProcess> started = new ArrayList<>();
    private IdleCgroup group;
    private Path guardians;

    @BeforeEach
    void needsACgroup() {
        Path own = IdleCgroup.cgroupOf(ProcessHandle.current().pid()).orElse(null);
        Assumptions.assumeTrue(own != null && Files.isWritable(own) && Files.exists(own.resolve("cpu.idle")),
                "no writable CPU cgroup with cpu.idle here: " + own);
        guardians = own;
        group = IdleCgroup.forThisProcess().orElseThrow(() -> new AssertionError("a writable CPU cgroup, yet no idle group"));
    }

    @AfterEach
    void killAll() throws Exception {
        for (AgentProcess p : started) {
            p.signal(Signal.KILL);
            p.onExit().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void anIdleAgentRunsInAnIdleGroupBesideGuardianUntilItIsPromoted() throws Exception {
        AgentProcess shadow = launch("shadow", new CpuPriority(10, true));
        AgentProcess primary = launch("primary", CpuPriority.NORMAL);
        long pid = shadow.pid().orElseThrow();

        assertThat(IdleCgroup.cgroupOf(pid)).contains(group.dir());
        assertThat(group.dir().getParent()).isEqualTo(guardians);
        assertThat(Files.readString(group.dir().resolve("cpu.idle")).trim()).isEqualTo("1");
        assertThat(IdleCgroup.cgroupOf(primary.pid().orElseThrow())).as("a normal agent").contains(guardians);
        assertThat(IdleCgroup.cgroupOf(ProcessHandle.current().pid())).as("Guardian itself").contains(guardians);

        assertThat(shadow.setPriority(CpuPriority.NORMAL)).isTrue();
        assertThat(IdleCgroup.cgroupOf(pid)).as("promoted").contains(guardians);
        assertThat(group.dir()).as("left empty, the group goes").doesNotExist();

        assertThat(shadow.setPriority(new CpuPriority(10, true))).isTrue();
        assertThat(IdleCgroup.cgroupOf(pid)).as("demoted again").contains(group.dir());
    }

    @Test
    void theGroupGoesWithItsLastAgent() throws Exception {
        AgentProcess a = launch("a", new CpuPriority(0, true));
        AgentProcess b = launch("b", new CpuPriority(0, true));
        assertThat(IdleCgroup.cgroupOf(b.pid().orElseThrow())).contains(group.dir());

        a.signal(Signal.KILL);
        a.onExit().get(5, TimeUnit.SECONDS);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> Files.isDirectory(group.dir()));

        b.signal(Signal.KILL);
        b.onExit().get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(group.dir()));

        // And comes back with the next one.
        AgentProcess c = launch("c", new CpuPriority(0, true));
        assertThat(IdleCgroup.cgroupOf(c.pid().orElseThrow())).contains(group.dir());
    }

    @Test
    void anAgentLoweredToIdleJoinsTheGroupAndTheGroupGoesWhenItExits() throws Exception {
        AgentProcess p = launch("lowered", CpuPriority.NORMAL);
        long pid = p.pid().orElseThrow();
        assertThat(IdleCgroup.cgroupOf(pid)).contains(guardians);

        assertThat(p.setPriority(new CpuPriority(19, true))).isTrue();
        assertThat(IdleCgroup.cgroupOf(pid)).contains(group.dir());

        p.signal(Signal.KILL);
        p.onExit().get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(group.dir()));
    }

    private AgentProcess launch(String id, CpuPriority priority) throws Exception {
        AgentProcess p = new LocalLauncher().launch(LaunchSpec.of(id, List.of("sleep", "30"), dir.resolve(id + ".log"))
                .withPriority(priority));
        started.add(p);
        return p;
    }
}
