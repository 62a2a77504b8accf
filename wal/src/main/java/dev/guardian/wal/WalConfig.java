package dev.guardian.wal;

import dev.guardian.wal.internal.RollCycleNames;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of a write-ahead log, validated at construction: a bad value is refused with a
 * message naming the field and the value, never clamped.
 *
 * @param durability when an append counts as durable
 * @param groupMaxBatch {@code wal.group.maxBatch}: when no force runs, a free forcer forces as soon as a
 *     record waits; beside a running force, a second force starts as soon as this many records wait
 * @param groupMaxDelay {@code wal.group.maxDelay}: or as soon as the oldest waiting record has waited
 *     this long ({@code 0}: as soon as any record waits and a forcer is free)
 * @param groupForcers {@code wal.group.forcers}: how many group forces may run at once; a force
 *     started while another runs covers the records written since, so waiting records need not
 *     wait for the running force to finish first
 * @param asyncFlushInterval {@code wal.async.flushInterval}: in {@code ASYNC} mode, a background
 *     force runs this often; it bounds what an OS crash can lose
 * @param rollCycle {@code wal.rollCycle}: Chronicle roll cycle name, e.g. {@code FAST_HOURLY},
 *     {@code FIVE_MINUTELY}, {@code FAST_DAILY} (tests: {@code TEST_SECONDLY})
 * @param retentionMinCycles {@code wal.retention.minCycles}: retention always keeps at least this many
 *     of the newest cycle files
 * @param maxPayloadBytes {@code wal.maxPayloadBytes}: larger payloads are refused
 * @param minFreeBytes {@code wal.minFreeBytes}: appends are refused ({@link WalException.Reason#NO_SPACE}) while the
 *     log's file system has less free space than this (0: never). Chronicle writes into memory-mapped sparse
 *     files: on a full disk a write faults (the JVM's InternalError) instead of failing, so the log must stop
 *     before the disk is full, not after.
 */
public record WalConfig(Durability durability, int groupMaxBatch, Duration groupMaxDelay, int groupForcers, Duration asyncFlushInterval,
                        String rollCycle, int retentionMinCycles, int maxPayloadBytes, long minFreeBytes) {

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
        if (groupForcers < 1 || groupForcers > 16) {
            throw new IllegalArgumentException("wal.group.forcers must be between 1 and 16, but was " + groupForcers);
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
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("wal.minFreeBytes must be >= 0, but was " + minFreeBytes);
        }
    }

    /** Group commit of up to 256 records or 200 µs with up to 4 forces at once, hourly cycle files, keep at least 2. */
    public static WalConfig ofDefaults() {
        return new WalConfig(Durability.GROUP, 256, Duration.ofNanos(200_000), 4, Duration.ofSeconds(1), "FAST_HOURLY", 2, 16 << 20, 64L << 20);
    }

    public WalConfig withDurability(Durability d) {
        return new WalConfig(d, groupMaxBatch, groupMaxDelay, groupForcers, asyncFlushInterval, rollCycle, retentionMinCycles, maxPayloadBytes, minFreeBytes);
    }

    public WalConfig withGroup(int maxBatch, Duration maxDelay) {
        return new WalConfig(durability, maxBatch, maxDelay, groupForcers, asyncFlushInterval, rollCycle, retentionMinCycles, maxPayloadBytes, minFreeBytes);
    }

    public WalConfig withGroupForcers(int n) {
        return new WalConfig(durability, groupMaxBatch, groupMaxDelay, n, asyncFlushInterval, rollCycle, retentionMinCycles, maxPayloadBytes, minFreeBytes);
    }

    public WalConfig withRollCycle(String name) {
        return new WalConfig(durability, groupMaxBatch, groupMaxDelay, groupForcers, asyncFlushInterval, name, retentionMinCycles, maxPayloadBytes, minFreeBytes);
    }

    public WalConfig withRetentionMinCycles(int n) {
        return new WalConfig(durability, groupMaxBatch, groupMaxDelay, groupForcers, asyncFlushInterval, rollCycle, n, maxPayloadBytes, minFreeBytes);
    }

    public WalConfig withAsyncFlushInterval(Duration d) {
        return new WalConfig(durability, groupMaxBatch, groupMaxDelay, groupForcers, d, rollCycle, retentionMinCycles, maxPayloadBytes, minFreeBytes);
    }

    public WalConfig withMinFreeBytes(long n) {
        return new WalConfig(durability, groupMaxBatch, groupMaxDelay, groupForcers, asyncFlushInterval, rollCycle, retentionMinCycles,
                maxPayloadBytes, n);
    }
}
