package dev.guardian.instance;

import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolError;
import dev.guardian.supervision.ExitReason;

/**
 * What an instance tells its owner. Called from the instance's reader or timer threads: an
 * implementation must be quick and must not block (hand work to its own thread).
 */
public interface InstanceListener {

    /** A checkpoint the agent sent on its own (not one asked for through {@link AgentInstance#checkpoint()}). */
    default void onCheckpoint(AgentInstance instance, Message.Checkpoint checkpoint) {
    }

    default void onPropose(AgentInstance instance, Message.Propose propose) {
    }

    default void onProtocolError(AgentInstance instance, ProtocolError error) {
    }

    /** The instance ended; {@code reason} says why as supervision sees it. Called once. */
    default void onExit(AgentInstance instance, ExitReason reason, String detail) {
    }

    InstanceListener NONE = new InstanceListener() {
    };
}
