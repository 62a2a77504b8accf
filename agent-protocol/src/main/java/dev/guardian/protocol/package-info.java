/**
 * The wire contract between Guardian and an agent (docs/protocol.md): message types, the bounded
 * JSON-lines codec, the Java agent SDK ({@code sdk}) and the conformance checker ({@code check}).
 *
 * <p>This module owns the format of every line that crosses a pipe. It never manages processes
 * beyond what the conformance checker needs to launch the agent under test, and it depends on
 * nothing but Jackson, so that an agent built on the SDK stays small.
 */
package dev.guardian.protocol;
