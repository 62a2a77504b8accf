package dev.guardian.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code guardian restart}: starts a FAILED agent again (or restarts a running one) without restarting Guardian. */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = "Start a FAILED agent again with a fresh restart budget, or restart a running one (memory from a "
                + "fresh checkpoint and the log). Guardian itself keeps running.")
public final class RestartCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DataDirMixin dataDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        AdminClient admin = AdminClient.forDataDir(dataDir.resolve());
        spec.commandLine().getOut().println(admin.post("/admin/restart").path("restarted").asText());
        return ExitCodes.OK;
    }
}
