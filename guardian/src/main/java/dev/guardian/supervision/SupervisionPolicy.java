package dev.guardian.supervision;

import java.time.Duration;
import java.util.Objects;

/**
 * How one instance is supervised. Validated at construction; every message names the field and
 * the value.
 *
 * @param restart          restart type
 * @param backoffInitial   delay before the first restart
 * @param backoffMax       the delay never grows beyond this
 * @param backoffMultiplier growth of the delay per consecutive restart
 * @param stableAfter      uptime after which the backoff starts again from the initial delay
 * @param maxRestarts      more than this many restarts within {@code window} escalate
 * @param window           the restart-intensity window
 */
public record SupervisionPolicy(RestartType restart, Duration backoffInitial, Duration backoffMax,
        double backoffMultiplier, Duration stableAfter, int maxRestarts, Duration window) {

    public SupervisionPolicy {
        Objects.requireNonNull(restart, "restart");
        positive("backoff.initial", backoffInitial, true);
        positive("backoff.max", backoffMax, false);
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("backoff.max must be >= backoff.initial (" + backoffInitial
                    + "), but was " + backoffMax);
        }
        if (!(backoffMultiplier >= 1.0) || Double.isInfinite(backoffMultiplier)) {
            throw new IllegalArgumentException("backoff.multiplier must be >= 1, but was " + backoffMultiplier);
        }
        positive("backoff.reset_after", stableAfter, false);
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("intensity.max_restarts must be >= 0, but was " + maxRestarts);
        }
        positive("intensity.window", window, false);
    }

    /** Permanent; 100 ms doubling to 5 s, reset after 30 s up; more than 5 restarts in 60 s escalate. */
    public static SupervisionPolicy ofDefaults() {
        return new SupervisionPolicy(RestartType.PERMANENT, Duration.ofMillis(100), Duration.ofSeconds(5), 2.0,
                Duration.ofSeconds(30), 5, Duration.ofSeconds(60));
    }

    private static void positive(String name, Duration d, boolean zeroAllowed) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? ">= 0" : "> 0") + ", but was " + d);
        }
    }
}
