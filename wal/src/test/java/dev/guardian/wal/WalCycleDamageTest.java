package dev.guardian.wal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A cycle file that is not the newest one deleted or cut: readers go on with the files after it (a reader
 * going forwards otherwise stops for good at a file without its end marker), the missing range is named
 * with the files on either side, the writer keeps a cut file's readable records, and appends continue.
 */
class WalCycleDamageTest {

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    private WalConfig config() {
        return WalConfig.ofDefaults().withDurability(Durability.SYNC).withRollCycle("TEST_SECONDLY");
    }

    /** Five cycle files of 10 records each: 1–10, 11–20, ..., 41–50; returns them, oldest first. */
    private List<Path> fiveCycles(Path dir) throws IOException {
        try (Wal wal = Wal.open(dir, config(), clock)) {
            for (int c = 0; c < 5; c++) {
                for (int i = 0; i < 10; i++) {
                    wal.append("request", "", "", ("r" + (c * 10 + i + 1)).getBytes(UTF_8));
                }
                clock.advance(Duration.ofSeconds(1));
            }
        }
        return cycleFiles(dir);
    }

    private static List<Path> cycleFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private static List<Long> sequences(WalReader r, long from) {
        return WalTest.readAll(r, from).stream().map(WalRecord::sequence).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void aDeletedMiddleCycleIsAGapNamedByTheFilesAroundItAndEverythingElseIsRead() throws IOException {
        Path dir = tmp.resolve("wal");
        List<Path> files = fiveCycles(dir);
        Files.delete(files.get(2));

        String before = files.get(1).getFileName().toString();
        String after = files.get(3).getFileName().toString();
        try (WalReader r = Wal.openReadOnly(dir)) {
            assertThat(r.gaps()).singleElement().satisfies(g -> {
                assertThat(g.from()).isEqualTo(21);
                assertThat(g.to()).isEqualTo(30);
                assertThat(g.what()).contains(before, after, "seq 20", "seq 31");
            });
            assertThat(sequences(r, 1)).containsExactlyElementsOf(Stream.concat(range(1, 20).stream(), range(31, 50).stream()).toList());
            assertThat(sequences(r, 25)).containsExactlyElementsOf(range(31, 50));
            WalStats s = r.stats();
            assertThat(s.records()).isEqualTo(40);
            assertThat(s.missingSequences()).isEqualTo(10);
            assertThat(s.gaps()).singleElement().extracting(WalGap::from, WalGap::to).containsExactly(21L, 30L);
        }
        try (Wal wal = Wal.open(dir, config(), clock)) {
            assertThat(wal.lastSequence()).isEqualTo(50);
            assertThat(wal.gaps()).singleElement().extracting(WalGap::from, WalGap::to).containsExactly(21L, 30L);
            assertThat(wal.append("request", "", "", new byte[0]).await()).isEqualTo(51);
        }
    }

    @ParameterizedTest(name = "cut at {0} of its written bytes")
    @ValueSource(doubles = {0.0, 0.3, 0.9, 0.9995, 0.99995})
    void aCutMiddleCycleIsSalvagedInPlaceAndTheFilesAfterItStayReadable(double fraction) throws IOException {
        Path dir = tmp.resolve("wal");
        List<Path> files = fiveCycles(dir);
        Path third = files.get(2);
        cut(third, fraction);

        // A read-only view before any writer: the cut file is not read, everything around it is.
        try (WalReader r = Wal.openReadOnly(dir)) {
            assertThat(sequences(r, 1)).containsSubsequence(range(1, 20)).containsSubsequence(range(31, 50));
            assertThat(r.gaps()).singleElement().satisfies(g -> {
                assertThat(g.from()).isBetween(21L, 30L);
                assertThat(g.to()).isEqualTo(30);
            });
        }

        long lastKept;
        try (Wal wal = Wal.open(dir, config(), clock)) {
            assertThat(wal.lastSequence()).isEqualTo(50);
            List<Long> seqs = sequences(wal, 1);
            lastKept = seqs.stream().filter(s -> s <= 30).mapToLong(Long::longValue).max().orElseThrow();
            // What it kept of the cut file is its first records, in order; the files after it are all read.
            assertThat(seqs).containsExactlyElementsOf(Stream.concat(range(1, lastKept).stream(), range(31, 50).stream()).toList());
            if (lastKept < 30) {
                assertThat(wal.gaps()).singleElement().satisfies(g -> {
                    assertThat(g.from()).isEqualTo(lastKept + 1);
                    assertThat(g.to()).isEqualTo(30);
                    assertThat(g.what()).contains(lastKept > 20 ? third.getFileName().toString() : files.get(1).getFileName().toString());
                });
            } else {
                assertThat(wal.gaps()).isEmpty(); // only its end marker was cut off
            }
            assertThat(wal.append("request", "", "", new byte[0]).await()).isEqualTo(51);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith(third.getFileName() + ".cut-"));
        }
        // Salvaged for good: the next open and a read-only view find the same log, and nothing to salvage.
        try (Wal wal = Wal.open(dir, config(), clock); WalReader r = Wal.openReadOnly(dir)) {
            List<Long> expected = Stream.of(range(1, lastKept), range(31, 51)).flatMap(List::stream).toList();
            assertThat(sequences(wal, 1)).containsExactlyElementsOf(expected);
            assertThat(sequences(r, 1)).containsExactlyElementsOf(expected);
            assertThat(r.stats().corruptRecords()).isZero();
            assertThat(r.stats().missingSequences()).isEqualTo(30 - lastKept);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.filter(p -> p.getFileName().toString().contains(".cut-"))).hasSize(1);
        }
    }

    private static void cut(Path file, double fraction) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int last = all.length - 1;
        while (last >= 0 && all[last] == 0) {
            last--;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate((long) ((last + 1) * fraction));
        }
    }
}
