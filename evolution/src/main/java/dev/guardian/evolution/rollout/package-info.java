/**
 * The rollout lifecycle of one candidate: {@link dev.guardian.evolution.rollout.Rollout} takes the judge's
 * verdicts, the rollback drill's result and operator commands, and answers with actions for the daemon
 * ({@link dev.guardian.evolution.rollout.RolloutAction}). It decides and never acts: no process, no I/O,
 * time from an injected clock. The lifecycle is the {@link dev.guardian.evolution.rollout.TransitionTable}.
 */
package dev.guardian.evolution.rollout;
