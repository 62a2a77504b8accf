package dev.guardian.wal;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One record of the log, as read back. Its checksum was verified before it was returned.
 *
 * @param sequence the record's sequence number, assigned by the log at append (1, 2, 3, ...)
 * @param timeMicros wall-clock time of the append, microseconds since the epoch
 * @param type what kind of record this is (opaque to the log), e.g. {@code request}
 * @param instance instance tag, {@code ""} when none
 * @param version version tag, {@code ""} when none
 * @param payload the payload bytes; callers must not modify the array
 */
public record WalRecord(long sequence, long timeMicros, String type, String instance, String version, byte[] payload) {

    public WalRecord {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(payload, "payload");
    }

    public Instant time() {
        return Instant.ofEpochSecond(Math.floorDiv(timeMicros, 1_000_000L), Math.floorMod(timeMicros, 1_000_000L) * 1_000L);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WalRecord r && r.sequence == sequence && r.timeMicros == timeMicros && r.type.equals(type)
                && r.instance.equals(instance) && r.version.equals(version) && Arrays.equals(r.payload, payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, timeMicros, type, instance, version) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "WalRecord[seq=" + sequence + ", time=" + time() + ", type=" + type + ", instance=" + instance
                + ", version=" + version + ", payload=" + payload.length + " bytes]";
    }
}
