/**
 * How Guardian reacts when an instance ends, modelled on OTP supervisors: a restart type per
 * instance, exponential backoff that resets after a stable period, and a restart-intensity window
 * beyond which it escalates. Pure decisions over an injected clock; the daemon acts on them.
 */
package dev.guardian.supervision;
