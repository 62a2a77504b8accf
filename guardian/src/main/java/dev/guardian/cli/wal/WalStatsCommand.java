package dev.guardian.cli.wal;

import dev.guardian.cli.DataDirMixin;
import dev.guardian.wal.WalException;
import dev.guardian.wal.WalGap;
import dev.guardian.wal.WalReader;
import dev.guardian.wal.WalStats;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code guardian wal stats [DIR | --data-dir DIR]}: records, first and last sequence, size, gaps, cycle files. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Show what a write-ahead log holds: records, first and last sequence, size, the sequences missing "
                + "between them and where, cycle files.")
public final class WalStatsCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "A WAL directory, or a Guardian data directory containing wal/ (default: the data directory).")
    Path dir;

    @CommandLine.Mixin
    DataDirMixin dataDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        WalStats s;
        Path walDir;
        WalCli.Target target = WalCli.target(dir, dataDir, spec.commandLine());
        try (WalReader reader = target.openReadOnly()) {
            walDir = reader.directory();
            s = reader.stats();
        } catch (WalException e) {
            throw target.toCli(e);
        }
        PrintWriter out = spec.commandLine().getOut();
        row(out, "directory", walDir.toString());
        row(out, "records", Long.toString(s.records()));
        row(out, "first sequence", s.records() == 0 ? "-" : Long.toString(s.firstSequence()));
        row(out, "last sequence", s.records() == 0 ? "-" : Long.toString(s.lastSequence()));
        row(out, "record bytes", s.recordBytes() + " (" + human(s.recordBytes()) + ")");
        row(out, "file bytes", s.fileBytes() + " (" + human(s.fileBytes()) + " apparent; cycle files are sparse)");
        row(out, "corrupt records", Long.toString(s.corruptRecords()));
        row(out, "missing", s.gaps().isEmpty() ? "0" : s.missingSequences() + " sequences in " + s.gaps().size()
                + (s.gaps().size() == 1 ? " gap" : " gaps"));
        for (WalGap g : s.gaps()) {
            out.printf("  seq %s: %s%n", g.from() == g.to() ? g.from() : g.from() + ".." + g.to(), g.what());
        }
        row(out, "cycle files", Integer.toString(s.cycleFiles().size()));
        int width = s.cycleFiles().stream().mapToInt(f -> f.name().length()).max().orElse(0);
        for (WalStats.CycleFile f : s.cycleFiles()) {
            out.printf("  %-" + width + "s  %12d%n", f.name(), f.bytes());
        }
        out.flush();
        return 0;
    }

    private static void row(PrintWriter out, String name, String value) {
        out.printf("%-16s %s%n", name, value);
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
