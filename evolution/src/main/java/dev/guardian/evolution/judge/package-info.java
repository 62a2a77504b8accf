/**
 * The judge: compares a candidate's window with the baseline's and returns a
 * {@link dev.guardian.evolution.judge.Verdict} (pass, fail, inconclusive) whose every
 * {@link dev.guardian.evolution.judge.Check} carries its numbers, threshold, rule and test. Pure: it
 * decides from the numbers it is given and never acts; rollouts act on its verdicts.
 */
package dev.guardian.evolution.judge;
