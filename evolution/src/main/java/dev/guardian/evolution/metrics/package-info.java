/**
 * What each instance did in an observation window: {@link dev.guardian.evolution.metrics.MetricWindow}
 * records (from the daemon's threads, time from an injected clock) and freezes it into
 * {@link dev.guardian.evolution.metrics.WindowStats} plus raw latency samples for the judge's tests.
 * Records only; never measures processes itself (the daemon samples RSS/CPU and passes them in).
 */
package dev.guardian.evolution.metrics;
