package dev.guardian.cli.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.cli.AdminClient;
import dev.guardian.cli.DataDirMixin;
import dev.guardian.cli.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code guardian rollback}: ends a rollout at once, or (none running) goes back to the previous version. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Roll back now: the rollout in progress (its candidate is stopped, the baseline stays), or, with none,"
                + " the primary goes back to its previous version with its current memory.")
public final class RollbackCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    DataDirMixin dataDir;

    @Parameters(paramLabel = "DEPLOYMENT", arity = "0..1", description = "Which rollout (needed when several run).")
    String deployment;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (kept in the proof).")
    String reason;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ObjectNode body = JSON.createObjectNode();
        if (deployment != null) {
            body.put("deployment", deployment);
        }
        if (reason != null) {
            body.put("reason", reason);
        }
        JsonNode r = AdminClient.forDataDir(dataDir.resolve()).post("/admin/rollback", JSON.writeValueAsBytes(body));
        if (r.has("rolled_back")) {
            spec.commandLine().getOut().printf("rolled back %s (proof %s)%n", r.path("rolled_back").asText(),
                    Rollouts.proofIdOf(r.path("rolled_back").asText()));
        } else {
            spec.commandLine().getOut().printf("the primary runs %s again (was %s)%n", r.path("version").asText(), r.path("from").asText());
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
