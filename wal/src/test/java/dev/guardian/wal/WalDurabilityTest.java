package dev.guardian.wal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalDurabilityTest {

    @TempDir
    Path tmp;

    @Test
    void groupTicketsCompleteInOrderOnceForced() throws Exception {
        try (Wal wal = Wal.open(tmp.resolve("wal"), WalConfig.ofDefaults().withGroup(64, Duration.ofMillis(2)))) {
            List<AppendTicket> tickets = new ArrayList<>();
            for (int i = 1; i <= 1000; i++) {
                tickets.add(wal.append("request", "", "", ("p" + i).getBytes(UTF_8)));
            }
            CompletableFuture.allOf(tickets.stream().map(AppendTicket::durable).toArray(CompletableFuture[]::new))
                    .get(10, TimeUnit.SECONDS);
            for (int i = 0; i < tickets.size(); i++) {
                assertThat(tickets.get(i).durable().get()).isEqualTo(i + 1L);
            }
            assertThat(wal.durableSequence()).isEqualTo(1000);
        }
    }

    @Test
    void groupTicketsCompleteWithOneForcerAndWithMany() throws Exception {
        for (int forcers : new int[] {1, 8}) {
            WalConfig cfg = WalConfig.ofDefaults().withGroup(16, Duration.ZERO).withGroupForcers(forcers);
            try (Wal wal = Wal.open(tmp.resolve("wal-" + forcers), cfg)) {
                List<CompletableFuture<Long>> all = new ArrayList<>();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    threads.add(new Thread(() -> {
                        for (int i = 0; i < 500; i++) {
                            CompletableFuture<Long> f = wal.append("request", "", "", new byte[8]).durable();
                            synchronized (all) {
                                all.add(f);
                            }
                        }
                    }));
                }
                threads.forEach(Thread::start);
                for (Thread t : threads) {
                    t.join();
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
                assertThat(wal.durableSequence()).isEqualTo(2000);
            }
        }
    }

    @Test
    void aLoneGroupAppendIsForcedWithinMaxDelay() {
        try (Wal wal = Wal.open(tmp.resolve("wal"), WalConfig.ofDefaults().withGroup(1000, Duration.ofMillis(5)))) {
            AppendTicket t = wal.append("request", "", "", new byte[] {1});
            assertThat(t.durable()).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1L);
        }
    }

    @Test
    void onAnIdleDiskALoneGroupAppendIsForcedWithoutWaitingForMaxDelay() {
        // The forcer reports to the metrics after it completed the batch's tickets: wait for the report itself.
        CompletableFuture<Long> queued = new CompletableFuture<>();
        WalMetrics metrics = (mode, records, queuedNanos, forceNanos, completeNanos) -> queued.complete(queuedNanos);
        WalConfig cfg = WalConfig.ofDefaults().withGroup(1000, Duration.ofSeconds(1));
        try (Wal wal = Wal.open(tmp.resolve("wal"), cfg, java.time.Clock.systemUTC(), metrics)) {
            AppendTicket t = wal.append("request", "", "", new byte[] {1});
            assertThat(t.durable()).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1L);
            // Under the old policy the force began only after maxDelay (1 s); now only a thread wake-up precedes it.
            assertThat(queued).succeedsWithin(Duration.ofSeconds(5), org.assertj.core.api.InstanceOfAssertFactories.LONG)
                    .isLessThan(Duration.ofMillis(500).toNanos());
        }
    }

    @Test
    void closeCompletesPendingGroupTickets() {
        Wal wal = Wal.open(tmp.resolve("wal"), WalConfig.ofDefaults().withGroup(1000, Duration.ofSeconds(1)));
        AppendTicket t = wal.append("request", "", "", new byte[] {1});
        wal.close();
        assertThat(t.durable()).isCompletedWithValue(1L);
    }

    @Test
    void concurrentAppendersGetDistinctGaplessSequencesInFileOrder() throws Exception {
        for (Durability d : Durability.values()) {
            Path dir = tmp.resolve("wal-" + d);
            ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();
            try (Wal wal = Wal.open(dir, WalConfig.ofDefaults().withDurability(d))) {
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int id = t;
                    threads.add(new Thread(() -> {
                        for (int i = 0; i < 200; i++) {
                            byte[] p = ("thread-" + id + "-" + i).getBytes(UTF_8);
                            acked.add(wal.append("request", "t" + id, "", p).await());
                        }
                    }));
                }
                threads.forEach(Thread::start);
                for (Thread t : threads) {
                    t.join();
                }
            }
            assertThat(acked).hasSize(800).doesNotHaveDuplicates();
            try (WalReader r = Wal.openReadOnly(dir)) {
                List<WalRecord> all = WalTest.readAll(r, 1);
                assertThat(all).extracting(WalRecord::sequence)
                        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 800).boxed().toList());
                // each thread's records keep that thread's order
                for (int t = 0; t < 4; t++) {
                    String tag = "t" + t;
                    List<String> payloads = all.stream().filter(x -> x.instance().equals(tag))
                            .map(x -> new String(x.payload(), UTF_8)).toList();
                    assertThat(payloads).hasSize(200).startsWith("thread-" + t + "-0").endsWith("thread-" + t + "-199");
                }
            }
        }
    }

    @Test
    void asyncAppendsAreForcedInTheBackgroundWithinTheFlushInterval() {
        WalConfig cfg = WalConfig.ofDefaults().withDurability(Durability.ASYNC).withAsyncFlushInterval(Duration.ofMillis(50));
        try (Wal wal = Wal.open(tmp.resolve("wal"), cfg)) {
            for (int i = 1; i <= 10; i++) {
                assertThat(wal.append("request", "", "", new byte[] {(byte) i}).isDurable()).isTrue();
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> wal.durableSequence() == 10);
        }
    }

    @Test
    void aSyncAppendIsForcedBeforeItReturns() {
        try (Wal wal = Wal.open(tmp.resolve("wal"), WalConfig.ofDefaults().withDurability(Durability.SYNC))) {
            for (int i = 1; i <= 5; i++) {
                long seq = wal.append("request", "", "", new byte[] {(byte) i}).sequence();
                assertThat(wal.durableSequence()).isGreaterThanOrEqualTo(seq);
            }
        }
    }

    @Test
    void recordsCarryTheInjectedClocksTime() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-02T03:04:05.123456Z"));
        try (Wal wal = Wal.open(tmp.resolve("wal"), WalConfig.ofDefaults(), clock)) {
            wal.append("request", "", "", new byte[0]).await();
            assertThat(WalTest.readAll(wal, 1).get(0).time()).isEqualTo(Instant.parse("2026-01-02T03:04:05.123Z"));
        }
    }
}
