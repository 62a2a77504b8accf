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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code guardian promote}: an operator's override, recorded as such in the proof. */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Promote the rollout's candidate now, whatever the judge says (recorded as an override in the proof).")
public final class PromoteCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    DataDirMixin dataDir;

    @Parameters(paramLabel = "DEPLOYMENT", arity = "0..1", description = "Which rollout (needed when several run).")
    String deployment;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ObjectNode body = JSON.createObjectNode();
        if (deployment != null) {
            body.put("deployment", deployment);
        }
        JsonNode r = AdminClient.forDataDir(dataDir.resolve()).post("/admin/promote", JSON.writeValueAsBytes(body));
        String id = r.path("promoted").asText();
        spec.commandLine().getOut().printf("promoted %s (proof %s)%n", id, Rollouts.proofIdOf(id));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
