package dev.guardian.cli;

import dev.guardian.config.GuardianConfig;
import dev.guardian.daemon.Daemon;
import dev.guardian.daemon.StdioFrontDoor;
import dev.guardian.protocol.Codec;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code guardian wrap -- CMD...}: Guardian between a program and its agent, speaking the protocol on stdio. */
@Command(name = "wrap", mixinStandardHelpOptions = true,
        description = {"Supervise an agent with Guardian's stdin/stdout as its front door (protocol lines),",
                "so a program that spawns the agent can spawn `guardian wrap -- agent` instead. Logs go to stderr."})
public final class WrapCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DaemonOptions options;

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
        // No HTTP front door; the admin API on any free loopback port unless --admin says otherwise.
        return options.config(spec.commandLine(), null, "127.0.0.1:0");
    }
}
