package dev.guardian.cli.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guardian.cli.AdminClient;
import dev.guardian.cli.CliException;
import dev.guardian.cli.ExitCodes;
import dev.guardian.evolution.proof.Decision;
import dev.guardian.evolution.proof.Proof;
import dev.guardian.evolution.proof.ProofRecords;
import dev.guardian.vault.ProofRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** What the rollout commands share. */
final class Rollouts {
    private Rollouts() {
    }

    /** The proof of a deployment's rollout: its id is derived from the deployment's. */
    static String proofIdOf(String deploymentId) {
        return dev.guardian.evolution.proof.Proof.idFor(deploymentId);
    }

    /**
     * Waits until {@code deployment} has a proof, prints its decision and reasons; exit 0 when
     * promoted, 1 (CHECK_FAILED) when rolled back or aborted.
     */
    static int awaitProof(AdminClient admin, Path dataDir, String deployment, Duration timeout, PrintWriter out)
            throws InterruptedException {
        String proofId = proofIdOf(deployment);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ProofRecord> r = VaultReading.read(dataDir, v -> v.proof(proofId));
            if (r.isPresent()) {
                Proof p = ProofRecords.fromRecord(r.get());
                out.printf("%s: %s%n", p.decision().label(), String.join("; ", p.reasons()));
                out.printf("proof %s (guardian proofs show %s)%n", p.id(), p.id());
                out.flush();
                return p.decision() == Decision.PROMOTE ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
            }
            Thread.sleep(200);
        }
        JsonNode status = admin.get("/admin/status");
        throw new CliException(ExitCodes.UNAVAILABLE, "deployment " + deployment + " has not ended within " + timeout.toSeconds()
                + " s; now: " + status.path("rollouts"));
    }
}
