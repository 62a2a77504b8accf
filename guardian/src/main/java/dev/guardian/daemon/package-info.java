/**
 * The daemon: supervises the primary instance of an agent, logs every request in the WAL before
 * delivering it, answers clients only once their request is durable, takes checkpoints into the
 * vault, and recovers an instance (checkpoint, replay, redelivery) after every restart. Guardian
 * itself is crash-only: everything it needs to resume is in the data directory.
 */
package dev.guardian.daemon;
