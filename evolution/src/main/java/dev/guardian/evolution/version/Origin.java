package dev.guardian.evolution.version;

import java.util.Arrays;
import java.util.Locale;

/** How a version came to be; proofs and the experience database group outcomes by it. */
public enum Origin {
    MANUAL, AGENT_PROPOSAL, MUTATION, LLM;

    /** The name in records, CLIs and configs: {@code manual}, {@code agent-proposal}, {@code mutation}, {@code llm}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Origin parse(String text) {
        for (Origin o : values()) {
            if (o.wireName().equals(text)) {
                return o;
            }
        }
        throw new IllegalArgumentException("origin must be one of " + Arrays.stream(values()).map(Origin::wireName).toList()
                + ", but was '" + text + "'");
    }
}
