/**
 * One running agent instance and its protocol session: handshake, requests with timeouts,
 * heartbeat, resource watch, checkpoints and the shutdown escalation. An instance reports what
 * happens to it through {@link dev.guardian.instance.InstanceListener}; it never restarts itself
 * (that is supervision's decision).
 */
package dev.guardian.instance;
