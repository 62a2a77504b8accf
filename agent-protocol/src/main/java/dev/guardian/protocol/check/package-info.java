/**
 * The conformance checker behind {@code guardian agent-check}: launches an agent binary and checks
 * each rule of docs/protocol.md against it, with every wait bounded by a timeout and every buffer
 * bounded in size, so that a silent or flooding agent fails cleanly.
 */
package dev.guardian.protocol.check;
