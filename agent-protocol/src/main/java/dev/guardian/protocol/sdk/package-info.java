/**
 * The Java agent SDK: implement {@link dev.guardian.protocol.sdk.Agent} and call
 * {@link dev.guardian.protocol.sdk.AgentRunner#run}. The SDK does the handshake, heartbeat,
 * checkpoint requests, replay, duplicate detection, shutdown and stdin EOF.
 */
package dev.guardian.protocol.sdk;
