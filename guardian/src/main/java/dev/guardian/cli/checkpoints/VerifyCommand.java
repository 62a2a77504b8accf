package dev.guardian.cli.checkpoints;

import dev.guardian.cli.DataDirMixin;
import dev.guardian.cli.ExitCodes;
import dev.guardian.vault.CheckpointId;
import dev.guardian.vault.VerifyResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify checksums (one checkpoint, or all). Exit code 1 when any is corrupt.")
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    DataDirMixin dataDir;

    @Parameters(arity = "0..1", paramLabel = "ID", converter = CheckpointIdConverter.class,
            description = "The checkpoint to verify (default: all).")
    CheckpointId id;

    @Option(names = "--all", description = "Verify every checkpoint (the default).")
    boolean all;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (id != null && all) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either ID or --all, not both");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (CheckpointCatalog catalog = CheckpointCatalogs.forReading(dataDir)) {
            List<VerifyResult> results = id != null ? List.of(catalog.verify(id)) : catalog.verifyAll();
            out.print(CheckpointOutput.verifyLines(results));
            List<String> corrupt = results.stream().filter(r -> !r.valid()).map(r -> r.id().toString()).toList();
            if (results.isEmpty()) {
                out.println("no checkpoints to verify in " + catalog.location());
            } else if (corrupt.isEmpty()) {
                out.println(results.size() + " checkpoint(s) verified, all valid");
            } else {
                out.println(results.size() + " checkpoint(s) verified, " + corrupt.size() + " corrupt: "
                        + String.join(", ", corrupt));
            }
            out.flush();
            return corrupt.isEmpty() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        }
    }
}
