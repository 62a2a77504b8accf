package dev.guardian.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The shared {@code --data-dir} option: flag, else {@code $GUARDIAN_DATA_DIR}, else {@code ./guardian-data}. */
public final class DataDirMixin {
    public static final String ENV = "GUARDIAN_DATA_DIR";

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Guardian's data directory (default: $GUARDIAN_DATA_DIR, else ./guardian-data).")
    Path dataDir;

    /** True when --data-dir was given on the command line. */
    public boolean given() {
        return dataDir != null;
    }

    public Path resolve() {
        if (dataDir != null) {
            return dataDir.toAbsolutePath().normalize();
        }
        String env = System.getenv(ENV);
        Path p = env != null && !env.isBlank() ? Path.of(env) : Path.of("guardian-data");
        return p.toAbsolutePath().normalize();
    }
}
