package dev.guardian.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcFsTest {

    @Test
    void aStatFieldIsFoundAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (a (weird) name) S 17 4242 4242 0 -1 4194560 300 0 0 0 25 7 0 0 39 19 3 0 123456 "
                + "10000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 5 0 0\n";
        assertThat(ProcFs.field(stat, 1)).as("ppid").isEqualTo(17);
        assertThat(ProcFs.field(stat, 3)).as("session").isEqualTo(4242);
        assertThat(ProcFs.field(stat, 11) + ProcFs.field(stat, 12)).as("utime + stime").isEqualTo(32);
        assertThat(ProcFs.field(stat, 16)).as("nice").isEqualTo(19);
        assertThat(ProcFs.field(stat, 19)).as("start time").isEqualTo(123456);
        assertThat(ProcFs.field(stat, 38)).as("policy, the last field asked for").isEqualTo(5);
    }

    @Test
    void theJvmsOwnStatReadsAsTheSplitLineDoes() throws Exception {
        long pid = ProcessHandle.current().pid();
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] split = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        assertThat(ProcFs.parent(pid)).isEqualTo(Long.parseLong(split[1]));
        assertThat(ProcFs.session(pid)).isEqualTo(Long.parseLong(split[3]));
        assertThat(ProcFs.startTime(pid)).isEqualTo(Long.parseLong(split[19]));
        assertThat(ProcFs.niceness(pid)).isEqualTo(Long.parseLong(split[16]));
        assertThat(ProcFs.policy(pid)).isEqualTo(Integer.parseInt(split[38]));
        assertThat(ProcFs.cpuNanos(pid)).isPositive();
    }
}
