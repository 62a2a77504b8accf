/**
 * The write-ahead log: an append-only, durable, replayable sequence of typed records on
 * Chronicle Queue.
 *
 * <p>It owns: sequence numbers (monotonic, surviving restarts), the on-disk record format and its
 * checksums, the durability modes ({@link dev.guardian.wal.Durability}), reading and following
 * the log, and retention of whole cycle files that a checkpoint covers.
 *
 * <p>It must never: know what an agent, instance or request is (tags and payloads are opaque
 * bytes and strings to it), decide what a checkpoint covers (callers tell it), return a record
 * whose checksum fails, or let a read-only open create or modify anything on disk.
 *
 * <p>Callers use this package only; {@code dev.guardian.wal.internal} is the implementation.
 */
package dev.guardian.wal;
