package dev.guardian.examples.learner;

import dev.guardian.protocol.sdk.AgentInfo;
import dev.guardian.protocol.sdk.AgentRunner;

/** {@code java -jar examples/target/example-agent.jar}: the learner as a Guardian agent. */
public final class LearnerAgent {

    private LearnerAgent() {
    }

    public static void main(String[] args) {
        AgentRunner.run(AgentInfo.of("learner", "1.0.0"), new Learner());
    }
}
