package dev.guardian.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultRecordsTest {
    @TempDir
    Path tmp;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-05-06T07:08:09Z");

    private Vault open() {
        return Vault.open(tmp.resolve("vault"), VaultConfig.ofDefaults());
    }

    private static ObjectNode body(String k, int v) {
        return MAPPER.createObjectNode().put(k, v);
    }

    @Test
    void versionRecordsAreDurableAndImmutable() {
        VersionRecord v2 = new VersionRecord("v2", 1, T, "primary", Optional.of("v1"), "mutation", body("genome", 7));
        try (Vault v = open()) {
            v.registerVersion(v2);
            v.registerVersion(v2); // identical: no-op
            VersionRecord changed = new VersionRecord("v2", 1, T, "primary", Optional.of("v1"), "mutation", body("genome", 8));
            assertThatThrownBy(() -> v.registerVersion(changed))
                    .isInstanceOf(VaultException.class)
                    .hasMessage("version 'v2' already exists with different content (versions are immutable)");
        }
        try (Vault v = open()) {
            assertThat(v.version("v2")).contains(v2);
            assertThat(v.versions()).containsExactly(v2);
            assertThat(v.version("v3")).isEmpty();
        }
    }

    @Test
    void deploymentRecordsCanBeUpdatedAsTheRolloutProgresses() {
        try (Vault v = open()) {
            v.putDeployment(new DeploymentRecord("d1", 1, T, "primary", "v1", "v2", "canary", body("stage", 10)));
            v.putDeployment(new DeploymentRecord("d1", 1, T, "primary", "v1", "v2", "promoted", body("stage", 100)));
        }
        try (Vault v = open()) {
            assertThat(v.deployment("d1")).get().extracting(DeploymentRecord::outcome).isEqualTo("promoted");
            assertThat(v.deployments()).hasSize(1);
        }
    }

    @Test
    void proofsAreDurableImmutableAndKeepTheirSchemaVersion() {
        ProofRecord p = new ProofRecord("proof-d1", 3, T, "d1", "primary", "v2", "promote", body("p99Ms", 12));
        try (Vault v = open()) {
            v.putProof(p);
            assertThatThrownBy(() -> v.putProof(new ProofRecord("proof-d1", 3, T, "d1", "primary", "v2", "rollback",
                    body("p99Ms", 12)))).hasMessageContaining("proofs are immutable");
        }
        try (Vault v = open()) {
            assertThat(v.proof("proof-d1")).contains(p);
            assertThat(v.proofs()).singleElement().extracting(ProofRecord::schemaVersion).isEqualTo(3);
        }
    }

    @Test
    void recordsAreValidatedNamingTheField() {
        assertThatThrownBy(() -> new ProofRecord("p", 0, T, "d", "l", "v", "promote", body("a", 1)))
                .hasMessage("proof.schemaVersion must be >= 1, but was 0");
        assertThatThrownBy(() -> new VersionRecord(" ", 1, T, "l", Optional.empty(), "manual", body("a", 1)))
                .hasMessage("version.id must be 1..200 non-blank characters, but was ' '");
    }
}
