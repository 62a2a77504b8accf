/**
 * The vault: Guardian's durable state, as plain files in one directory (one file per checkpoint,
 * one JSON file per record; every write goes to a temp file, is forced to disk, renamed atomically
 * onto its name and made durable with a directory fsync, so a kill -9 at any moment leaves every
 * committed change readable and nothing half-written). It owns what must survive every crash:
 * checkpoints of agent memory (versioned, checksummed, namespaced by lineage), the version
 * registry, deployment records and proofs, and their export to portable files.
 *
 * <p>Entry point: {@link dev.guardian.vault.Vault#open}. Callers use this package (and
 * {@code event}) only; {@code internal} is the implementation.
 *
 * <p>The vault must never: spawn or talk to processes, know the agent protocol, decide anything
 * about rollouts (it stores what the evolution module decided), return memory bytes whose checksum
 * it has not verified, or let one lineage's save touch another lineage's checkpoints.
 */
package dev.guardian.vault;
