package dev.guardian.vault;

import java.util.Locale;

/** Why a checkpoint was taken or what it is known to be. Stored by {@link #label()}. */
public enum Tag {
    /** A memory the agent ran on through a stable window (or of a version that passed its rollout); retention keeps the newest few (VaultConfig.keepKnownGood). */
    KNOWN_GOOD,
    /** Taken because an operator asked for it. */
    MANUAL,
    /** Taken just before a deployment changed the primary. */
    PRE_DEPLOY,
    /** Sent by the agent on its own (e.g. before a risky step). */
    AGENT_REQUESTED;

    /** The stable name written to disk and shown by the CLI, e.g. {@code known-good}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@code known-good} or {@code KNOWN_GOOD}. */
    public static Tag parse(String s) {
        String n = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return Tag.valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown checkpoint tag '" + s
                    + "' (known: known-good, manual, pre-deploy, agent-requested)", e);
        }
    }
}
