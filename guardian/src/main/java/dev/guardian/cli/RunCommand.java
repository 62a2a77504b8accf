package dev.guardian.cli;

import dev.guardian.cli.checkpoints.DataDirMixin;
import dev.guardian.config.ConfigException;
import dev.guardian.config.ConfigLoader;
import dev.guardian.config.Endpoint;
import dev.guardian.config.GuardianConfig;
import dev.guardian.daemon.Daemon;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code guardian run}: the daemon in the foreground, until SIGTERM, SIGINT or {@code guardian stop}. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run an agent under Guardian: supervised, its requests logged, its memory checkpointed.",
                "Either --config FILE, or -- CMD ARGS... (options below override the file)."})
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "guardian.yaml (see README: Configuration).")
    Path configFile;

    @CommandLine.Mixin
    DataDirMixin dataDir;

    @Option(names = "--front-door", paramLabel = "HOST:PORT", description = "Client HTTP address (default 127.0.0.1:7070).")
    String frontDoor;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "Admin HTTP address, loopback only (default 127.0.0.1:7071).")
    String admin;

    @Option(names = "--durability", paramLabel = "MODE", description = "WAL durability: sync, group (default) or async.")
    String durability;

    @Parameters(arity = "0..*", paramLabel = "CMD", description = "The agent's command line, after --.")
    List<String> command;

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
        spec.commandLine().getErr().printf("guardian: supervising %s; clients: http://%s/v1/invoke; admin: %s; data: %s%n",
                String.join(" ", config.agent().command()), daemon.frontDoor(), daemon.admin(),
                config.dataDir().toAbsolutePath().normalize());
        spec.commandLine().getErr().flush();
        daemon.awaitStop();
        return ExitCodes.OK;
    }

    private GuardianConfig config() {
        try {
            GuardianConfig base;
            if (configFile != null) {
                base = ConfigLoader.load(configFile);
                if (command != null && !command.isEmpty()) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "give the agent's command either in --config or after --, not both");
                }
            } else if (command == null || command.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "nothing to run: give --config FILE or -- CMD ARGS...");
            } else {
                base = GuardianConfig.forCommand(command);
            }
            Path dir = dataDir.given() || configFile == null ? dataDir.resolve() : base.dataDir();
            return new GuardianConfig(base.agent(), dir,
                    durability == null ? base.wal() : new GuardianConfig.Wal(durability, base.wal().groupMaxBatch(),
                            base.wal().groupMaxDelay()),
                    base.checkpoint(), base.heartbeat(), base.requestTimeout(), base.startupTimeout(), base.restart(),
                    base.shutdown(), base.limits(), frontDoor == null ? base.frontDoor() : endpoint("--front-door", frontDoor),
                    admin == null ? base.admin() : endpoint("--admin", admin), base.protocol());
        } catch (ConfigException e) {
            throw CliException.badInput(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Endpoint endpoint(String option, String value) {
        try {
            return Endpoint.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }
}
