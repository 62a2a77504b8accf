/**
 * Traffic policy: whose answer a client gets during a canary ({@link dev.guardian.evolution.traffic.TrafficSplit}).
 * Pure functions of a request's key or sequence; routing itself belongs to the daemon.
 */
package dev.guardian.evolution.traffic;
