package dev.guardian.daemon.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys' index and its journal on real files: what survives a reopen, a torn tail, the window's bounds. */
class IdempotencyIndexTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final IdempotencyIndex.Window DAY = new IdempotencyIndex.Window(Duration.ofHours(24), 1000);

    @TempDir
    Path dir;

    @Test
    void answersAreReadBackFromTheJournalAfterAReopenAndTheMarkSaysWhatTheJournalCovers() throws Exception {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir, DAY, NOW)) {
            index.logged("a", 1, 11, NOW, new CompletableFuture<>());
            index.answered("a", 1, 2, bytes("{\"ok\":true,\"payload\":1}"), null);
            index.logged("b", 3, 33, NOW, new CompletableFuture<>());
            index.poisoned("b", 3, 4, "died 3 times");
            index.logged("c", 5, 55, NOW, new CompletableFuture<>());
            assertThat(index.flush(() -> 5, NOW)).isEqualTo(5);
            assertThat(index.get("a", NOW).liveAnswer()).as("dropped once journaled").isNull();
            assertThat(new String(index.storedAnswer(index.get("a", NOW)), StandardCharsets.UTF_8)).contains("payload");
        }
        try (IdempotencyIndex index = IdempotencyIndex.open(dir, DAY, NOW)) {
            assertThat(index.coveredAtOpen()).isEqualTo(5);
            IdempotencyIndex.Entry a = index.get("a", NOW);
            assertThat(a.state()).isEqualTo(IdempotencyIndex.State.ANSWERED);
            assertThat(a.payloadHash()).isEqualTo(11);
            assertThat(new String(index.storedAnswer(a), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true,\"payload\":1}");
            assertThat(index.get("b", NOW).state()).isEqualTo(IdempotencyIndex.State.POISON);
            assertThat(index.get("b", NOW).poisonReason()).isEqualTo("died 3 times");
            assertThat(index.get("c", NOW).state()).isEqualTo(IdempotencyIndex.State.LOGGED);
        }
    }

    @Test
    void eventsBeyondTheCoveredSequenceWaitForALaterFlush() throws Exception {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir, DAY, NOW)) {
            index.logged("a", 1, 1, NOW, new CompletableFuture<>());
            index.logged("b", 2, 2, NOW, new CompletableFuture<>());
            index.flush(() -> 1, NOW);
        }
        try (IdempotencyIndex index = IdempotencyIndex.open(dir, DAY, NOW)) {
            assertThat(index.get("a", NOW)).isNotNull();
            assertThat(index.get("b", NOW)).as("not durable in the WAL yet when the journal was written").isNull();
            assertThat(index.coveredAtOpen()).isEqualTo(1);
        }
    }

    @Test
    void aTornOrDamagedTailIsCutAndTheLastWholeMarkIsBelieved() throws Exception {
        try (IdempotencyIndex index = IdempotencyIndex.open(dir, DAY, NOW)) {
            index.logged("a", 1, 1, NOW, null);
            index.flush(() -> 1, NOW);
            index.logged("b", 2, 2, NOW, null);
            index.flush(() -> 2, NOW);
        }
        Path segment = segments().get(0);
        long size = Files.size(segment);
        // Flip a byte inside the second batch: its records and its mark are not believed.
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, size - 60);
            b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
            ch.write(b, size - 60);
        }
        try (IdempotencyIndex index = IdempotencyIndex.open(dir, DAY, NOW)) {
            assertThat(index.coveredAtOpen()).isEqualTo(1);
            assertThat(index.get("a", NOW)).isNotNull();
            assertThat(index.get("b", NOW)).isNull();
        }
        assertThat(Files.size(segment)).as("cut at the damage").isLessThan(size);
    }

    @Test
    void keysLeaveTheWindowByAgeAndByCount() throws Exception {
        IdempotencyIndex.Window window = new IdempotencyIndex.Window(Duration.ofMinutes(10), 3);
        try (IdempotencyIndex index = IdempotencyIndex.open(dir, window, NOW)) {
            index.logged("old", 1, 1, NOW - Duration.ofMinutes(11).toMillis(), null);
            assertThat(index.get("old", NOW)).as("older than the window").isNull();
            for (int i = 0; i < 5; i++) {
                index.logged("k" + i, 10 + i, 1, NOW, null);
            }
            assertThat(index.size()).isEqualTo(3);
            assertThat(index.get("k1", NOW)).isNull();
            assertThat(index.get("k2", NOW)).isNotNull();
            index.flush(() -> 100, NOW);
        }
        try (IdempotencyIndex index = IdempotencyIndex.open(dir, window, NOW + Duration.ofMinutes(11).toMillis())) {
            assertThat(index.size()).as("all older than the window by now").isZero();
        }
    }

    private List<Path> segments() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("keys-")).sorted().toList();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
