package dev.guardian.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code guardian stop}: stops the daemon on a data directory and waits until it has. */
@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the running daemon (and its agent).")
public final class StopCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DataDirMixin dataDir;

    @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long to wait for it to stop (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        AdminClient admin = AdminClient.forDataDir(dataDir.resolve());
        admin.post("/admin/stop");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (admin.dataDirectory().inUse()) {
            if (System.nanoTime() > deadline) {
                throw new CliException(ExitCodes.UNAVAILABLE, "the daemon did not stop within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
        spec.commandLine().getOut().println("stopped");
        return ExitCodes.OK;
    }
}
