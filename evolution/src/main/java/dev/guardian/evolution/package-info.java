/**
 * Evolution decides and never spawns: versions, traffic policy, metric windows, output comparison,
 * the judge, the rollout state machine, proofs and experiments — pure logic over interfaces, with
 * time injected through {@link dev.guardian.evolution.Clock}, so that it is tested without processes.
 */
package dev.guardian.evolution;
