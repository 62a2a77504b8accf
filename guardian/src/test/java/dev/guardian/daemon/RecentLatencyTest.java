package dev.guardian.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The latency window of {@code guardian status}, on a clock the test moves by hand. */
class RecentLatencyTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RecentLatency latency = new RecentLatency(now::get);

    private void at(Duration sinceStart) {
        now.set(1_000_000_000L + sinceStart.toNanos());
    }

    private static long ms(long n) {
        return TimeUnit.MILLISECONDS.toNanos(n);
    }

    @Test
    void percentilesAreOverTheRequestsOfTheWindowAndSayHowMany() {
        for (int i = 1; i <= 100; i++) {
            latency.record(ms(i));
        }
        RecentLatency.Window w = latency.window();
        assertThat(w.count()).isEqualTo(100);
        assertThat(w.p50Ms()).isBetween(49.0, 51.0);
        assertThat(w.p99Ms()).isBetween(98.0, 100.0);
    }

    @Test
    void anIdleDaemonHasNoRecentRequestsInsteadOfPercentilesOfNothing() {
        latency.record(ms(5));
        at(Duration.ofSeconds(30));
        assertThat(latency.window().count()).isEqualTo(1);
        at(RecentLatency.WINDOW.plus(Duration.ofSeconds(1)));
        assertThat(latency.window()).isEqualTo(new RecentLatency.Window(0, 0, 0, 0));
    }

    @Test
    void requestsLeaveTheWindowSliceBySlice() {
        latency.record(ms(100));
        at(Duration.ofSeconds(35));
        latency.record(ms(1));
        latency.record(ms(1));
        at(Duration.ofSeconds(65));
        RecentLatency.Window w = latency.window();
        assertThat(w.count()).as("the request of second 0 is out, those of second 35 are in").isEqualTo(2);
        assertThat(w.p99Ms()).isLessThan(2.0);
    }

    @Test
    void aRequestRecordedBeforeALongPauseIsNotCountedAsRecentAfterIt() {
        latency.record(ms(7));
        // Nobody looks for ten minutes; then one request comes.
        at(Duration.ofMinutes(10));
        latency.record(ms(3));
        RecentLatency.Window w = latency.window();
        assertThat(w.count()).isEqualTo(1);
        assertThat(w.p50Ms()).isBetween(2.9, 3.1);
    }

    @Test
    void valuesOutsideTheHistogramsRangeAreCountedAtItsEnds() {
        latency.record(0);
        latency.record(TimeUnit.HOURS.toNanos(5));
        assertThat(latency.window().count()).isEqualTo(2);
    }
}
