package dev.guardian.cli;

import dev.guardian.cli.checkpoints.DataDirMixin;
import dev.guardian.config.ConfigException;
import dev.guardian.config.ConfigLoader;
import dev.guardian.config.GuardianConfig;
import dev.guardian.daemon.Daemon;
import dev.guardian.daemon.StdioFrontDoor;
import dev.guardian.protocol.Codec;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code guardian wrap -- CMD...}: Guardian between a program and its agent, speaking the protocol on stdio. */
@Command(name = "wrap", mixinStandardHelpOptions = true,
        description = {"Supervise an agent with Guardian's stdin/stdout as its front door (protocol lines),",
                "so a program that spawns the agent can spawn `guardian wrap -- agent` instead. Logs go to stderr."})
public final class WrapCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "guardian.yaml; its agent command is used unless -- CMD is given.")
    Path configFile;

    @CommandLine.Mixin
    DataDirMixin dataDir;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "Admin HTTP address, loopback only (default 127.0.0.1:0: any free port).")
    String admin;

    @Parameters(arity = "0..*", paramLabel = "CMD", description = "The agent's command line, after --.")
    List<String> command;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        // Nothing but protocol lines may reach stdout.
        FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        GuardianConfig config = config();
        Daemon daemon;
        try {
            daemon = Daemon.start(config, false);
        } catch (IOException e) {
            throw CliException.unavailable(e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "guardian-shutdown"));
        try {
            new StdioFrontDoor(daemon.supervisor(), Codec.withMaxLineBytes(config.protocol().maxLineBytes()),
                    new BufferedOutputStream(stdout, 64 * 1024))
                    .serve(new FileInputStream(FileDescriptor.in), config.agent().command().get(0));
        } finally {
            daemon.close();
        }
        return ExitCodes.OK;
    }

    private GuardianConfig config() {
        try {
            GuardianConfig base;
            if (command != null && !command.isEmpty()) {
                base = configFile != null ? ConfigLoader.load(configFile) : GuardianConfig.forCommand(command);
                base = new GuardianConfig(new GuardianConfig.Agent(command, base.agent().env(), base.agent().workingDir()),
                        base.dataDir(), base.wal(), base.checkpoint(), base.heartbeat(), base.requestTimeout(),
                        base.startupTimeout(), base.restart(), base.shutdown(), base.limits(), base.frontDoor(), base.admin(),
                        base.protocol());
            } else if (configFile != null) {
                base = ConfigLoader.load(configFile);
            } else {
                throw new CommandLine.ParameterException(spec.commandLine(), "nothing to wrap: give --config FILE or -- CMD ARGS...");
            }
            Path dir = dataDir.given() || configFile == null ? dataDir.resolve() : base.dataDir();
            return new GuardianConfig(base.agent(), dir, base.wal(), base.checkpoint(), base.heartbeat(), base.requestTimeout(),
                    base.startupTimeout(), base.restart(), base.shutdown(), base.limits(), base.frontDoor(),
                    dev.guardian.config.Endpoint.parse(admin == null ? "127.0.0.1:0" : admin), base.protocol());
        } catch (ConfigException e) {
            throw CliException.badInput(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
