package dev.guardian.daemon;

import dev.guardian.instance.AgentInstance;
import dev.guardian.instance.InstanceListener;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolError;
import dev.guardian.supervision.ExitReason;

/**
 * An instance's listener whose target can change: a candidate's events go to its rollout until it is
 * promoted, and to the primary's supervisor after.
 */
final class SwitchableListener implements InstanceListener {

    private volatile InstanceListener target = InstanceListener.NONE;

    void retarget(InstanceListener next) {
        target = next;
    }

    @Override
    public void onCheckpoint(AgentInstance instance, Message.Checkpoint checkpoint) {
        target.onCheckpoint(instance, checkpoint);
    }

    @Override
    public void onPropose(AgentInstance instance, Message.Propose propose) {
        target.onPropose(instance, propose);
    }

    @Override
    public void onProtocolError(AgentInstance instance, ProtocolError error) {
        target.onProtocolError(instance, error);
    }

    @Override
    public void onExit(AgentInstance instance, ExitReason reason, String detail) {
        target.onExit(instance, reason, detail);
    }
}
