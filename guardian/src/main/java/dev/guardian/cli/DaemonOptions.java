package dev.guardian.cli;

import dev.guardian.config.ConfigException;
import dev.guardian.config.ConfigLoader;
import dev.guardian.config.Endpoint;
import dev.guardian.config.GuardianConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code run} and {@code wrap} share: a config file and/or an agent command, and the options
 * that override the file. {@link #config} turns them into one validated {@link GuardianConfig}.
 */
public final class DaemonOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "guardian.yaml (see README: Configuration).")
    Path configFile;

    @CommandLine.Mixin
    DataDirMixin dataDir;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "Admin HTTP address, loopback only.")
    String admin;

    @Option(names = "--durability", paramLabel = "MODE", description = "WAL durability: sync, group (default) or async.")
    String durability;

    @Parameters(arity = "0..*", paramLabel = "CMD", description = "The agent's command line, after --.")
    List<String> command;

    /**
     * The config: the file's (its agent command replaced by one after --, if given), or the
     * defaults for the command after --, then the options applied.
     */
    GuardianConfig config(CommandLine cmd, String frontDoor, String defaultAdmin) {
        try {
            boolean hasCommand = command != null && !command.isEmpty();
            GuardianConfig c;
            if (configFile != null) {
                c = ConfigLoader.load(configFile);
                if (hasCommand) {
                    c = c.withCommand(command);
                }
            } else if (hasCommand) {
                c = GuardianConfig.forCommand(command);
            } else {
                throw new CommandLine.ParameterException(cmd, "nothing to run: give --config FILE or -- CMD ARGS...");
            }
            if (dataDir.given() || configFile == null) {
                c = c.withDataDir(dataDir.resolve());
            }
            if (durability != null) {
                c = c.withDurability(durability);
            }
            String adminAddress = admin != null ? admin : defaultAdmin;
            return c.withEndpoints(frontDoor == null ? c.frontDoor() : endpoint(cmd, "--front-door", frontDoor),
                    adminAddress == null ? c.admin() : endpoint(cmd, "--admin", adminAddress));
        } catch (ConfigException e) {
            throw CliException.badInput(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
    }

    private static Endpoint endpoint(CommandLine cmd, String option, String value) {
        try {
            return Endpoint.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, option + ": " + e.getMessage());
        }
    }
}
