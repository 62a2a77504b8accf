package dev.guardian.wal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalRetentionTest {

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    /** Five cycle files of 10 records each: 1–10, 11–20, ..., 41–50. */
    private Wal fiveCycles(Path dir, int minCycles) {
        Wal wal = Wal.open(dir, WalConfig.ofDefaults().withDurability(Durability.ASYNC)
                .withRollCycle("TEST_SECONDLY").withRetentionMinCycles(minCycles), clock);
        for (int c = 0; c < 5; c++) {
            for (int i = 0; i < 10; i++) {
                wal.append("request", "", "", ("r" + (c * 10 + i + 1)).getBytes(UTF_8));
            }
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(wal.stats().cycleFiles()).hasSize(5);
        return wal;
    }

    @Test
    void retentionDropsWholeCycleFilesACheckpointCovers() {
        try (Wal wal = fiveCycles(tmp.resolve("wal"), 1)) {
            assertThat(wal.retainAfter(25)).isEqualTo(2);   // 1–10 and 11–20; 21–30 still holds 26..30
            WalStats s = wal.stats();
            assertThat(s.cycleFiles()).hasSize(3);
            assertThat(s.firstSequence()).isEqualTo(21);
            assertThat(s.lastSequence()).isEqualTo(50);
            assertThat(WalTest.readAll(wal, 1)).first().extracting(WalRecord::sequence).isEqualTo(21L);
            assertThat(WalTest.readAll(wal, 26)).first().extracting(WalRecord::sequence).isEqualTo(26L);
            // appends continue after retention
            assertThat(wal.append("request", "", "", new byte[0]).await()).isEqualTo(51);
        }
    }

    @Test
    void retentionKeepsTheConfiguredMinimumOfCycleFiles() {
        try (Wal wal = fiveCycles(tmp.resolve("wal"), 3)) {
            assertThat(wal.retainAfter(1_000)).isEqualTo(2);
            assertThat(wal.stats().cycleFiles()).hasSize(3);
            assertThat(wal.stats().firstSequence()).isEqualTo(21);
        }
    }

    @Test
    void retentionNeverDropsACycleWithUncoveredRecords() {
        try (Wal wal = fiveCycles(tmp.resolve("wal"), 1)) {
            assertThat(wal.retainAfter(9)).isZero();
            assertThat(wal.stats().records()).isEqualTo(50);
        }
    }

    @Test
    void retentionSurvivesReopen() {
        Path dir = tmp.resolve("wal");
        try (Wal wal = fiveCycles(dir, 1)) {
            wal.retainAfter(40);
        }
        try (Wal wal = Wal.open(dir, WalConfig.ofDefaults().withRollCycle("TEST_SECONDLY"), clock)) {
            assertThat(wal.lastSequence()).isEqualTo(50);
            List<WalRecord> all = WalTest.readAll(wal, 1);
            assertThat(all).extracting(WalRecord::sequence).startsWith(41L).endsWith(50L).hasSize(10);
        }
    }
}
