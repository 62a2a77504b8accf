package dev.guardian.evolution.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.evolution.ManualClock;
import dev.guardian.evolution.compare.Agreement;
import dev.guardian.evolution.judge.Verdict;
import dev.guardian.evolution.metrics.WindowStats;
import dev.guardian.evolution.rollout.DeploymentRef;
import dev.guardian.evolution.rollout.DrillResult;
import dev.guardian.evolution.rollout.Rollout;
import dev.guardian.evolution.rollout.RolloutPlan;
import dev.guardian.evolution.rollout.RolloutPlan.DrillPolicy;
import dev.guardian.evolution.rollout.StageVerdicts;
import dev.guardian.evolution.rollout.Verdicts;
import dev.guardian.vault.DeploymentRecord;
import dev.guardian.vault.ProofRecord;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ProofTest {

    static final DeploymentRef DEPLOYMENT = new DeploymentRef("dep-9", "chat", "v3", "v4");

    final ManualClock clock = ManualClock.at("2025-03-01T12:00:00Z");

    Rollout promotedWithLossyDrill() {
        Rollout r = Rollout.create(DEPLOYMENT, RolloutPlan.ofDefaults().withDrillPolicy(DrillPolicy.ALLOW), clock);
        r.start();
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofMinutes(1));
            r.evaluate(Verdicts.pass(), 100);
        }
        r.onDrill(DrillResult.lossy("baseline v3 cannot read key 'plan' of checkpoint ckpt-12"));
        return r;
    }

    Rollout rolledBackAtTwentyFive() {
        Rollout r = Rollout.create(DEPLOYMENT, RolloutPlan.ofDefaults(), clock);
        r.start();
        clock.advance(Duration.ofMinutes(1));
        r.evaluate(Verdicts.pass(), 100);
        clock.advance(Duration.ofSeconds(10));
        r.evaluate(Verdicts.fail("error rate 0.2 > baseline 0.01 + 0.01"), 30);
        return r;
    }

    Proof proof(Rollout r) {
        return Proof.of("proof-1", r.snapshot(), clock.now());
    }

    @Nested
    class Building {

        @Test
        void aPromotedRolloutsProofCarriesEverything() {
            Proof p = proof(promotedWithLossyDrill());
            assertThat(p.decision()).isEqualTo(Decision.PROMOTE);
            assertThat(p.rollbackLossy()).isTrue();
            assertThat(p.overrideBy()).isEmpty();
            assertThat(p.stages()).hasSize(4);
            assertThat(p.timeline()).hasSize(6);
            assertThat(p.decidingVerdict()).hasValueSatisfying(v -> assertThat(v.kind()).isEqualTo(Verdict.Kind.PASS));
            assertThat(p.reasons()).anySatisfy(s -> assertThat(s).contains("LOSSY").contains("ckpt-12"));
        }

        @Test
        void deltasAreCandidateMinusBaselineAndTheirRatio() {
            Proof p = proof(promotedWithLossyDrill());
            MetricDelta p99 = p.deltas().stream().filter(d -> d.metric().equals("latency-p99-ms")).findFirst()
                    .orElseThrow();
            assertThat(p99.baseline()).isEqualTo(80.0);
            assertThat(p99.candidate()).isEqualTo(84.0);
            assertThat(p99.delta()).isEqualTo(4.0);
            assertThat(p99.ratio()).isEqualTo(1.05);
            MetricDelta restarts = p.deltas().stream().filter(d -> d.metric().equals("restarts")).findFirst()
                    .orElseThrow();
            assertThat(restarts.ratio()).isNaN(); // 0 baseline restarts: no ratio
        }

        @Test
        void aRunningRolloutHasNoProofYet() {
            Rollout r = Rollout.create(DEPLOYMENT, RolloutPlan.ofDefaults(), clock);
            r.start();
            assertThatThrownBy(() -> proof(r)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("CANARY");
        }

        @Test
        void anOperatorPromotionIsAnOverride() {
            Rollout r = Rollout.create(DEPLOYMENT, RolloutPlan.ofDefaults(), clock);
            r.start();
            r.operatorPromote("dana");
            Proof p = proof(r);
            assertThat(p.overrideBy()).contains("dana");
            assertThat(p.drill()).isEmpty();
            assertThat(ProofMarkdown.render(p)).contains("**Operator override** by `dana`")
                    .contains("Rollback drill\n\nNot run.");
        }
    }

    @Nested
    class Json {

        /** Like the vault's mapper: floats come back as BigDecimal. */
        final ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

        @Test
        void roundTripsThroughJsonText() throws Exception {
            for (Proof p : List.of(proof(promotedWithLossyDrill()), proof(rolledBackAtTwentyFive()))) {
                String text = mapper.writeValueAsString(ProofJson.toJson(p));
                assertThat(ProofJson.fromJson(mapper.readTree(text))).isEqualTo(p);
            }
        }

        @Test
        void aLongStageKeepsItsVerdictCountThroughJsonAndMarkdown() throws Exception {
            Rollout r = Rollout.create(DEPLOYMENT, RolloutPlan.ofDefaults(), clock);
            r.start();
            for (int i = 0; i < 30; i++) {
                r.evaluate(Verdicts.pass(), 1);
            }
            r.evaluate(Verdicts.fail("error rate 0.2 > baseline 0.01 + 0.01"), 30);
            Proof p = proof(r);
            assertThat(p.stages().get(0).judged()).isEqualTo(31);
            assertThat(p.stages().get(0).verdicts()).hasSize(StageVerdicts.KEPT);
            String text = mapper.writeValueAsString(ProofJson.toJson(p));
            assertThat(ProofJson.fromJson(mapper.readTree(text))).isEqualTo(p);
            assertThat(ProofMarkdown.render(p)).contains("- canary 10%: 31 verdict(s) — the latest 20: ");
        }

        @Test
        void roundTripsNonFiniteNumbersAndAgreementDiffs() throws Exception {
            WindowStats empty = new WindowStats(0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, 0, 0, 0, 0, 0, 0, 0,
                    Duration.ofSeconds(30));
            Agreement agreement = new Agreement(2, 1, List.of(new Agreement.Diff(17, "/answer",
                    mapper.readTree("{\"x\":1}"), mapper.readTree("\"two\""))));
            Verdict v = new Verdict(Verdict.Kind.INCONCLUSIVE,
                    List.of(Verdicts.mannWhitney(Double.POSITIVE_INFINITY, Double.NaN, Verdict.Kind.INCONCLUSIVE)),
                    List.of("no samples"), empty, Verdicts.stats(5, 0, 12.5), agreement);
            Proof base = proof(rolledBackAtTwentyFive());
            Proof p = new Proof(base.id(), base.deploymentId(), base.lineage(), base.baselineVersionId(),
                    base.candidateVersionId(), base.strategy(), Decision.ABORT, java.util.Optional.of("erin"),
                    List.of("aborted"), java.util.Optional.of(v), base.stages(), base.timeline(),
                    java.util.Optional.empty(), base.createdAt());
            String text = mapper.writeValueAsString(ProofJson.toJson(p));
            assertThat(text).contains("\"NaN\"").contains("\"Infinity\"");
            assertThat(ProofJson.fromJson(mapper.readTree(text))).isEqualTo(p);
        }

        @Test
        void carriesSchemaVersionOneAndReadableFields() {
            ObjectNode n = ProofJson.toJson(proof(rolledBackAtTwentyFive()));
            assertThat(n.get("schemaVersion").asInt()).isEqualTo(1);
            assertThat(n.get("decision").asText()).isEqualTo("rollback");
            assertThat(n.get("strategy").asText()).isEqualTo("canary");
            assertThat(n.get("timeline").get(2).get("trigger").asText()).isEqualTo("fail");
            assertThat(n.get("deltas")).isNotEmpty();
        }

        @Test
        void refusesANewerSchemaAndNamesAMissingField() {
            ObjectNode n = ProofJson.toJson(proof(rolledBackAtTwentyFive()));
            n.put("schemaVersion", 2);
            assertThatThrownBy(() -> ProofJson.fromJson(n)).hasMessageContaining("schemaVersion 2");
            ObjectNode m = ProofJson.toJson(proof(rolledBackAtTwentyFive()));
            m.remove("deploymentId");
            assertThatThrownBy(() -> ProofJson.fromJson(m)).hasMessage("proof.deploymentId is missing");
        }

        @Test
        void ignoresFieldsItDoesNotKnow() {
            Proof p = proof(rolledBackAtTwentyFive());
            ObjectNode n = ProofJson.toJson(p);
            n.put("addedInALaterMinorRelease", true);
            assertThat(ProofJson.fromJson(n)).isEqualTo(p);
        }
    }

    @Nested
    class Markdown {

        @Test
        void showsTheDecisionAndWhyFirstThenTheNumbers() {
            String md = ProofMarkdown.render(proof(rolledBackAtTwentyFive()));
            assertThat(md).startsWith("# Proof proof-1: ROLLBACK");
            assertThat(md.indexOf("## Why")).isLessThan(md.indexOf("## Metrics"));
            assertThat(md).contains("- error rate 0.2 > baseline 0.01 + 0.01");
            // metrics table: error rate 0.01 → 0.2, p99 80 → 95
            assertThat(md).contains("| error-rate | 0.01 | 0.2 | +0.19 | ×20 |");
            assertThat(md).contains("| latency-p99-ms | 80 | 95 | +15 | ×1.1875 |");
            assertThat(md).contains("Output agreement: 700 of 1000 (70.00%)");
            // each check with its threshold and rule
            assertThat(md).contains("| error-rate | FAIL | 0.01 | 0.2 | candidate <= baseline + 0.01 | 0.02 |");
            assertThat(md).contains("canary 10%: 1 verdict(s) — PASS ×1");
            assertThat(md).contains("canary 25%: 1 verdict(s) — FAIL ×1");
            assertThat(md).contains("| canary → rolled-back | fail | 0 |");
        }

        @Test
        void showsStatisticsPValuesAndALossyDrill() {
            String md = ProofMarkdown.render(proof(promotedWithLossyDrill()));
            assertThat(md).startsWith("# Proof proof-1: PROMOTE");
            assertThat(md).contains("**Rollback after promotion is LOSSY**: baseline v3 cannot read key 'plan'");
            assertThat(md).contains("| latency-mann-whitney | PASS | 40 | 42 | p >= 0.01 or candidate not slower | 0.01 | 4821.5 | 0.43 |");
            assertThat(md).contains("| drilling → promoted | drill-lossy-allowed | 100 |");
            assertThat(md).contains("**LOSSY**: baseline v3 cannot read key 'plan' of checkpoint ckpt-12");
        }
    }

    @Nested
    class Vault {

        @Test
        void proofRecordCarriesTheDecisionStringAndRoundTrips() {
            Proof p = proof(promotedWithLossyDrill());
            ProofRecord r = ProofRecords.toRecord(p);
            assertThat(r.decision()).isEqualTo("promote");
            assertThat(r.schemaVersion()).isEqualTo(1);
            assertThat(r.candidateVersionId()).isEqualTo("v4");
            assertThat(ProofRecords.fromRecord(r)).isEqualTo(p);
            assertThat(ProofRecords.toRecord(proof(rolledBackAtTwentyFive())).decision()).isEqualTo("rollback");
        }

        @Test
        void aRecordWhoseEnvelopeDisagreesWithItsBodyIsRefused() {
            Proof p = proof(promotedWithLossyDrill());
            ProofRecord r = ProofRecords.toRecord(p);
            ProofRecord forged = new ProofRecord(r.id(), 1, r.createdAt(), r.deploymentId(), r.lineage(),
                    r.candidateVersionId(), "rollback", r.body());
            assertThatThrownBy(() -> ProofRecords.fromRecord(forged)).hasMessageContaining("does not match");
        }

        @Test
        void deploymentRecordFollowsTheRolloutsState() {
            Rollout r = Rollout.create(DEPLOYMENT, RolloutPlan.ofDefaults(), clock);
            DeploymentRecord pending = ProofRecords.deploymentRecord(r.snapshot());
            assertThat(pending.outcome()).isEqualTo("pending");
            assertThat(pending.id()).isEqualTo("dep-9");
            assertThat(pending.baselineVersionId()).isEqualTo("v3");
            r.start();
            DeploymentRecord canary = ProofRecords.deploymentRecord(r.snapshot());
            assertThat(canary.outcome()).isEqualTo("canary");
            JsonNode body = canary.body();
            assertThat(body.get("candidatePercent").asInt()).isEqualTo(10);
            assertThat(body.get("plan").get("canaryStages").toString()).isEqualTo("[10,25,50,100]");
            assertThat(body.get("timeline")).hasSize(1);
            assertThat(ProofRecords.stateOf(canary)).isEqualTo(r.state());
            r.operatorRollback("frank", "manual");
            assertThat(ProofRecords.deploymentRecord(r.snapshot()).outcome()).isEqualTo("rolled-back");
            assertThat(canary.createdAt()).isEqualTo(pending.createdAt());
        }
    }
}
