package dev.guardian.wal;

import dev.guardian.wal.internal.RollCycleNames;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of a write-ahead log, validated at construction: a bad value is refused with a
 * message naming the field and the value, never clamped.
 *
 * @param durability when an append counts as durable
 * @param groupMaxBatch {@code wal.group.maxBatch}: a group force starts as soon as this many records wait
 * @param groupMaxDelay {@code wal.group.maxDelay}: or as soon as the oldest waiting record has waited
 *     this long ({@code 0}: force as soon as the previous force is done)
 * @param asyncFlushInterval {@code wal.async.flushInterval}: in {@code ASYNC} mode, a background
 *     force runs this often; it bounds what an OS crash can lose
 * @param rollCycle {@code wal.rollCycle}: Chronicle roll cycle name, e.g. {@code FAST_HOURLY},
 *     {@code FIVE_MINUTELY}, {@code FAST_DAILY} (tests: {@code TEST_SECONDLY})
 * @param retentionMinCycles {@code wal.retention.minCycles}: retention always keeps at least this many
 *     of the newest cycle files
 * @param maxPayloadBytes {@code wal.maxPayloadBytes}: larger payloads are refused
 */
public record WalConfig(Durability durability, int groupMaxBatch, Duration groupMaxDelay, Duration asyncFlushInterval,
                        String rollCycle, int retentionMinCycles, int maxPayloadBytes) {

    /** Chronicle's block size bounds one document; keep payloads well below it. */
    public static final int MAX_PAYLOAD_LIMIT = 64 << 20;

    public WalConfig {
        Objects.requireNonNull(durability, "wal.durability must be set");
        if (groupMaxBatch <= 0) {
            throw new IllegalArgumentException("wal.group.maxBatch must be > 0, but was " + groupMaxBatch);
        }
        Objects.requireNonNull(groupMaxDelay, "wal.group.maxDelay must be set");
        if (groupMaxDelay.isNegative() || groupMaxDelay.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("wal.group.maxDelay must be between 0 and 1s, but was " + groupMaxDelay);
        }
        Objects.requireNonNull(asyncFlushInterval, "wal.async.flushInterval must be set");
        if (asyncFlushInterval.isNegative() || asyncFlushInterval.isZero()) {
            throw new IllegalArgumentException("wal.async.flushInterval must be > 0, but was " + asyncFlushInterval);
        }
        Objects.requireNonNull(rollCycle, "wal.rollCycle must be set");
        if (!RollCycleNames.isKnown(rollCycle)) {
            throw new IllegalArgumentException("wal.rollCycle must be one of " + RollCycleNames.known() + ", but was " + rollCycle);
        }
        if (retentionMinCycles < 1) {
            throw new IllegalArgumentException("wal.retention.minCycles must be >= 1, but was " + retentionMinCycles);
        }
        if (maxPayloadBytes <= 0 || maxPayloadBytes > MAX_PAYLOAD_LIMIT) {
            throw new IllegalArgumentException("wal.maxPayloadBytes must be > 0 and <= " + MAX_PAYLOAD_LIMIT + ", but was " + maxPayloadBytes);
        }
    }

    /** Group commit of up to 256 records or 1 ms, hourly cycle files, keep at least 2 of them. */
    public static WalConfig ofDefaults() {
        return new WalConfig(Durability.GROUP, 256, Duration.ofMillis(1), Duration.ofSeconds(1), "FAST_HOURLY", 2, 16 << 20);
    }

    public WalConfig withDurability(Durability d) {
        return new WalConfig(d, groupMaxBatch, groupMaxDelay, asyncFlushInterval, rollCycle, retentionMinCycles, maxPayloadBytes);
    }

    public WalConfig withGroup(int maxBatch, Duration maxDelay) {
        return new WalConfig(durability, maxBatch, maxDelay, asyncFlushInterval, rollCycle, retentionMinCycles, maxPayloadBytes);
    }

    public WalConfig withRollCycle(String name) {
        return new WalConfig(durability, groupMaxBatch, groupMaxDelay, asyncFlushInterval, name, retentionMinCycles, maxPayloadBytes);
    }

    public WalConfig withRetentionMinCycles(int n) {
        return new WalConfig(durability, groupMaxBatch, groupMaxDelay, asyncFlushInterval, rollCycle, n, maxPayloadBytes);
    }

    public WalConfig withAsyncFlushInterval(Duration d) {
        return new WalConfig(durability, groupMaxBatch, groupMaxDelay, d, rollCycle, retentionMinCycles, maxPayloadBytes);
    }
}
