package dev.guardian.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CgroupPathsTest {

    private static final String V1_MOUNTS = """
            25 1 0:23 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            26 25 0:24 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu
            27 25 0:25 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            28 25 0:26 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            35 25 0:33 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;

    @Test
    void cgroupV1TakesTheCpuHierarchyNotCpusetOrCpuacct() {
        String cgroup = "3:cpuset:/\n2:cpuacct:/a\n1:cpu:/guardian/x\n0::/\n";
        assertThat(CgroupPaths.cpuCgroup(cgroup, V1_MOUNTS)).contains(Path.of("/sys/fs/cgroup/cpu/guardian/x"));
        assertThat(CgroupPaths.cpuCgroup("1:cpu:/\n0::/\n", V1_MOUNTS)).contains(Path.of("/sys/fs/cgroup/cpu"));
    }

    @Test
    void cgroupV1WithCpuAndCpuacctMountedTogether() {
        String mounts = "30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
        assertThat(CgroupPaths.cpuCgroup("4:cpu,cpuacct:/system.slice/guardian.service\n", mounts))
                .contains(Path.of("/sys/fs/cgroup/cpu,cpuacct/system.slice/guardian.service"));
    }

    @Test
    void cgroupV2UsesTheUnifiedHierarchy() {
        String mounts = "30 25 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
        assertThat(CgroupPaths.cpuCgroup("0::/user.slice/session-2.scope\n", mounts))
                .contains(Path.of("/sys/fs/cgroup/user.slice/session-2.scope"));
    }

    @Test
    void aMountOfPartOfTheHierarchyIsAccountedFor() {
        // A container sees its own cgroup mounted as the root of /sys/fs/cgroup/cpu.
        String mounts = "40 39 0:24 /docker/abc /sys/fs/cgroup/cpu ro - cgroup cgroup rw,cpu\n";
        assertThat(CgroupPaths.cpuCgroup("1:cpu:/docker/abc\n", mounts)).contains(Path.of("/sys/fs/cgroup/cpu"));
        assertThat(CgroupPaths.cpuCgroup("1:cpu:/docker/abc/sub\n", mounts)).contains(Path.of("/sys/fs/cgroup/cpu/sub"));
        assertThat(CgroupPaths.cpuCgroup("1:cpu:/elsewhere\n", mounts)).isEmpty();
    }

    @Test
    void escapedMountPointsAndMissingHierarchies() {
        String mounts = "26 25 0:24 / /sys/fs/my\\040cgroups/cpu rw - cgroup cgroup rw,cpu\n";
        assertThat(CgroupPaths.cpuCgroup("1:cpu:/\n", mounts)).contains(Path.of("/sys/fs/my cgroups/cpu"));
        assertThat(CgroupPaths.cpuCgroup("1:cpu:/\n", "")).isEmpty();
        assertThat(CgroupPaths.cpuCgroup("", V1_MOUNTS)).isEmpty();
    }
}
