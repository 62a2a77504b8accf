package dev.guardian.cli;

import dev.guardian.config.GuardianConfig;
import dev.guardian.daemon.Daemon;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code guardian run}: the daemon in the foreground, until SIGTERM, SIGINT or {@code guardian stop}. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run an agent under Guardian: supervised, its requests logged, its memory checkpointed.",
                "--config FILE and/or -- CMD ARGS... (a command after -- replaces the file's; options override it)."})
public final class RunCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DaemonOptions options;

    @Option(names = "--front-door", paramLabel = "HOST:PORT", description = "Client HTTP address (default 127.0.0.1:7070).")
    String frontDoor;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        GuardianConfig config = config();
        Daemon daemon;
        try {
            daemon = Daemon.start(config);
        } catch (IOException e) {
            throw CliException.unavailable(e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "guardian-shutdown"));
        // The version the primary starts with: after a promotion, not the config's command (DIR/daemon.json follows later changes).
        dev.guardian.evolution.version.Version started = daemon.supervisor().currentVersion();
        spec.commandLine().getErr().printf("guardian: supervising %s (version %s%s); clients: http://%s/v1/invoke; admin: %s; data: %s%n",
                String.join(" ", started.command()), started.id(),
                started.command().equals(config.agent().command()) ? "" : ", the recorded current version, not the config's command",
                daemon.frontDoor(), daemon.admin(), config.dataDir().toAbsolutePath().normalize());
        spec.commandLine().getErr().flush();
        daemon.awaitStop();
        return ExitCodes.OK;
    }

    private GuardianConfig config() {
        return options.config(spec.commandLine(), frontDoor, null);
    }
}
