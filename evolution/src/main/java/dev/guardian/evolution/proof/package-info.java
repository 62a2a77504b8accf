/**
 * The proof of a rollout ({@link dev.guardian.evolution.proof.Proof}): its JSON form (versioned, stored in the
 * vault), its Markdown report, and conversions to the vault's records. Never reads or writes the vault itself.
 */
package dev.guardian.evolution.proof;
