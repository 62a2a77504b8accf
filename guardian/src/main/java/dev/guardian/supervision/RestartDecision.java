package dev.guardian.supervision;

import java.time.Duration;

/** What to do about an instance that ended. */
public sealed interface RestartDecision {

    /** Start it again after {@code delay}; {@code attempt} counts consecutive restarts from 1. */
    record Restart(Duration delay, int attempt) implements RestartDecision {
    }

    /** Too many restarts in the window: escalate (roll back to the last known-good version and memory). */
    record Escalate(int restartsInWindow, Duration window) implements RestartDecision {
    }

    /** Leave it stopped (its restart type says so). */
    record Stop(ExitReason reason) implements RestartDecision {
    }
}
