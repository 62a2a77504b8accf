/**
 * Whether a candidate answered the same as the baseline: {@link dev.guardian.evolution.compare.OutputComparator}
 * (exact or JSON-structural with ignored paths and numeric tolerance) and
 * {@link dev.guardian.evolution.compare.AgreementTracker}, which turns a window of comparisons into an
 * {@link dev.guardian.evolution.compare.Agreement} with sample diffs for the proof.
 */
package dev.guardian.evolution.compare;
