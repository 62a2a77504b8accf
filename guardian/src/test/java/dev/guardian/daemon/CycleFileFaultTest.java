package dev.guardian.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guardian.cli.GuardianCommand;
import dev.guardian.config.ConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A cycle file in the middle of the log (not the newest) deleted or cut: Guardian starts by itself, keeps
 * what is readable, replays the records after the damage, reports every lost sequence (log, status,
 * metrics), and numbers on above everything it ever acknowledged. Real agent processes, a real WAL spread
 * over four cycle files by a clock the test advances, a real daemon for the restart after the damage, and
 * the real commands ({@code guardian status}, {@code wal stats}, {@code wal tail}) in-process.
 */
class CycleFileFaultTest {

    private static final String CONFIG = "agent: {command: [python3, " + SupervisorFixture.FAULTY + "]}\n"
            + "checkpoint: {every_requests: 10, every: 1h}\n";

    @TempDir
    Path tmp;

    private final WalClock walClock = new WalClock(Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS));
    private SupervisorFixture fixture;
    private Daemon daemon;

    /** Every request answered 200, by key: its sequence (the ledger the agent's memory is checked against). */
    private final List<Long> acknowledged = new ArrayList<>();
    /** The log's last sequence when each cycle file was done: the file of cycle i holds ends[i-1]+1 .. ends[i]. */
    private final List<Long> ends = new ArrayList<>();

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aDeletedMiddleCycleFileIsReportedExactlyAndTheRecordsAfterItAreReplayed() throws Exception {
        Path data = tmp.resolve("data");
        List<Path> files = fourCycles(data);
        Files.delete(files.get(2));
        long lostFrom = ends.get(1) + 1;
        long lostTo = ends.get(2);

        // Read-only, before any Guardian: the commands read around the hole and name it.
        Cli stats = cli("wal", "stats", "--data-dir", data.toString());
        assertThat(stats.code()).as(stats.toString()).isZero();
        assertThat(stats.out()).containsPattern("missing +" + (lostTo - lostFrom + 1) + " sequences")
                .contains("seq " + lostFrom + ".." + lostTo, name(files.get(1)), name(files.get(3)));
        Cli tail = cli("wal", "tail", "--data-dir", data.toString());
        assertThat(tail.code()).as(tail.toString()).isZero();
        assertThat(tail.out()).contains("seq " + lostFrom + ".." + lostTo + " are missing").containsPattern("\n +" + ends.get(3) + "  ");

        startDaemon(data);
        assertLossReported(lostFrom, lostTo, name(files.get(1)), "are not in the agent's memory");
        assertMemoryHoldsWhatWasAcknowledgedAndNotLost(lostFrom, lostTo);
        // A retry of a lost request's key gets its first answer from the keys journal: never applied twice.
        int before = count(daemon.supervisor(), "k");
        Outcome retry = daemon.supervisor().submit(SupervisorFixture.JSON.readTree(learn("k")), "key-14").get(60, TimeUnit.SECONDS);
        assertThat(retry).isInstanceOfSatisfying(Outcome.Answered.class, a -> assertThat(a.seq()).isEqualTo(acknowledged.get(13)));
        assertThat(count(daemon.supervisor(), "k")).isEqualTo(before);
        servesAgainAboveEverythingAcknowledged(data, lostFrom, lostTo);
    }

    @ParameterizedTest(name = "{0} bytes cut off its end")
    @ValueSource(ints = {1, 300, 700, 1_000_000})
    void aCutMiddleCycleFileKeepsItsReadableRecordsAndReportsTheRest(int bytesCut) throws Exception {
        Path data = tmp.resolve("data");
        List<Path> files = fourCycles(data);
        Path third = files.get(2);
        long written = lastNonZeroByte(third) + 1;
        try (FileChannel ch = FileChannel.open(third, StandardOpenOption.WRITE)) {
            ch.truncate(Math.max(0, written - bytesCut));
        }

        // Read-only, before any Guardian: the cut file is not read, and the commands say so and read on after it.
        Cli stats = cli("wal", "stats", "--data-dir", data.toString());
        assertThat(stats.code()).as(stats.toString()).isZero();
        assertThat(stats.out()).contains(name(third) + " is cut");
        Cli tail = cli("wal", "tail", "--data-dir", data.toString());
        assertThat(tail.code()).as(tail.toString()).isZero();
        assertThat(tail.out()).containsPattern("\n +" + ends.get(3) + "  ");

        startDaemon(data);
        // What the salvage kept of the cut file: its first records, up to the cut.
        long lastKept;
        try (dev.guardian.wal.WalReader r = dev.guardian.wal.Wal.openReadOnly(data.resolve("wal"));
                dev.guardian.wal.WalCursor c = r.read(ends.get(1) + 1)) {
            lastKept = ends.get(1);
            for (dev.guardian.wal.WalRecord rec = c.next(); rec != null && rec.sequence() <= ends.get(2); rec = c.next()) {
                assertThat(rec.sequence()).as("kept in order, from the file's start").isEqualTo(lastKept + 1);
                lastKept = rec.sequence();
            }
        }
        if (lastKept < ends.get(2)) {
            try (Stream<Path> s = Files.list(data.resolve("wal"))) {
                assertThat(s.map(CycleFileFaultTest::name)).anyMatch(n -> n.startsWith(name(third) + ".cut-"));
            }
            assertLossReported(lastKept + 1, ends.get(2), name(lastKept > ends.get(1) ? third : files.get(1)), "agent's memory");
        } else {
            // Only (part of) its end marker was cut off, which Chronicle writes again where it finds it missing.
            assertThat(daemon.supervisor().logLosses()).as("nothing lost").isEmpty();
        }
        assertMemoryHoldsWhatWasAcknowledgedAndNotLost(lastKept + 1, ends.get(2));
        servesAgainAboveEverythingAcknowledged(data, lastKept + 1, ends.get(2));
    }

    /**
     * 19 keyed requests over four cycle files: 10 in the first (a checkpoint follows the 10th answer), then 3
     * in each of the next three. Returns the files, oldest first.
     */
    private List<Path> fourCycles(Path data) throws Exception {
        fixture = SupervisorFixture.open(data, CONFIG, walClock);
        int key = 0;
        for (int cycle = 0; cycle < 4; cycle++) {
            for (int i = 0; i < (cycle == 0 ? 10 : 3); i++) {
                Outcome o = fixture.submit(learn("k"), "key-" + ++key);
                assertThat(o).isInstanceOf(Outcome.Answered.class);
                acknowledged.add(((Outcome.Answered) o).seq());
            }
            if (cycle == 0) {
                // Stored on the control thread after the 10th answer: in the vault before the log is damaged.
                await().atMost(Duration.ofSeconds(20)).until(() -> newestCheckpoint(fixture) >= acknowledged.get(9));
            }
            ends.add(fixture.wal.lastSequence()); // every answer is logged before it is given
            walClock.advance(Duration.ofSeconds(1));
        }
        fixture.close();
        fixture = null;
        List<Path> files;
        try (Stream<Path> s = Files.list(data.resolve("wal"))) {
            files = s.filter(p -> name(p).endsWith(".cq4")).sorted().toList();
        }
        assertThat(files).hasSize(4);
        return files;
    }

    private static long newestCheckpoint(SupervisorFixture f) {
        return f.vault.list(PrimarySupervisor.LINEAGE).stream().mapToLong(c -> c.walSeq()).max().orElse(0);
    }

    private void startDaemon(Path data) throws IOException {
        daemon = Daemon.start(ConfigLoader.parse(CONFIG + "data_dir: " + data + "\nfront_door: 127.0.0.1:0\nadmin: 127.0.0.1:0\n",
                "test.yaml"));
        await().atMost(Duration.ofSeconds(20)).until(() -> daemon.supervisor().phase() == PrimarySupervisor.Phase.OPEN);
    }

    /** The loss, and only it, in the supervisor, {@code guardian status} (text and JSON) and {@code /metrics}. */
    private void assertLossReported(long from, long to, String file, String cost) throws Exception {
        assertThat(daemon.supervisor().logLosses()).singleElement().satisfies(loss -> {
            assertThat(loss.from()).isEqualTo(from);
            assertThat(loss.to()).isEqualTo(to);
            assertThat(loss.what()).contains(file, cost);
        });
        Path data = tmp.resolve("data");
        Cli json = cli("status", "--json", "--data-dir", data.toString());
        assertThat(json.code()).as(json.toString()).isZero();
        JsonNode losses = SupervisorFixture.JSON.readTree(json.out()).path("log_losses");
        assertThat(losses).hasSize(1);
        assertThat(losses.get(0).path("from").asLong()).isEqualTo(from);
        assertThat(losses.get(0).path("to").asLong()).isEqualTo(to);
        assertThat(losses.get(0).path("sequences").asLong()).isEqualTo(to - from + 1);
        Cli text = cli("status", "--data-dir", data.toString());
        assertThat(text.out()).contains("LOG LOST:        seq " + from + ".." + to + " (" + (to - from + 1) + " sequences)");
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + daemon.admin().host() + ":" + daemon.admin().port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).containsPattern("guardian_log_lost_sequences(\\{[^}]*\\})? " + (to - from + 1) + "\\.0\n");
    }

    /**
     * Every acknowledged request is in the agent's memory (the checkpoint's, or replayed from the log), except
     * those whose record is in the reported loss: none answered 200 and silently not applied.
     */
    private void assertMemoryHoldsWhatWasAcknowledgedAndNotLost(long lostFrom, long lostTo) throws Exception {
        long lost = acknowledged.stream().filter(s -> s >= lostFrom && s <= lostTo).count();
        assertThat(count(daemon.supervisor(), "k")).isEqualTo(acknowledged.size() - lost);
    }

    /** New requests are applied, numbered above everything logged before, and kept through the next start. */
    private void servesAgainAboveEverythingAcknowledged(Path data, long lostFrom, long lostTo) throws Exception {
        Outcome fresh = daemon.supervisor().submit(SupervisorFixture.JSON.readTree(learn("fresh")), "fresh-1").get(60, TimeUnit.SECONDS);
        assertThat(fresh).isInstanceOf(Outcome.Answered.class);
        assertThat(((Outcome.Answered) fresh).seq()).isGreaterThan(ends.get(3));
        assertThat(((Outcome.Answered) fresh).payload().get("count").asInt()).as("applied").isEqualTo(1);
        int k = count(daemon.supervisor(), "k");
        daemon.close();
        daemon = null;

        startDaemon(data);
        assertThat(count(daemon.supervisor(), "fresh")).isEqualTo(1);
        assertThat(count(daemon.supervisor(), "k")).isEqualTo(k);
        if (lostFrom <= lostTo) {
            assertThat(daemon.supervisor().logLosses()).as("still reported at the next start")
                    .anySatisfy(loss -> assertThat(loss.from()).isEqualTo(lostFrom));
        }
        Cli stats = cli("wal", "stats", "--data-dir", data.toString());
        assertThat(stats.code()).as(stats.toString()).isZero();
        assertThat(stats.out()).containsPattern("corrupt records +0\n");
    }

    private static int count(PrimarySupervisor s, String key) throws Exception {
        Outcome o = s.submit(SupervisorFixture.JSON.readTree("{\"op\":\"ask\",\"key\":\"" + key + "\"}"), null).get(60, TimeUnit.SECONDS);
        assertThat(o).isInstanceOf(Outcome.Answered.class);
        return ((Outcome.Answered) o).payload().get("count").asInt();
    }

    private record Cli(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    /** A guardian command run in this JVM, as {@code bin/guardian ARGS} would run it. */
    private static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cmd = GuardianCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    private static long lastNonZeroByte(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        for (int i = all.length - 1; i >= 0; i--) {
            if (all[i] != 0) {
                return i;
            }
        }
        return -1;
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }

    private static String learn(String key) {
        return "{\"op\":\"learn\",\"key\":\"" + key + "\"}";
    }

    /** The WAL's clock: each second a new cycle file ({@code TEST_SECONDLY}); advanced by the test only. */
    private static final class WalClock extends Clock {
        private final AtomicLong millis;

        WalClock(Instant start) {
            millis = new AtomicLong(start.toEpochMilli());
        }

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
