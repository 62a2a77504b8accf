package dev.guardian.evolution.rollout;

import java.util.Locale;

/** How a candidate is exposed to traffic before it may become the primary. */
public enum Strategy {
    /** The candidate gets mirrored traffic and never answers clients. */
    SHADOW,
    /** The candidate answers a staged, sticky share of clients (e.g. 10/25/50/100 %). */
    CANARY,
    /** The candidate answers every client at once, under the same monitoring window and automatic rollback. */
    DIRECT;

    /** The lower-case name used in configuration, proofs and vault records. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Strategy fromLabel(String label) {
        for (Strategy s : values()) {
            if (s.label().equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("strategy must be shadow, canary or direct, but was '" + label + "'");
    }
}
