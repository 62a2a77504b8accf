package dev.guardian.wal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalTest {

    @TempDir
    Path tmp;

    static byte[] payload(long seq) {
        return ("payload-" + seq).getBytes(UTF_8);
    }

    static List<WalRecord> readAll(WalReader wal, long from) {
        List<WalRecord> out = new ArrayList<>();
        try (WalCursor c = wal.read(from)) {
            for (WalRecord r = c.next(); r != null; r = c.next()) {
                out.add(r);
            }
        }
        return out;
    }

    @Nested
    class AppendAndRead {

        @Test
        void appendedRecordsReadBackWithTheirFieldsInOrder() {
            Path dir = tmp.resolve("wal");
            try (Wal wal = Wal.open(dir, WalConfig.ofDefaults().withDurability(Durability.SYNC))) {
                for (int i = 1; i <= 5; i++) {
                    AppendTicket t = wal.append("request", "inst-" + i, "v" + i, payload(i));
                    assertThat(t.sequence()).isEqualTo(i);
                    assertThat(t.isDurable()).isTrue();
                }
                List<WalRecord> records = readAll(wal, 1);
                assertThat(records).extracting(WalRecord::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
                WalRecord third = records.get(2);
                assertThat(third.type()).isEqualTo("request");
                assertThat(third.instance()).isEqualTo("inst-3");
                assertThat(third.version()).isEqualTo("v3");
                assertThat(third.payload()).isEqualTo(payload(3));
                assertThat(third.timeMicros()).isPositive();
            }
        }

        @Test
        void readingFromASequenceStartsThere() {
            try (Wal wal = Wal.open(tmp.resolve("wal"), WalConfig.ofDefaults().withDurability(Durability.ASYNC))) {
                for (int i = 1; i <= 100; i++) {
                    wal.append("request", "", "", payload(i));
                }
                assertThat(readAll(wal, 42)).extracting(WalRecord::sequence).first().isEqualTo(42L);
                assertThat(readAll(wal, 42)).hasSize(59);
                assertThat(readAll(wal, 101)).isEmpty();
                assertThat(readAll(wal, 0)).hasSize(100);
            }
        }

        @Test
        void emptyTagsAndEmptyPayloadAreKept() {
            try (Wal wal = Wal.open(tmp.resolve("wal"), WalConfig.ofDefaults())) {
                wal.append("marker", null, "", new byte[0]).await();
                WalRecord r = readAll(wal, 1).get(0);
                assertThat(r.instance()).isEmpty();
                assertThat(r.version()).isEmpty();
                assertThat(r.payload()).isEmpty();
            }
        }

        @Test
        void invalidAppendsAreRefusedWithClearMessages() {
            try (Wal wal = Wal.open(tmp.resolve("wal"), WalConfig.ofDefaults())) {
                assertThatThrownBy(() -> wal.append("", "", "", new byte[0]))
                        .isInstanceOf(WalException.class).hasMessage("type must not be empty");
                assertThatThrownBy(() -> wal.append("t", "x".repeat(256), "", new byte[0]))
                        .isInstanceOf(WalException.class).hasMessage("instance must be at most 255 UTF-8 bytes, but was 256");
                assertThatThrownBy(() -> wal.append("t", "", "", new byte[(16 << 20) + 1]))
                        .isInstanceOf(WalException.class).hasMessageContaining("exceeds wal.maxPayloadBytes");
                assertThat(wal.lastSequence()).isZero();
            }
        }

        @Test
        void appendAfterCloseIsRefused() {
            Wal wal = Wal.open(tmp.resolve("wal"), WalConfig.ofDefaults());
            wal.close();
            assertThatThrownBy(() -> wal.append("t", "", "", new byte[0]))
                    .isInstanceOf(WalException.class).extracting(e -> ((WalException) e).reason()).isEqualTo(WalException.Reason.CLOSED);
        }
    }

    @Nested
    class Reopen {

        @Test
        void sequencesContinueAfterReopen() {
            Path dir = tmp.resolve("wal");
            for (Durability d : Durability.values()) {
                try (Wal wal = Wal.open(dir, WalConfig.ofDefaults().withDurability(d))) {
                    long before = wal.lastSequence();
                    for (int i = 1; i <= 10; i++) {
                        assertThat(wal.append("request", "", "", payload(before + i)).await()).isEqualTo(before + i);
                    }
                }
            }
            try (WalReader r = Wal.openReadOnly(dir)) {
                List<WalRecord> all = readAll(r, 1);
                assertThat(all).hasSize(30);
                for (int i = 0; i < 30; i++) {
                    assertThat(all.get(i).sequence()).isEqualTo(i + 1);
                    assertThat(all.get(i).payload()).isEqualTo(payload(i + 1));
                }
            }
        }

        @Test
        void statsCountRecordsAndCycleFiles() {
            Path dir = tmp.resolve("wal");
            try (Wal wal = Wal.open(dir, WalConfig.ofDefaults().withDurability(Durability.ASYNC))) {
                for (int i = 1; i <= 7; i++) {
                    wal.append("request", "", "", payload(i));
                }
                WalStats s = wal.stats();
                assertThat(s.records()).isEqualTo(7);
                assertThat(s.firstSequence()).isEqualTo(1);
                assertThat(s.lastSequence()).isEqualTo(7);
                assertThat(s.corruptRecords()).isZero();
                assertThat(s.cycleFiles()).hasSize(1);
                assertThat(s.recordBytes()).isPositive();
            }
        }
    }

    @Nested
    class Directories {

        @Test
        void aSecondWriterIsRefusedAsLocked() {
            Path dir = tmp.resolve("wal");
            try (Wal wal = Wal.open(dir, WalConfig.ofDefaults())) {
                assertThatThrownBy(() -> Wal.open(dir, WalConfig.ofDefaults()))
                        .isInstanceOf(WalException.class)
                        .hasMessageContaining("is locked")
                        .extracting(e -> ((WalException) e).reason()).isEqualTo(WalException.Reason.LOCKED);
                // readers are welcome beside the writer
                wal.append("request", "", "", payload(1)).await();
                try (WalReader r = Wal.openReadOnly(dir)) {
                    assertThat(readAll(r, 1)).hasSize(1);
                }
            }
            Wal.open(dir, WalConfig.ofDefaults()).close();
        }

        @Test
        void aForeignDirectoryIsRefusedAndLeftUntouched() throws Exception {
            Path dir = Files.createDirectories(tmp.resolve("foreign"));
            Files.writeString(dir.resolve("foo.txt"), "hello");
            assertThatThrownBy(() -> Wal.open(dir, WalConfig.ofDefaults()))
                    .isInstanceOf(WalException.class)
                    .hasMessage(dir + " is not a Guardian WAL directory (found foo.txt)");
            assertThatThrownBy(() -> Wal.openReadOnly(dir))
                    .isInstanceOf(WalException.class)
                    .hasMessage(dir + " is not a Guardian WAL directory (found foo.txt)");
            try (var files = Files.list(dir)) {
                assertThat(files).containsExactly(dir.resolve("foo.txt"));
            }
        }

        @Test
        void aMissingDirectoryIsNotFoundForReaders() {
            Path dir = tmp.resolve("nope");
            assertThatThrownBy(() -> Wal.openReadOnly(dir))
                    .isInstanceOf(WalException.class).hasMessage(dir + " does not exist")
                    .extracting(e -> ((WalException) e).reason()).isEqualTo(WalException.Reason.NOT_FOUND);
            assertThat(dir).doesNotExist();
        }

        @Test
        void readingAFreshLogCreatesNothing() throws Exception {
            Path dir = tmp.resolve("wal");
            Wal.open(dir, WalConfig.ofDefaults()).close();
            List<String> before = names(dir);
            try (WalReader r = Wal.openReadOnly(dir)) {
                assertThat(r.stats().records()).isZero();
                assertThat(readAll(r, 1)).isEmpty();
            }
            assertThat(names(dir)).isEqualTo(before);
        }

        private List<String> names(Path dir) throws Exception {
            try (var files = Files.list(dir)) {
                return files.map(p -> p.getFileName().toString()).sorted().toList();
            }
        }
    }

    @Nested
    class Tail {

        @Test
        void aTailFollowsAppendsFromAnotherThread() throws Exception {
            try (Wal wal = Wal.open(tmp.resolve("wal"), WalConfig.ofDefaults().withDurability(Durability.ASYNC))) {
                wal.append("request", "", "", payload(1));
                List<WalRecord> seen = new CopyOnWriteArrayList<>();
                try (WalTail tail = wal.tail(1, seen::add)) {
                    Thread writer = new Thread(() -> {
                        for (int i = 2; i <= 500; i++) {
                            wal.append("request", "", "", payload(i));
                        }
                    });
                    writer.start();
                    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 500);
                    writer.join();
                    assertThat(tail.lastDelivered()).isEqualTo(500);
                }
                assertThat(seen).extracting(WalRecord::sequence).isSorted().doesNotHaveDuplicates();
                assertThat(seen.get(499).payload()).isEqualTo(payload(500));
            }
        }

        @Test
        void aReadOnlyTailFollowsAnotherWriterAcrossCycleRolls() {
            MutableClock clock = new MutableClock(java.time.Instant.parse("2026-03-01T10:00:00Z"));
            Path dir = tmp.resolve("wal");
            WalConfig cfg = WalConfig.ofDefaults().withDurability(Durability.ASYNC).withRollCycle("TEST_SECONDLY");
            try (Wal wal = Wal.open(dir, cfg, clock); WalReader reader = Wal.openReadOnly(dir)) {
                List<Long> seen = new CopyOnWriteArrayList<>();
                try (WalTail tail = reader.tail(1, r -> seen.add(r.sequence()))) {
                    long seq = 0;
                    for (int cycle = 0; cycle < 3; cycle++) {
                        for (int i = 0; i < 5; i++) {
                            wal.append("request", "", "", payload(++seq));
                        }
                        long expected = seq;
                        await().atMost(Duration.ofSeconds(10)).until(() -> tail.lastDelivered() == expected);
                        clock.advance(Duration.ofSeconds(1));
                    }
                }
                assertThat(seen).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 15).boxed().toList());
                assertThat(wal.stats().cycleFiles()).hasSize(3);
            }
        }

        @Test
        void aTailSurvivesAConsumerThatThrows() {
            try (Wal wal = Wal.open(tmp.resolve("wal"), WalConfig.ofDefaults().withDurability(Durability.ASYNC))) {
                List<Long> seen = new CopyOnWriteArrayList<>();
                try (WalTail tail = wal.tail(1, r -> {
                    if (r.sequence() == 2) {
                        throw new IllegalStateException("boom");
                    }
                    seen.add(r.sequence());
                })) {
                    for (int i = 1; i <= 3; i++) {
                        wal.append("request", "", "", payload(i));
                    }
                    await().atMost(Duration.ofSeconds(5)).until(() -> tail.lastDelivered() == 3);
                }
                assertThat(seen).containsExactly(1L, 3L);
            }
        }
    }

    @Nested
    class Config {

        @Test
        void badValuesAreRefusedNamingFieldAndValue() {
            WalConfig d = WalConfig.ofDefaults();
            assertThatThrownBy(() -> d.withGroup(0, Duration.ofMillis(1)))
                    .hasMessage("wal.group.maxBatch must be > 0, but was 0");
            assertThatThrownBy(() -> d.withGroup(10, Duration.ofMillis(-1)))
                    .hasMessage("wal.group.maxDelay must be between 0 and 1s, but was PT-0.001S");
            assertThatThrownBy(() -> d.withRetentionMinCycles(0))
                    .hasMessage("wal.retention.minCycles must be >= 1, but was 0");
            assertThatThrownBy(() -> d.withRollCycle("HOURLYISH"))
                    .hasMessageStartingWith("wal.rollCycle must be one of [").hasMessageEndingWith("but was HOURLYISH");
            assertThatThrownBy(() -> d.withGroupForcers(0))
                    .hasMessage("wal.group.forcers must be between 1 and 16, but was 0");
            assertThatThrownBy(() -> d.withAsyncFlushInterval(Duration.ZERO))
                    .hasMessage("wal.async.flushInterval must be > 0, but was PT0S");
        }
    }
}
